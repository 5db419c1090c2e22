"""rq entry points: thin adapters that rebuild a payload, open a session and call the domain."""

from __future__ import annotations

import logging
from typing import Any

from arena.db import session_scope
from arena.evaluation.leases import held_lease, rerun_subject
from arena.evaluation.payloads import EvaluateRequest, RerunRequest
from arena.evaluation.pipeline import evaluate_submission
from arena.evaluation.queueing import enqueue_evaluation
from arena.evaluation.reruns import execute_rerun
from arena.evaluation.sandboxing import runner_for
from arena.models import Submission
from arena.runtime import runtime_for
from arena.settings import Settings

log = logging.getLogger(__name__)


def evaluate(payload: dict[str, Any]) -> str:
    """Evaluate one submission (the job behind every upload); return its final status."""
    request = EvaluateRequest.from_dict(payload)
    settings = Settings.from_env()
    runtime = runtime_for(settings)
    with held_lease(settings, request.submission_id), session_scope(runtime.sessions) as session:
        outcome = evaluate_submission(session, settings, runtime.store, request.submission_id, runner_for(settings))
        if outcome.requeue:
            submission = session.get(Submission, request.submission_id)
            assert submission is not None
            submission.job_id = enqueue_evaluation(settings, submission)
    return outcome.status.value


def rerun(payload: dict[str, Any]) -> str:
    """Re-run one submission for an organizer without touching its status or scores; return the re-run's status."""
    request = RerunRequest.from_dict(payload)
    settings = Settings.from_env()
    runtime = runtime_for(settings)
    with held_lease(settings, rerun_subject(request.rerun_id)), session_scope(runtime.sessions) as session:
        found = execute_rerun(session, settings, runtime.store, request.rerun_id, runner_for(settings))
        return found.status if found is not None else "missing"
