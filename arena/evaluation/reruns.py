"""Provenance of scores and organizers' re-runs: does a submission reproduce its recorded score?

A re-run evaluates a submission again — code tracks run the archive in the sandbox again, result tracks
score the stored file again — and compares the outcome with the scores recorded under the phase's current
score version. It never changes the submission's status or scores; what it found is kept on the ``Rerun``.

A re-run on sealed data (a final's sealed test set) runs the code on those inputs instead of the phase's and
scores its predictions against that key on every row; it records the score and leaves the comparison to
whoever asked for it, since there is no recorded score on that data.
"""

from __future__ import annotations

import json
import logging
import math
import shutil
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from redis.exceptions import RedisError
from sqlalchemy import select
from sqlalchemy.orm import Session

from arena import audit
from arena.db import utcnow
from arena.enums import FailureClass, SubmissionStatus, TrackKind
from arena.errors import Conflict, NotFound, StorageUnavailable
from arena.evaluation.coderuns import InfrastructureFailure, ParticipantFailure, run_code
from arena.evaluation.dispatch import DEFAULT_CLASS, resource_class_of
from arena.evaluation.leases import lease_alive, rerun_subject
from arena.evaluation.pipeline import score_data
from arena.evaluation.queueing import enqueue_rerun, job_is_live, remove_orphaned_containers, rerun_job_id
from arena.evaluation.scoring import (
    InvalidPredictions,
    ScorerBroken,
    SplitScore,
    score_against_key,
    scorer_version,
)
from arena.models import Rerun, Score, Submission
from arena.settings import Settings
from arena.storage import BlobStore
from arena.submissions import current_scores
from arena.timestamps import rfc3339
from sandbox import Runner

log = logging.getLogger(__name__)

# Two scores are the same score when they differ by no more than this.
TOLERANCE = 1e-12


class RerunStatus(StrEnum):
    """A re-run's lifecycle: queued → running → done | failed (failed: the platform could not finish it)."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True)
class SealedData:
    """Hidden inputs and a key a re-run uses instead of the phase's own (a final's sealed test set)."""

    inputs_sha256: str
    labels_sha256: str

    @classmethod
    def from_detail(cls, detail: dict[str, Any] | None) -> SealedData | None:
        """Read the sealed data a re-run was requested on from its detail, or None."""
        raw = (detail or {}).get("sealed")
        if not isinstance(raw, dict):
            return None
        return cls(inputs_sha256=str(raw.get("inputs_sha256", "")), labels_sha256=str(raw.get("labels_sha256", "")))


@dataclass(frozen=True)
class ScoreProvenance:
    """Where one recorded score came from."""

    split: str
    version: int
    current: bool
    primary: float
    metrics: dict[str, float]
    cases: int
    submission_sha256: str
    scorer_name: str
    scorer_version: str
    scorer_options: dict[str, Any]
    labels_sha256: str
    image_digest: str
    per_case_sha256: str
    created_at: datetime

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict."""
        return {**asdict(self), "created_at": rfc3339(self.created_at)}


def provenance(session: Session, submission: Submission) -> list[ScoreProvenance]:
    """Return every recorded score of a submission with its provenance, newest version first."""
    rows = session.scalars(
        select(Score).where(Score.submission_id == submission.id).order_by(Score.version.desc(), Score.split)
    )
    current = submission.phase.score_version
    return [
        ScoreProvenance(
            split=row.split,
            version=row.version,
            current=row.version == current,
            primary=row.primary,
            metrics=dict(row.metrics or {}),
            cases=row.cases,
            submission_sha256=row.submission_sha256,
            scorer_name=row.scorer_name,
            scorer_version=row.scorer_version,
            scorer_options=dict(row.scorer_options or {}),
            labels_sha256=row.labels_sha256,
            image_digest=row.image_digest,
            per_case_sha256=row.per_case_sha256,
            created_at=row.created_at,
        )
        for row in rows
    ]


# -- requesting and reading --------------------------------------------------------------------------


def request_rerun(
    session: Session,
    settings: Settings,
    submission: Submission,
    *,
    actor_id: int | None,
    sealed: SealedData | None = None,
) -> Rerun:
    """Record a re-run of a finished submission (on ``sealed`` data when given), commit it and enqueue the job."""
    if submission.status not in (SubmissionStatus.SCORED, SubmissionStatus.FAILED):
        raise Conflict("only a scored or failed submission can be re-run; wait until it finishes")
    if sealed is not None and submission.phase.track.kind != TrackKind.CODE:
        raise Conflict("only a code submission can be re-run on sealed data")
    detail = {"sealed": asdict(sealed)} if sealed is not None else {}
    rerun = Rerun(submission_id=submission.id, requested_by_id=actor_id, status=RerunStatus.QUEUED, detail=detail)
    session.add(rerun)
    session.flush()
    audit.record(
        session,
        "submission.rerun_requested",
        actor_id=actor_id,
        challenge_id=submission.phase.track.challenge_id,
        target_type="submission",
        target_id=submission.id,
        rerun_id=rerun.id,
        sealed=sealed is not None,
    )
    session.commit()
    try:
        enqueue_rerun(settings, rerun.id, resource_class_of(submission.phase.track))
    except RedisError:
        log.warning("could not enqueue re-run %s", rerun.id)
        _finish(rerun, RerunStatus.FAILED, None, {"error": "the queue could not be reached; request the re-run again"})
        session.commit()
    return rerun


