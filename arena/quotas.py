"""Submission quotas per team and phase: daily (resetting at 00:00 UTC) and total."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from arena.enums import SubmissionStatus
from arena.errors import QuotaExceeded
from arena.models import Phase, Submission


@dataclass(frozen=True)
class QuotaStatus:
    """How many submissions a team has left in a phase, and when that changes."""

    daily_limit: int
    used_today: int
    total_limit: int | None
    used_total: int
    resets_at: datetime
    next_allowed_at: datetime | None
    allowed_now: bool

    @property
    def remaining_today(self) -> int:
        """Submissions left before the daily reset."""
        left = max(0, self.daily_limit - self.used_today)
        if self.total_limit is not None:
            left = min(left, max(0, self.total_limit - self.used_total))
        return left

    @property
    def remaining_total(self) -> int | None:
        """Submissions left in the phase, or None when unlimited."""
        return None if self.total_limit is None else max(0, self.total_limit - self.used_total)


def day_bounds(now: datetime) -> tuple[datetime, datetime]:
    """Return the UTC day containing ``now`` as [start, end)."""
    start = datetime.combine(now.date(), time(0), tzinfo=now.tzinfo)
    return start, start + timedelta(days=1)


def counted() -> object:
    """SQL condition for submissions that use up quota (infrastructure failures and cancels do not)."""
    return or_(
        Submission.status.in_(
            [SubmissionStatus.QUEUED, SubmissionStatus.RUNNING, SubmissionStatus.SCORING, SubmissionStatus.SCORED]
        ),
        and_(Submission.status == SubmissionStatus.FAILED, Submission.counts_toward_quota.is_(True)),
    )


def quota_status(session: Session, team_id: int, phase: Phase, now: datetime) -> QuotaStatus:
    """Return the team's quota position in ``phase`` at ``now``."""
    day_start, day_end = day_bounds(now)
    base = select(func.count(Submission.id)).where(
        Submission.team_id == team_id,
        Submission.phase_id == phase.id,
        counted(),  # type: ignore[arg-type]
    )
    used_total = session.scalar(base) or 0
    used_today = session.scalar(base.where(Submission.created_at >= day_start)) or 0
    total_left = phase.total_quota is None or used_total < phase.total_quota
    today_left = used_today < phase.daily_quota
    next_allowed: datetime | None = now
    if not total_left:
        next_allowed = None
    elif not today_left:
        next_allowed = day_end if day_end < phase.closes_at else None
    return QuotaStatus(
        daily_limit=phase.daily_quota,
        used_today=used_today,
        total_limit=phase.total_quota,
        used_total=used_total,
        resets_at=day_end,
        next_allowed_at=next_allowed,
        allowed_now=total_left and today_left,
    )


def check_quota(session: Session, team_id: int, phase: Phase, now: datetime) -> QuotaStatus:
    """Return the quota status, or raise QuotaExceeded saying when the next submission is allowed."""
    status = quota_status(session, team_id, phase, now)
    if status.allowed_now:
        return status
    if status.next_allowed_at is None:
        if status.total_limit is not None and status.used_total >= status.total_limit:
            message = f"your team has used all {status.total_limit} submissions of this phase"
        else:
            message = (
                f"your team has used today's {status.daily_limit} submissions and the phase closes "
                "before the daily reset"
            )
    else:
        message = (
            f"your team has used today's {status.daily_limit} submissions; the next one is allowed at "
            f"{status.next_allowed_at.isoformat()} (the daily quota resets at 00:00 UTC)"
        )
    raise QuotaExceeded(message, retry_at=status.next_allowed_at)
