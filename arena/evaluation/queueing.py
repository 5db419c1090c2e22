"""The rq queue: a doorbell for submissions that the database already records.

The database is the source of truth. ``reconcile`` re-enqueues submissions that are queued
in the database but have no live job, and re-queues runs whose worker died; ``reap_orphans`` does only the
second, with one indexed query and one Redis round trip, so workers can run it every few seconds.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from rq import Queue
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from arena.db import utcnow
from arena.enums import SubmissionStatus
from arena.evaluation.dispatch import DEFAULT_CLASS, queue_name_for, resource_class_of
from arena.evaluation.leases import live_leases
from arena.evaluation.payloads import EvaluateRequest, RerunRequest
from arena.evaluation.sandboxing import container_labels
from arena.models import Submission
from arena.runtime import redis_connection
from arena.settings import Settings
from arena.submissions import transition
from sandbox import remove_containers

log = logging.getLogger(__name__)

EVALUATE_JOB = "arena.evaluation.jobs.evaluate"
RERUN_JOB = "arena.evaluation.jobs.rerun"
LIVE_JOB_STATES = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.DEFERRED, JobStatus.SCHEDULED}


def get_queue(settings: Settings, resource_class: str = DEFAULT_CLASS) -> Queue:
    """Return the evaluation queue of a resource class, using rq's JSON serializer."""
    return Queue(
        queue_name_for(settings, resource_class),
        connection=redis_connection(settings.redis_url),
        serializer=JSONSerializer,
    )


def job_id_for(submission: Submission) -> str:
    """Return the rq job id for the submission's current attempt."""
    return f"evaluate-{submission.id}-{submission.attempts}"


def enqueue_evaluation(settings: Settings, submission: Submission) -> str:
    """Ring a doorbell for a queued submission in its track's resource class queue; return the job id."""
    job_id = job_id_for(submission)
    get_queue(settings, resource_class_of(submission.phase.track)).enqueue(
        EVALUATE_JOB,
        EvaluateRequest(submission.id).to_dict(),
        job_id=job_id,
        job_timeout=settings.job_timeout_seconds,
        result_ttl=3600,
        failure_ttl=7 * 24 * 3600,
    )
    return job_id


def rerun_job_id(rerun_id: int) -> str:
    """Return the rq job id of an organizer's re-run."""
    return f"rerun-{rerun_id}"


def enqueue_rerun(settings: Settings, rerun_id: int, resource_class: str = DEFAULT_CLASS) -> str:
    """Enqueue an organizer's re-run of a submission (in its track's class queue) and return the job id."""
    job_id = rerun_job_id(rerun_id)
    get_queue(settings, resource_class).enqueue(
        RERUN_JOB,
        RerunRequest(rerun_id).to_dict(),
        job_id=job_id,
        job_timeout=settings.job_timeout_seconds,
        result_ttl=3600,
        failure_ttl=7 * 24 * 3600,
    )
    return job_id


def job_is_live(settings: Settings, job_id: str) -> bool:
    """Whether rq still holds a job that will run or is running."""
    if not job_id:
        return False
    queue = get_queue(settings)
    job = Job.fetch_many([job_id], connection=queue.connection, serializer=JSONSerializer)[0]
    if job is None:
        return False
    return job.get_status(refresh=True) in LIVE_JOB_STATES


def remove_orphaned_containers(settings: Settings, submission_id: int, rerun_id: int | None = None) -> int:
    """Remove sandbox containers a dead worker left behind for this submission (or re-run); return how many."""
    labels = container_labels(settings, submission_id)
    if rerun_id is not None:
        labels["arena.rerun"] = str(rerun_id)
    try:
        return remove_containers(labels)
    except Exception:  # the engine may be unreachable; an unreachable engine runs no container either
        log.warning("could not reach the Docker engine to clean up after submission %s", submission_id)
        return 0


def enqueue_grace(settings: Settings) -> timedelta:
    """Return how long a new queued submission may go without a job (its doorbell is rung just after commit)."""
    return timedelta(seconds=settings.lease_seconds)


def _requeue(session: Session, settings: Settings, submission: Submission) -> None:
    submission.job_id = enqueue_evaluation(settings, submission)
    log.info("re-enqueued submission %s as %s", submission.id, submission.job_id)


def _reap(session: Session, settings: Settings, running: list[Submission]) -> int:
    alive = live_leases(settings, {submission.id: submission.started_at for submission in running})
    count = 0
    for submission in running:
        if submission.id in alive:
            continue
        # Running or scoring without a live worker's lease: the worker died.
        remove_orphaned_containers(settings, submission.id)
        transition(session, submission, SubmissionStatus.QUEUED)
        _requeue(session, settings, submission)
        count += 1
    return count


def _running(session: Session) -> list[Submission]:
    in_flight = [SubmissionStatus.RUNNING, SubmissionStatus.SCORING]
    return list(session.scalars(select(Submission).where(Submission.status.in_(in_flight))).all())


def reap_orphans(session: Session, settings: Settings) -> int:
    """Queue again the running or scoring submissions whose worker died (lease expired); return how many."""
    count = _reap(session, settings, _running(session))
    session.commit()
    return count


def reconcile(session: Session, settings: Settings, *, stale_after: timedelta | None = None) -> int:
    """Re-enqueue queued submissions without a live job and re-queue runs whose job died.

    Returns how many submissions were sent to the queue again.
    """
    cutoff = utcnow() - (enqueue_grace(settings) if stale_after is None else stale_after)
    count = 0
    queued = session.scalars(
        select(Submission).where(Submission.status == SubmissionStatus.QUEUED, Submission.created_at <= cutoff)
    ).all()
    for submission in queued:
        if not job_is_live(settings, submission.job_id):
            _requeue(session, settings, submission)
            count += 1
    count += _reap(session, settings, _running(session))
    session.commit()
    return count