def get_rerun(session: Session, rerun_id: int) -> Rerun:
    """Return a re-run by id or raise NotFound."""
    rerun = session.get(Rerun, rerun_id)
    if rerun is None:
        raise NotFound("no re-run %(id)s", params={"id": rerun_id})
    return rerun


def submission_reruns(session: Session, submission_id: int) -> list[Rerun]:
    """Return a submission's re-runs, newest first."""
    query = select(Rerun).where(Rerun.submission_id == submission_id).order_by(Rerun.id.desc())
    return list(session.scalars(query))


def rerun_dict(rerun: Rerun) -> dict[str, Any]:
    """Return a JSON-safe description of a re-run (organizers only)."""
    return {
        "id": rerun.id,
        "submission_id": rerun.submission_id,
        "status": rerun.status,
        "reproduced": rerun.reproduced,
        "detail": dict(rerun.detail or {}),
        "created_at": rfc3339(rerun.created_at),
        "finished_at": rfc3339(rerun.finished_at),
    }


# -- executing ---------------------------------------------------------------------------------------


def _finish(rerun: Rerun, status: RerunStatus, reproduced: bool | None, detail: dict[str, Any]) -> None:
    rerun.status = status
    rerun.reproduced = reproduced
    rerun.detail = {**(rerun.detail or {}), **detail}
    rerun.finished_at = utcnow()


def _same(a: float, b: float) -> bool:
    if math.isnan(a) and math.isnan(b):
        return True
    return abs(a - b) <= TOLERANCE


def compare_scores(recorded: dict[str, Score], results: list[SplitScore]) -> tuple[bool, dict[str, Any]]:
    """Compare re-run split scores with recorded ones; return (reproduced, per-split detail)."""
    fresh = {str(r.split): r for r in results}
    splits: dict[str, Any] = {}
    reproduced = bool(recorded) and set(recorded) == set(fresh)
    for split in sorted(set(recorded) | set(fresh)):
        old, new = recorded.get(split), fresh.get(split)
        same = old is not None and new is not None and _same(old.primary, new.primary)
        reproduced = reproduced and same
        splits[split] = {
            "recorded": old.primary if old is not None else None,
            "rerun": new.primary if new is not None else None,
            "difference": abs(old.primary - new.primary) if old is not None and new is not None else None,
            "equal": same,
            "rerun_metrics": dict(new.metrics) if new is not None else {},
        }
    return reproduced, splits


def _predictions(  # noqa: PLR0913
    settings: Settings,
    store: BlobStore,
    submission: Submission,
    rerun: Rerun,
    runner: Runner | None,
    workdir: Path,
    sealed: SealedData | None,
) -> tuple[bytes, FailureClass, dict[str, Any]]:
    """Return the predictions to score, the failure class for invalid ones, and the run's record."""
    if submission.phase.track.kind != TrackKind.CODE:
        if sealed is not None:
            raise ScorerBroken("sealed data can only be used by a code track")
        return store.read_bytes(submission.file_sha256), FailureClass.INVALID_FILE, {}
    if runner is None:
        raise InfrastructureFailure("no sandbox runner is configured on this worker")
    output = run_code(
        settings,
        store,
        submission,
        runner,
        workdir=workdir,
        labels={"arena.rerun": str(rerun.id)},
        inputs_sha256=sealed.inputs_sha256 if sealed is not None else None,
    )
    return output.predictions, FailureClass.OUTPUT_INVALID, _run_record(store, output.run.to_dict())


def _sealed_score(store: BlobStore, submission: Submission, sealed: SealedData, data: bytes) -> dict[str, Any]:
    """Score the predictions against the sealed key on every row; the detail recorded under ``sealed``."""
    track = submission.phase.track
    if track.scoring_program_sha256:
        raise ScorerBroken("a sealed key is scored by a built-in scorer; this track has a scoring program")
    try:
        found = score_against_key(store, track, sealed.labels_sha256, data, max_bytes=track.max_upload_bytes)
    except InvalidPredictions as exc:
        raise ParticipantFailure(
            FailureClass.OUTPUT_INVALID, exc.message, template=exc.template, params=exc.params
        ) from None
    return {**asdict(sealed), "score": found.primary, "metrics": found.metrics, "cases": found.cases}


