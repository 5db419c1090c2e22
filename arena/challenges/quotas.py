"""Submission quotas: per team and phase (daily with a 00:00 UTC reset, total, concurrent runs) and per person.

What counts: queued, running, scoring and scored submissions, and failures the participant caused when the
phase counts them (``Phase.count_participant_failures``). Infrastructure failures and cancels never count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from arena.enums import SubmissionStatus
from arena.errors import QuotaExceeded
from arena.models import Challenge, Phase, Submission, Track
from arena.timestamps import rfc3339

IN_FLIGHT = (SubmissionStatus.QUEUED, SubmissionStatus.RUNNING, SubmissionStatus.SCORING)
# When the concurrent cap is reached nobody knows when a run ends; this is the polling hint we give.
CONCURRENT_RETRY_SECONDS = 30


class QuotaLimit(StrEnum):
    """Which limit stops the next submission."""

    TOTAL = "total"
    DAILY = "daily"
    PERSON_DAILY = "person_daily"
    CONCURRENT = "concurrent"


@dataclass(frozen=True)
class QuotaStatus:
    """How many submissions a team (and the person asking) has left in a phase, and when that changes.

    ``next_allowed_at`` is when the limit in ``blocked_by`` lets the next submission in: None while nothing
    blocks, and None when no further submission is possible in the phase.
    """

    daily_limit: int
    used_today: int
    total_limit: int | None
    used_total: int
    resets_at: datetime
    next_allowed_at: datetime | None
    allowed_now: bool
    concurrent_limit: int | None = None
    in_flight: int = 0
    person_limit: int | None = None
    person_used_today: int = 0
    blocked_by: QuotaLimit | None = None
    counts_participant_failures: bool = True

    @property
    def remaining_today(self) -> int:
        """Submissions left before the daily reset (the team's, the phase's total and the person's cap)."""
        left = max(0, self.daily_limit - self.used_today)
        if self.total_limit is not None:
            left = min(left, max(0, self.total_limit - self.used_total))
        if self.person_limit is not None:
            left = min(left, max(0, self.person_limit - self.person_used_today))
        return left

    @property
    def remaining_total(self) -> int | None:
        """Submissions left in the phase, or None when unlimited."""
        return None if self.total_limit is None else max(0, self.total_limit - self.used_total)

    @property
    def remaining_concurrent(self) -> int | None:
        """Runs the team may start before one finishes, or None when unlimited."""
        return None if self.concurrent_limit is None else max(0, self.concurrent_limit - self.in_flight)

    @property
    def person_remaining_today(self) -> int | None:
        """Submissions the person may still make today in the whole challenge, or None when unlimited."""
        return None if self.person_limit is None else max(0, self.person_limit - self.person_used_today)


def day_bounds(now: datetime) -> tuple[datetime, datetime]:
    """Return the UTC day containing ``now`` as [start, end)."""
    start = datetime.combine(now.date(), time(0), tzinfo=now.tzinfo)
    return start, start + timedelta(days=1)


def counted() -> ColumnElement[bool]:
    """SQL condition for submissions that use up quota; the query must join ``Phase``."""
    return or_(
        Submission.status.in_([*IN_FLIGHT, SubmissionStatus.SCORED]),
        and_(
            Submission.status == SubmissionStatus.FAILED,
            Submission.counts_toward_quota.is_(True),
            Phase.count_participant_failures.is_(True),
        ),
    )


def used_in_phase(session: Session, team_id: int, phase: Phase, since: datetime | None = None) -> int:
    """Return how many counted submissions the team made in ``phase`` (since ``since``, if given)."""
    query = (
        select(func.count(Submission.id))
        .join(Phase, Phase.id == Submission.phase_id)
        .where(Submission.team_id == team_id, Submission.phase_id == phase.id, counted())
    )
    if since is not None:
        query = query.where(Submission.created_at >= since)
    return session.scalar(query) or 0


def in_flight(session: Session, team_id: int, phase: Phase) -> int:
    """Return the team's submissions in ``phase`` that are queued, running or being scored."""
    query = select(func.count(Submission.id)).where(
        Submission.team_id == team_id, Submission.phase_id == phase.id, Submission.status.in_(IN_FLIGHT)
    )
    return session.scalar(query) or 0


def person_used_today(session: Session, user_id: int, challenge_id: int, now: datetime) -> int:
    """Return the counted submissions ``user_id`` made today (UTC) in every phase of the challenge, any team."""
    day_start, day_end = day_bounds(now)
    query = (
        select(func.count(Submission.id))
        .join(Phase, Phase.id == Submission.phase_id)
        .join(Track, Track.id == Phase.track_id)
        .where(
            Track.challenge_id == challenge_id,
            Submission.user_id == user_id,
            Submission.created_at >= day_start,
            Submission.created_at < day_end,
            counted(),
        )
    )
    return session.scalar(query) or 0


def quota_status(
    session: Session, team_id: int, phase: Phase, now: datetime, *, user_id: int | None = None
) -> QuotaStatus:
    """Return the team's quota position in ``phase`` at ``now``; with ``user_id``, the person's cap too."""
    day_start, day_end = day_bounds(now)
    used_total = used_in_phase(session, team_id, phase)
    used_today = used_in_phase(session, team_id, phase, since=day_start)
    running = in_flight(session, team_id, phase) if phase.concurrent_quota is not None else 0
    challenge = session.get(Challenge, phase.track.challenge_id)
    person_limit = challenge.person_daily_quota if challenge is not None else None
    person_used = 0
    if person_limit is not None and user_id is not None:
        person_used = person_used_today(session, user_id, phase.track.challenge_id, now)
    next_day = day_end if day_end < phase.closes_at else None
    blocked_by: QuotaLimit | None = None
    next_allowed: datetime | None = None  # null while nothing blocks
    if phase.total_quota is not None and used_total >= phase.total_quota:
        blocked_by, next_allowed = QuotaLimit.TOTAL, None
    elif used_today >= phase.daily_quota:
        blocked_by, next_allowed = QuotaLimit.DAILY, next_day
    elif person_limit is not None and user_id is not None and person_used >= person_limit:
        blocked_by, next_allowed = QuotaLimit.PERSON_DAILY, next_day
    elif phase.concurrent_quota is not None and running >= phase.concurrent_quota:
        blocked_by, next_allowed = QuotaLimit.CONCURRENT, now + timedelta(seconds=CONCURRENT_RETRY_SECONDS)
    return QuotaStatus(
        daily_limit=phase.daily_quota,
        used_today=used_today,
        total_limit=phase.total_quota,
        used_total=used_total,
        resets_at=day_end,
        next_allowed_at=next_allowed,
        allowed_now=blocked_by is None,
        concurrent_limit=phase.concurrent_quota,
        in_flight=running,
        person_limit=person_limit,
        person_used_today=person_used,
        blocked_by=blocked_by,
        counts_participant_failures=phase.count_participant_failures,
    )


def _message(status: QuotaStatus) -> tuple[str, dict[str, object]]:
    """Return the message template saying which limit applies, and its parameters."""
    when = rfc3339(status.next_allowed_at)
    match status.blocked_by:
        case QuotaLimit.TOTAL:
            return "your team has used all %(total)s submissions of this phase", {"total": status.total_limit}
        case QuotaLimit.DAILY:
            if when:
                return (
                    "your team has used today's %(daily)s submissions; the next one is allowed at %(when)s "
                    "(quotas reset at 00:00 UTC)",
                    {"daily": status.daily_limit, "when": when},
                )
            return (
                "your team has used today's %(daily)s submissions and the phase closes before the daily reset",
                {"daily": status.daily_limit},
            )
        case QuotaLimit.PERSON_DAILY:
            if when:
                return (
                    "you have made your %(limit)s submissions for today in this challenge (across all teams); "
                    "the next one is allowed at %(when)s (quotas reset at 00:00 UTC)",
                    {"limit": status.person_limit, "when": when},
                )
            return (
                "you have made your %(limit)s submissions for today in this challenge (across all teams) "
                "and the phase closes before the daily reset",
                {"limit": status.person_limit},
            )
        case _:
            return (
                "your team already has %(in_flight)s submissions queued or running, the most this phase allows "
                "(%(limit)s); submit again when one of them has finished",
                {"in_flight": status.in_flight, "limit": status.concurrent_limit},
            )


def check_quota(
    session: Session, team_id: int, phase: Phase, now: datetime, *, user_id: int | None = None
) -> QuotaStatus:
    """Return the quota status, or raise QuotaExceeded saying which limit applies and when to retry."""
    status = quota_status(session, team_id, phase, now, user_id=user_id)
    if status.allowed_now:
        return status
    template, params = _message(status)
    raise QuotaExceeded(template, retry_at=status.next_allowed_at, params=params)


def allowance_by(phase: Phase, now: datetime) -> int:
    """Return the most submissions one team could have counted in ``phase`` by ``now``.

    That is the daily quota times the UTC days the phase has been open (the opening day and today
    included), capped by the phase's total quota; zero before the phase opens.
    """
    if now < phase.opens_at:
        return 0
    last = min(now, phase.closes_at - timedelta(microseconds=1))
    days = (last.date() - phase.opens_at.date()).days + 1
    allowance = phase.daily_quota * max(days, 0)
    return allowance if phase.total_quota is None else min(allowance, phase.total_quota)
