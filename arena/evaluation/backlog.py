"""The organizer's view of a challenge's queue: waiting, running and failed submissions and re-runs."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from redis.exceptions import RedisError
from rq.job import Job
from rq.serializers import JSONSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from arena.enums import SubmissionStatus
from arena.evaluation.queueing import get_queue, rerun_job_id
from arena.models import Phase, Rerun, Submission, Team, Track
from arena.settings import Settings

log = logging.getLogger(__name__)

QUEUE_STATUSES = ("queued", "running", "scoring", "failed")
LIMIT = 500


@dataclass(frozen=True)
class QueueItem:
    """A submission (or an organizer's re-run of one) that is waiting, running or failed."""

    kind: str  # "submission" or "rerun"
    id: int
    submission_id: int
    phase_id: int
    team_name: str
    status: str
    created_at: datetime
    started_at: datetime | None
    age_seconds: int
    attempts: int
    worker: str
    failure_class: str
    error: str


def _workers(settings: Settings | None, job_ids: list[str]) -> dict[str, str]:
    """Return the rq worker name of each job that has one; an unreachable Redis leaves them unknown."""
    if settings is None or not job_ids:
        return {}
    try:
        queue = get_queue(settings)
        jobs = Job.fetch_many(job_ids, connection=queue.connection, serializer=JSONSerializer)
    except RedisError as error:
        log.warning("could not read the queue's jobs: %s", error)
        return {}
    return {job.id: job.worker_name for job in jobs if job is not None and job.worker_name}


def _summary(text: str) -> str:
    line = (text or "").strip().splitlines()[0] if (text or "").strip() else ""
    return line[:200] + ("…" if len(line) > 200 else "")


def challenge_queue(
    session: Session,
    settings: Settings | None,
    challenge_id: int,
    now: datetime,
    *,
    phase_id: int | None = None,
    statuses: tuple[str, ...] = QUEUE_STATUSES,
) -> list[QueueItem]:
    """Return the challenge's queued, running and failed submissions and re-runs, oldest waiting first."""
    sub_statuses = [s for s in statuses if s in QUEUE_STATUSES]
    query = (
        select(Submission, Team.name)
        .join(Team, Team.id == Submission.team_id)
        .join(Phase, Phase.id == Submission.phase_id)
        .join(Track, Track.id == Phase.track_id)
        .where(Track.challenge_id == challenge_id, Submission.status.in_(sub_statuses))
    )
    rerun_query = (
        select(Rerun, Submission, Team.name)
        .join(Submission, Submission.id == Rerun.submission_id)
        .join(Team, Team.id == Submission.team_id)
        .join(Phase, Phase.id == Submission.phase_id)
        .join(Track, Track.id == Phase.track_id)
        .where(Track.challenge_id == challenge_id, Rerun.status.in_([_rerun_status(s) for s in sub_statuses]))
    )
    if phase_id is not None:
        query = query.where(Submission.phase_id == phase_id)
        rerun_query = rerun_query.where(Submission.phase_id == phase_id)
    subs = session.execute(query.order_by(Submission.created_at).limit(LIMIT)).all()
    reruns = session.execute(rerun_query.order_by(Rerun.created_at).limit(LIMIT)).all()
    live = [s for s, _ in subs if s.status != SubmissionStatus.FAILED]
    workers = _workers(settings, [s.job_id for s in live if s.job_id] + [rerun_job_id(r.id) for r, _, _ in reruns])
    items = [
        QueueItem(
            kind="submission",
            id=s.id,
            submission_id=s.id,
            phase_id=s.phase_id,
            team_name=team,
            status=s.status,
            created_at=s.created_at,
            started_at=s.started_at,
            age_seconds=max(0, int((now - s.created_at).total_seconds())),
            attempts=s.attempts,
            worker=workers.get(s.job_id, "") if s.status != SubmissionStatus.FAILED else "",
            failure_class=s.failure_class or "",
            error=_summary(s.error_message),
        )
        for s, team in subs
    ]
    items += [
        QueueItem(
            kind="rerun",
            id=r.id,
            submission_id=s.id,
            phase_id=s.phase_id,
            team_name=team,
            status="failed" if r.status == "failed" else r.status,
            created_at=r.created_at,
            started_at=None,
            age_seconds=max(0, int((now - r.created_at).total_seconds())),
            attempts=0,
            worker=workers.get(rerun_job_id(r.id), ""),
            failure_class="",
            error=_summary(str((r.detail or {}).get("error", ""))),
        )
        for r, s, team in reruns
    ]
    order = {"running": 0, "scoring": 0, "queued": 1, "failed": 2}
    return sorted(items, key=lambda i: (order.get(i.status, 3), i.created_at))


def _rerun_status(status: str) -> str:
    """A re-run has no scoring step: scoring filters nothing, the others are the same word."""
    return "running" if status == "scoring" else status