def _run_record(store: BlobStore, info: dict[str, Any]) -> dict[str, Any]:
    logs = {"stdout": info.pop("stdout", ""), "stderr": info.pop("stderr", "")}
    return {**info, "log_sha256": store.put_bytes(json.dumps(logs).encode())}


def execute_rerun(
    session: Session, settings: Settings, store: BlobStore, rerun_id: int, runner: Runner | None
) -> Rerun | None:
    """Run a queued re-run to the end and record whether it reproduced the recorded scores."""
    rerun = session.get(Rerun, rerun_id)
    if rerun is None or rerun.status in (RerunStatus.DONE, RerunStatus.FAILED):
        return rerun
    submission = session.get(Submission, rerun.submission_id)
    if submission is None:
        return None
    phase = submission.phase
    track = phase.track
    sealed = SealedData.from_detail(rerun.detail)
    rerun.status = RerunStatus.RUNNING
    session.commit()
    recorded = current_scores(session, submission) if submission.status == SubmissionStatus.SCORED else {}
    base: dict[str, Any] = {
        "version": phase.score_version,
        "recorded_status": submission.status,
        "recorded_failure_class": submission.failure_class,
        "recorded_image_digest": next((s.image_digest for s in recorded.values()), ""),
        "recorded_labels_sha256": next((s.labels_sha256 for s in recorded.values()), ""),
        "labels_sha256": sealed.labels_sha256 if sealed is not None else phase.labels_sha256,
        "submission_sha256": submission.file_sha256,
        "scorer_name": track.scorer,
    }
    workdir = Path(settings.data_dir).absolute() / "runs" / f"rerun-{rerun.id}"
    run: dict[str, Any] = {}
    try:
        base["scorer_version"] = (
            track.scoring_program_sha256[:12]
            if track.scoring_program_sha256
            else scorer_version(track.scorer, track.scorer_options)
        )
        data, invalid_class, run = _predictions(settings, store, submission, rerun, runner, workdir, sealed)
        found: dict[str, Any]
        if sealed is not None:
            reproduced, found = None, {"sealed": _sealed_score(store, submission, sealed, data)}
        else:
            scratch = workdir.with_name(f"rerun-{rerun.id}-scoring")
            results = score_data(settings, store, submission, data, runner, scratch, invalid_class)
            reproduced, splits = compare_scores(recorded, results)
            found = {"splits": splits}
    except ParticipantFailure as exc:
        run = run or (_run_record(store, exc.run.to_dict()) if exc.run is not None else {})
        same_failure = submission.status == SubmissionStatus.FAILED and submission.failure_class == exc.failure
        outcome = None if sealed is not None else same_failure
        _finish(rerun, RerunStatus.DONE, outcome, {**base, "failure_class": exc.failure, "run": run})
    except (InfrastructureFailure, ScorerBroken, StorageUnavailable) as exc:
        # The platform's trouble, not the submission's: the re-run says why and can be requested again.
        log.warning("re-run %s could not finish: %s", rerun.id, exc)
        _finish(rerun, RerunStatus.FAILED, None, {**base, "error": str(exc)[:2000], "run": run})
    except Exception as exc:
        log.exception("re-run %s failed", rerun.id)
        _finish(rerun, RerunStatus.FAILED, None, {**base, "error": type(exc).__name__, "run": run})
    else:
        image = str(run.get("image_digest") or "")
        _finish(rerun, RerunStatus.DONE, reproduced, {**base, **found, "image_digest": image, "run": run})
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    session.commit()
    return rerun


def reconcile_reruns(session: Session, settings: Settings, *, stale_after: timedelta = timedelta(seconds=30)) -> int:
    """Queue again the re-runs the queue lost or whose worker died (containers removed); return how many."""
    now = utcnow()
    count = 0
    pending = session.scalars(select(Rerun).where(Rerun.status.in_([RerunStatus.QUEUED, RerunStatus.RUNNING])))
    for rerun in list(pending):
        submission = session.get(Submission, rerun.submission_id)
        track = submission.phase.track if submission is not None else None
        if rerun.status == RerunStatus.QUEUED:
            if rerun.created_at > now - stale_after or job_is_live(settings, rerun_job_id(rerun.id)):
                continue
        else:
            if lease_alive(settings, rerun_subject(rerun.id), since=rerun.created_at):
                continue
            if track is not None and (track.kind == TrackKind.CODE or track.scoring_program_sha256):  # containers
                remove_orphaned_containers(settings, rerun.submission_id, rerun.id)
            rerun.status = RerunStatus.QUEUED
            session.commit()
        try:
            enqueue_rerun(settings, rerun.id, resource_class_of(track) if track is not None else DEFAULT_CLASS)
        except RedisError:
            log.warning("could not enqueue re-run %s again; will retry", rerun.id)
            continue
        log.info("re-enqueued re-run %s", rerun.id)
        count += 1
    session.commit()
    return count
