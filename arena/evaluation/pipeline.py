"""Evaluating a submission: run it (code tracks), score it, and record the outcome.

Every status change goes through ``services.submissions.transition``; this module decides
which one. Infrastructure failures are re-queued a few times and never count against a quota.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

from redis.exceptions import RedisError
from sqlalchemy.orm import Session

from arena import events
from arena.enums import FailureClass, SubmissionStatus, TrackKind
from arena.errors import StorageUnavailable
from arena.evaluation.coderuns import InfrastructureFailure, ParticipantFailure, run_code, run_directory
from arena.evaluation.dispatch import resource_class_of
from arena.evaluation.monitoring import record_finished
from arena.evaluation.programs import run_scoring_program
from arena.evaluation.scoring import InvalidPredictions, ScorerBroken, SplitScore, save_scores, score_predictions
from arena.integrity import ProbingRule
from arena.models import Submission
from arena.runtime import redis_connection
from arena.settings import Settings
from arena.storage import BlobStore
from arena.submissions import fail, transition
from sandbox import Runner, RunResult

log = logging.getLogger(__name__)

SCORER_BROKEN = "the scorer could not score this submission; the organizers have been told and it does not count"
PLATFORM_GAVE_UP = "the platform could not run this submission; it does not count against your quota"


@dataclass(frozen=True)
class EvaluationOutcome:
    """What became of one evaluation attempt."""

    submission_id: int
    status: SubmissionStatus
    requeue: bool = False


def _record_run(store: BlobStore, submission: Submission, run: RunResult | None) -> None:
    if run is None:
        return
    info = run.to_dict()
    logs = {"stdout": info.pop("stdout", ""), "stderr": info.pop("stderr", "")}
    submission.log_sha256 = store.put_bytes(json.dumps(logs).encode())
    submission.run_info = {**submission.run_info, **info}


def _measure(settings: Settings, submission: Submission) -> None:
    # Monitoring must never fail an evaluation: without Redis the observation is dropped.
    try:
        record_finished(redis_connection(settings.redis_url), resource_class_of(submission.phase.track), submission)
    except (RedisError, OSError) as error:
        log.warning("could not record the metrics of submission %s: %s", submission.id, error)


def score_data(  # noqa: PLR0913
    settings: Settings,
    store: BlobStore,
    submission: Submission,
    data: bytes,
    runner: Runner | None,
    scratch: Path,
    invalid_class: FailureClass,
) -> list[SplitScore]:
    """Score predictions with the track's built-in scorer or its scoring program (in ``scratch``).

    Invalid predictions raise ParticipantFailure with ``invalid_class``.
    """
    track = submission.phase.track
    try:
        if track.scoring_program_sha256:
            if runner is None:
                raise InfrastructureFailure("no sandbox runner is configured on this worker")
            return run_scoring_program(settings, store, submission.phase, data, runner, scratch)
        return score_predictions(store, submission.phase, data, max_bytes=track.max_upload_bytes)
    except InvalidPredictions as exc:
        raise ParticipantFailure(invalid_class, exc.message, template=exc.template, params=exc.params) from None


def evaluate_submission(
    session: Session,
    settings: Settings,
    store: BlobStore,
    submission_id: int,
    runner: Runner | None = None,
) -> EvaluationOutcome:
    """Evaluate one submission end to end; commit each status change so viewers see progress."""
    submission = session.get(Submission, submission_id)
    if submission is None:
        log.warning("submission %s vanished before evaluation", submission_id)
        return EvaluationOutcome(submission_id, SubmissionStatus.CANCELLED)
    status = SubmissionStatus(submission.status)
    if status.is_final:
        return EvaluationOutcome(submission_id, status)
    if status != SubmissionStatus.QUEUED:
        # A previous attempt died mid-run; start over.
        transition(session, submission, SubmissionStatus.QUEUED)
    track = submission.phase.track
    transition(session, submission, SubmissionStatus.RUNNING)
    session.commit()
    try:
        image_digest = ""
        if track.kind == TrackKind.CODE:
            if runner is None:
                raise InfrastructureFailure("no sandbox runner is configured on this worker")
            output = run_code(settings, store, submission, runner)
            _record_run(store, submission, output.run)
            image_digest = output.run.image_digest or ""
            data = output.predictions
            invalid_class = FailureClass.OUTPUT_INVALID
        else:
            data = store.read_bytes(submission.file_sha256)
            invalid_class = FailureClass.INVALID_FILE
        transition(session, submission, SubmissionStatus.SCORING)
        session.commit()
        scratch = run_directory(settings, submission).with_name(f"{submission.id}-scoring")
        results = score_data(settings, store, submission, data, runner, scratch, invalid_class)
        save_scores(session, store, submission, results, image_digest=image_digest)
        transition(session, submission, SubmissionStatus.SCORED, failure_class=None, error_message="")
        events.submission_scored(session, submission, store=store, probing=ProbingRule.from_settings(settings))
    except ParticipantFailure as exc:
        _record_run(store, submission, exc.run)
        fail(session, submission, exc.failure, exc.message, template=exc.template, params=exc.params)
    except ScorerBroken as exc:
        log.error("scoring submission %s failed: %s", submission.id, exc)
        fail(
            session,
            submission,
            FailureClass.INFRASTRUCTURE,
            SCORER_BROKEN,
            detail=str(exc),
        )
    except (InfrastructureFailure, StorageUnavailable) as exc:
        # The store out of reach (hidden data or the upload could not be fetched) is the platform's failure too.
        if isinstance(exc, InfrastructureFailure):
            _record_run(store, submission, exc.run)
            detail = str(exc)
        else:
            detail = f"the file storage cannot be reached: {exc.detail}"
        if submission.attempts < settings.max_infra_retries:
            log.warning(
                "infrastructure failure on submission %s (attempt %s): %s", submission.id, submission.attempts, detail
            )
            transition(
                session,
                submission,
                SubmissionStatus.QUEUED,
                run_info={**submission.run_info, "last_infrastructure_error": detail[:1000]},
            )
            session.commit()
            return EvaluationOutcome(submission_id, SubmissionStatus.QUEUED, requeue=True)
        fail(
            session,
            submission,
            FailureClass.INFRASTRUCTURE,
            PLATFORM_GAVE_UP,
            detail=detail,
        )
    session.commit()
    if submission.status == SubmissionStatus.SCORED:
        events.scores_committed(session, store, submission.phase)
    _measure(settings, submission)
    return EvaluationOutcome(submission_id, SubmissionStatus(submission.status))
