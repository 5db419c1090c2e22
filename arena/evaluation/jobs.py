"""rq entry points: thin adapters that rebuild a payload, open a session and call the domain."""

from __future__ import annotations

import logging
from typing import Any

from rq import get_current_job
from sqlalchemy.orm import Session

from arena import logconfig
from arena.db import session_scope
from arena.enums import SubmissionStatus
from arena.evaluation.dispatch import claim_next
from arena.evaluation.leases import held_lease, rerun_subject
from arena.evaluation.payloads import EvaluateRequest, RerunRequest
from arena.evaluation.pipeline import evaluate_submission
from arena.evaluation.queueing import enqueue_evaluation, job_is_live
from arena.evaluation.reruns import execute_rerun
from arena.evaluation.sandboxing import runner_for
from arena.models import Submission
from arena.runtime import Runtime, runtime_for
from arena.settings import Settings

log = logging.getLogger(__name__)


def _keep_a_bell(session: Session, settings: Settings, rung_id: int) -> None:
    # The bell's own submission took the chosen one's bell; if that was lost (Redis restarted empty, an upload
    # made while it was away), ring a new one now rather than wait for the reconciler.
    rung = session.get(Submission, rung_id)
    if rung is not None and rung.status == SubmissionStatus.QUEUED and not job_is_live(settings, rung.job_id):
        rung.job_id = enqueue_evaluation(settings, rung)
        session.commit()


def evaluate(payload: dict[str, Any]) -> str:
    """Answer a submission's doorbell: evaluate the fairest queued submission of its class; return its status."""
    request = EvaluateRequest.from_dict(payload)
    settings = Settings.from_env()
    runtime = runtime_for(settings)
    try:
        return _evaluate(settings, runtime, request)
    finally:
        runtime.store.release()  # the run is over: its cached inputs may be trimmed


def _evaluate(settings: Settings, runtime: Runtime, request: EvaluateRequest) -> str:
    job = get_current_job()
    with session_scope(runtime.sessions) as session:
        chosen = claim_next(session, settings, request.submission_id, job.id if job is not None else "")
        if chosen is not None and chosen != request.submission_id:
            _keep_a_bell(session, settings, request.submission_id)
    if chosen is None:
        return "idle"  # every queued submission of the class is taken already
    with (
        logconfig.bound(submission_id=chosen),
        held_lease(settings, chosen),
        session_scope(runtime.sessions) as session,
    ):
        log.info("evaluating submission %s", chosen)
        outcome = evaluate_submission(session, settings, runtime.store, chosen, runner_for(settings))
        if outcome.requeue:
            submission = session.get(Submission, chosen)
            assert submission is not None
            submission.job_id = enqueue_evaluation(settings, submission)
        log.info("submission %s is %s%s", chosen, outcome.status.value, " (queued again)" if outcome.requeue else "")
    return outcome.status.value


def rerun(payload: dict[str, Any]) -> str:
    """Re-run one submission for an organizer without touching its status or scores; return the re-run's status."""
    request = RerunRequest.from_dict(payload)
    settings = Settings.from_env()
    runtime = runtime_for(settings)
    try:
        with held_lease(settings, rerun_subject(request.rerun_id)), session_scope(runtime.sessions) as session:
            found = execute_rerun(session, settings, runtime.store, request.rerun_id, runner_for(settings))
            return found.status if found is not None else "missing"
    finally:
        runtime.store.release()
