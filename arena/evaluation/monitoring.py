"""What monitoring reads about evaluation, computed from the database: queue depth, failures and run durations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from arena.db import utcnow
from arena.enums import SubmissionStatus
from arena.models import Submission

RECENT = timedelta(hours=24)
DURATION_SAMPLE = 1000


@dataclass(frozen=True)
class EvaluationSnapshot:
    """Evaluation's state at one moment: submissions by status, failures by class, recent run durations."""

    by_status: dict[str, int]
    failures_by_class: dict[str, int]
    run_seconds: list[float]
    oldest_queued_seconds: float


def snapshot(session: Session, *, now: datetime | None = None) -> EvaluationSnapshot:
    """Count submissions by status, failures of the last 24 hours by class, and the last runs' durations."""
    now = now or utcnow()
    by_status = {
        str(status): int(count)
        for status, count in session.execute(
            select(Submission.status, func.count(Submission.id)).group_by(Submission.status)
        )
    }
    failures = {
        str(kind or "unknown"): int(count)
        for kind, count in session.execute(
            select(Submission.failure_class, func.count(Submission.id))
            .where(Submission.status == SubmissionStatus.FAILED.value, Submission.finished_at >= now - RECENT)
            .group_by(Submission.failure_class)
        )
    }
    runs = session.execute(
        select(Submission.started_at, Submission.finished_at)
        .where(Submission.started_at.is_not(None), Submission.finished_at.is_not(None))
        .order_by(Submission.finished_at.desc())
        .limit(DURATION_SAMPLE)
    ).all()
    durations = [
        max(0.0, (end - start).total_seconds()) for start, end in runs if start is not None and end is not None
    ]
    oldest = session.scalar(
        select(func.min(Submission.created_at)).where(Submission.status == SubmissionStatus.QUEUED.value)
    )
    waited = (now - oldest).total_seconds() if oldest is not None else 0.0
    return EvaluationSnapshot(by_status, failures, durations, waited)
