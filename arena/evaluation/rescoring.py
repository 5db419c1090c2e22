"""Rescoring: sending a phase's scored submissions back through evaluation under a new score version.

A rescore happens when the hidden key or the scorer changes (a bundle re-import bumps the phase's
``score_version``) or when an organizer asks for it. Each rescore is a ``RescoreRun`` listing the
submissions it covers; its progress is derived from the database, never counted separately: a
submission is done once it has a score row of the run's version, or has failed. Earlier versions'
score rows stay, so what a board showed before can always be reconstructed.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from redis.exceptions import RedisError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from arena import audit
from arena.db import utcnow
from arena.enums import SubmissionStatus
from arena.errors import NotFound
from arena.evaluation.queueing import enqueue_evaluation
from arena.models import Phase, RescoreRun, Score, Submission
from arena.settings import Settings
from arena.submissions import transition
from arena.timestamps import rfc3339

log = logging.getLogger(__name__)


def requeue_for_rescoring(session: Session, settings: Settings, submission_ids: Iterable[int]) -> int:
    """Queue each scored submission again (its old scores stay, under their version); return how many.

    If the queue is unreachable the submission stays queued in the database and the reconciler
    enqueues it later.
    """
    count = 0
    for submission_id in submission_ids:
        submission = session.get(Submission, submission_id)
        if submission is None or submission.status != SubmissionStatus.SCORED:
            continue
        transition(session, submission, SubmissionStatus.QUEUED)
        session.commit()
        count += 1
        try:
            submission.job_id = enqueue_evaluation(settings, submission)
        except RedisError:
            log.warning("could not enqueue rescoring of submission %s; the reconciler will retry", submission.id)
            continue
        session.commit()
    return count


def _create_run(
    session: Session, phase: Phase, submission_ids: list[int], *, reason: str, requested_by_id: int | None
) -> RescoreRun:
    run = RescoreRun(
        phase_id=phase.id,
        version=phase.score_version,
        reason=reason.strip()[:2000],
        total=len(submission_ids),
        submission_ids=sorted(submission_ids),
        requested_by_id=requested_by_id,
        finished_at=utcnow() if not submission_ids else None,
    )
    session.add(run)
    session.flush()
    audit.record(
        session,
        "phase.rescore_started",
        actor_id=requested_by_id,
        challenge_id=phase.track.challenge_id,
        target_type="phase",
        target_id=phase.id,
        rescore_run_id=run.id,
        version=run.version,
        submissions=run.total,
        reason=run.reason,
    )
    return run


def rescore_phase(
    session: Session, settings: Settings, phase: Phase, *, reason: str, requested_by_id: int | None
) -> RescoreRun:
    """Start a new score version for the phase and rescore every scored submission under it."""
    phase.score_version = (phase.score_version or 1) + 1
    ids = set(
        session.scalars(
            select(Submission.id).where(Submission.phase_id == phase.id, Submission.status == SubmissionStatus.SCORED)
        )
    )
    # Submissions still on their way through an earlier, now superseded rescore finish under the new version.
    for earlier in session.scalars(
        select(RescoreRun).where(RescoreRun.phase_id == phase.id, RescoreRun.finished_at.is_(None))
    ):
        pending = session.scalars(
            select(Submission.id).where(
                Submission.id.in_(list(earlier.submission_ids or [])),
                Submission.status.in_([SubmissionStatus.QUEUED, SubmissionStatus.RUNNING, SubmissionStatus.SCORING]),
            )
        )
        ids.update(pending)
    run = _create_run(session, phase, sorted(ids), reason=reason, requested_by_id=requested_by_id)
    session.commit()
    requeue_for_rescoring(session, settings, run.submission_ids)
    return run


def rescore_imported(
    session: Session, settings: Settings, submission_ids: Iterable[int], *, reason: str, requested_by_id: int | None
) -> list[RescoreRun]:
    """Rescore what a bundle import reported (its phases' versions are already bumped); one run per phase."""
    by_phase: dict[int, list[int]] = defaultdict(list)
    rows = session.execute(select(Submission.id, Submission.phase_id).where(Submission.id.in_(list(submission_ids))))
    for submission_id, phase_id in rows:
        by_phase[phase_id].append(submission_id)
    runs = []
    for phase_id, ids in sorted(by_phase.items()):
        phase = session.get(Phase, phase_id)
        assert phase is not None
        runs.append(_create_run(session, phase, ids, reason=reason, requested_by_id=requested_by_id))
    session.commit()
    for run in runs:
        requeue_for_rescoring(session, settings, run.submission_ids)
    return runs


@dataclass(frozen=True)
class RescoreProgress:
    """How far a rescore has come."""

    id: int
    phase_id: int
    version: int
    reason: str
    total: int
    scored: int
    failed: int
    created_at: datetime
    finished_at: datetime | None
    superseded: bool = False

    @property
    def done(self) -> int:
        """Submissions that need no more work: rescored under the run's version, or failed."""
        return self.scored + self.failed

    @property
    def percent(self) -> int:
        """Progress as a whole percentage."""
        return 100 if self.total == 0 else int(100 * self.done / self.total)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict."""
        return {
            "id": self.id,
            "phase_id": self.phase_id,
            "version": self.version,
            "reason": self.reason,
            "total": self.total,
            "done": self.done,
            "scored": self.scored,
            "failed": self.failed,
            "percent": self.percent,
            "superseded": self.superseded,
            "created_at": rfc3339(self.created_at),
            "finished_at": rfc3339(self.finished_at),
        }


def rescore_progress(session: Session, run: RescoreRun) -> RescoreProgress:
    """Derive a run's progress from its submissions; stamp ``finished_at`` once all are done."""
    ids = list(run.submission_ids or [])
    scored = failed = 0
    if ids:
        scored = (
            session.scalar(
                select(func.count(func.distinct(Score.submission_id))).where(
                    Score.submission_id.in_(ids), Score.version == run.version
                )
            )
            or 0
        )
        failed = (
            session.scalar(
                select(func.count(Submission.id)).where(
                    Submission.id.in_(ids),
                    Submission.status == SubmissionStatus.FAILED,
                    ~Submission.id.in_(select(Score.submission_id).where(Score.version == run.version)),
                )
            )
            or 0
        )
    if run.finished_at is None and scored + failed >= run.total:
        run.finished_at = utcnow()
    phase = session.get(Phase, run.phase_id)
    # A later score version takes over this run's unfinished submissions.
    superseded = run.finished_at is None and phase is not None and phase.score_version > run.version
    return RescoreProgress(
        id=run.id,
        phase_id=run.phase_id,
        version=run.version,
        reason=run.reason,
        total=run.total,
        scored=scored,
        failed=failed,
        created_at=run.created_at,
        finished_at=run.finished_at,
        superseded=superseded,
    )


def phase_rescores(session: Session, phase_id: int) -> list[RescoreProgress]:
    """Return the progress of every rescore of a phase, newest first (the caller commits)."""
    runs = session.scalars(select(RescoreRun).where(RescoreRun.phase_id == phase_id).order_by(RescoreRun.id.desc()))
    return [rescore_progress(session, run) for run in runs]


def get_run(session: Session, run_id: int) -> RescoreRun:
    """Return a rescore run by id or raise NotFound."""
    run = session.get(RescoreRun, run_id)
    if run is None:
        raise NotFound("no rescore run %(id)s", params={"id": run_id})
    return run
