"""Evaluation: the queue, workers and leases, code runs, scoring, re-runs and rescoring."""

from arena.evaluation.backlog import QUEUE_STATUSES, QueueItem, challenge_queue
from arena.evaluation.coderuns import limits_for
from arena.evaluation.dispatch import QueuePosition, queue_position
from arena.evaluation.heartbeats import Heartbeat, live_workers
from arena.evaluation.intake import accept_upload, open_upload
from arena.evaluation.monitoring import EvaluationSnapshot, snapshot
from arena.evaluation.references import ReferenceOutcome, needs_sandbox, score_reference
from arena.evaluation.reruns import (
    SealedData,
    get_rerun,
    provenance,
    request_rerun,
    rerun_dict,
    submission_reruns,
)
from arena.evaluation.rescoring import phase_rescores, rescore_imported, rescore_phase, rescore_progress
from arena.evaluation.worker import run_worker

__all__ = [
    "limits_for",
    "EvaluationSnapshot",
    "QueuePosition",
    "queue_position",
    "Heartbeat",
    "live_workers",
    "snapshot",
    "ReferenceOutcome",
    "SealedData",
    "needs_sandbox",
    "score_reference",
    "QUEUE_STATUSES",
    "QueueItem",
    "challenge_queue",
    "accept_upload",
    "get_rerun",
    "open_upload",
    "phase_rescores",
    "provenance",
    "request_rerun",
    "rerun_dict",
    "rescore_imported",
    "rescore_phase",
    "rescore_progress",
    "run_worker",
    "submission_reruns",
]
