"""Integrity signals for organizers: identical files across teams and bursts of near-identical submissions.

Three kinds of signal are raised automatically (the third, ``adaptive_probing``, by ``arena.integrity.adaptive``):

- ``duplicate_file`` (at acceptance): the same bytes (sha256) were submitted by two or more teams of a
  challenge. Files that are one of the challenge's own public files (a sample submission, a starter kit)
  are ignored: submitting those is not collusion.
- ``near_duplicates`` (at scoring): within a sliding window, a team made many submissions whose per-case
  public values are nearly the same as another of its submissions — the pattern of probing the public
  split a few cases at a time. See ``ProbingRule`` for the thresholds.

A signal is only a pointer for a human; organizers dismiss it with a reason, and the dismissal is audited.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from arena import audit
from arena.db import utcnow
from arena.enums import Split, SubmissionStatus
from arena.errors import Conflict, InvalidInput, NotFound
from arena.models import ChallengeFile, IntegritySignal, Phase, Score, Submission, Track
from arena.settings import Settings
from arena.storage import BlobStore
from arena.timestamps import rfc3339

log = logging.getLogger(__name__)

# Values closer than this count as equal when comparing per-case vectors.
CASE_TOLERANCE = 1e-12
# How many of a team's recent submissions one scoring compares against, newest first.
MAX_COMPARED = 100


class SignalKind(StrEnum):
    """What an integrity signal points at."""

    DUPLICATE_FILE = "duplicate_file"
    NEAR_DUPLICATES = "near_duplicates"
    ADAPTIVE_PROBING = "adaptive_probing"


@dataclass(frozen=True)
class ProbingRule:
    """When a team's near-identical submissions are flagged.

    Two submissions are *near-identical* when their per-case values on the public split differ in fewer
    than ``max_cases`` cases, or in fewer than ``max_fraction`` of the public cases. A team is flagged when
    a newly scored submission is near-identical to at least ``min_submissions - 1`` of the team's other
    submissions in the phase made in the ``window`` before it (so ``min_submissions`` in all).
    """

    min_submissions: int = 5
    window: timedelta = timedelta(hours=24)
    max_cases: int = 3
    max_fraction: float = 0.01

    @classmethod
    def from_settings(cls, settings: Settings) -> ProbingRule:
        """Build the rule from the site's settings."""
        return cls(
            min_submissions=settings.probing_min_submissions,
            window=timedelta(hours=settings.probing_window_hours),
            max_cases=settings.probing_max_cases,
            max_fraction=settings.probing_max_fraction,
        )

    def is_near(self, differing: int, cases: int) -> bool:
        """Whether ``differing`` cases out of ``cases`` make two submissions near-identical."""
        return differing < self.max_cases or differing < self.max_fraction * cases


# -- duplicate files ---------------------------------------------------------------------------------


def _public_file_hashes(session: Session, challenge_id: int) -> set[str]:
    return set(session.scalars(select(ChallengeFile.sha256).where(ChallengeFile.challenge_id == challenge_id)))


def flag_duplicate_file(session: Session, submission: Submission) -> IntegritySignal | None:
    """Raise or extend a ``duplicate_file`` signal if another team submitted the same bytes; return it."""
    challenge_id = submission.phase.track.challenge_id
    sha = submission.file_sha256
    if sha in _public_file_hashes(session, challenge_id):
        return None
    same = session.execute(
        select(Submission.id, Submission.team_id)
        .join(Phase, Phase.id == Submission.phase_id)
        .join(Track, Track.id == Phase.track_id)
        .where(Submission.file_sha256 == sha, Track.challenge_id == challenge_id)
        .order_by(Submission.id)
    ).all()
    teams = sorted({team_id for _, team_id in same})
    if len(teams) < 2:
        return None
    ids = [submission_id for submission_id, _ in same]
    key = f"sha256:{sha}"
    signals = list(
        session.scalars(
            select(IntegritySignal).where(
                IntegritySignal.challenge_id == challenge_id,
                IntegritySignal.kind == SignalKind.DUPLICATE_FILE,
                IntegritySignal.key == key,
            )
        )
    )
    open_signal = next((s for s in signals if s.dismissed_at is None), None)
    reviewed_teams = {t for s in signals if s.dismissed_at is not None for t in s.team_ids}
    if open_signal is None and set(teams) <= reviewed_teams:
        # Organizers already looked at exactly these teams sharing this file.
        return None
    detail = {"sha256": sha, "file_name": submission.file_name, "teams": len(teams)}
    if open_signal is None:
        open_signal = IntegritySignal(
            challenge_id=challenge_id,
            phase_id=submission.phase_id,
            kind=SignalKind.DUPLICATE_FILE,
            key=key,
            team_ids=teams,
            submission_ids=ids,
            detail=detail,
        )
        session.add(open_signal)
    else:
        if open_signal.phase_id != submission.phase_id:
            open_signal.phase_id = None  # the file went to several phases
        open_signal.team_ids = teams
        open_signal.submission_ids = ids
        open_signal.detail = detail
    session.flush()
    log.info("duplicate file %s across teams %s in challenge %s", sha[:12], teams, challenge_id)
    return open_signal


# -- near-identical submissions ----------------------------------------------------------------------


def _per_case(store: BlobStore, sha: str) -> np.ndarray[Any, np.dtype[np.float64]] | None:
    if not sha or not store.exists(sha):
        return None
    values = np.load(io.BytesIO(store.read_bytes(sha)), allow_pickle=False)
    return np.asarray(values, dtype=np.float64).ravel()


def _differing(a: np.ndarray[Any, np.dtype[np.float64]], b: np.ndarray[Any, np.dtype[np.float64]]) -> int:
    both_nan = np.isnan(a) & np.isnan(b)
    return int(np.count_nonzero(~(np.abs(a - b) <= CASE_TOLERANCE) & ~both_nan))


def recent_public_scores(
    session: Session, submission: Submission, since: datetime, limit: int = MAX_COMPARED
) -> list[tuple[int, str, float]]:
    """The team's other scored submissions since ``since`` (newest ``limit`` first): id, per-case blob, public score."""
    phase = submission.phase
    rows = session.execute(
        select(Submission.id, Score.per_case_sha256, Score.primary)
        .join(Score, Score.submission_id == Submission.id)
        .where(
            Submission.phase_id == phase.id,
            Submission.team_id == submission.team_id,
            Submission.id != submission.id,
            Submission.status == SubmissionStatus.SCORED,
            Submission.created_at >= since,
            Submission.created_at <= submission.created_at,
            Score.split == Split.PUBLIC,
            Score.version == phase.score_version,
        )
        .order_by(Submission.created_at.desc(), Submission.id.desc())
        .limit(limit)
    ).all()
    return [(int(i), str(sha), float(primary)) for i, sha, primary in rows]


def flag_near_duplicates(
    session: Session, store: BlobStore, submission: Submission, rule: ProbingRule | None = None
) -> IntegritySignal | None:
    """Compare a just-scored submission with its team's recent ones and flag a probing pattern; return it."""
    rule = rule or ProbingRule()
    phase = submission.phase
    own = session.scalar(
        select(Score.per_case_sha256).where(
            Score.submission_id == submission.id, Score.split == Split.PUBLIC, Score.version == phase.score_version
        )
    )
    current = _per_case(store, own or "")
    if current is None or current.size == 0:
        return None
    near: dict[int, int] = {}
    for other_id, sha, _ in recent_public_scores(session, submission, submission.created_at - rule.window):
        values = _per_case(store, sha)
        if values is None or values.shape != current.shape:
            continue
        differing = _differing(current, values)
        if rule.is_near(differing, current.size):
            near[other_id] = differing
    if len(near) + 1 < rule.min_submissions:
        return None
    return _record_near_duplicates(session, submission, near, rule, int(current.size))


def _record_near_duplicates(
    session: Session, submission: Submission, near: dict[int, int], rule: ProbingRule, cases: int
) -> IntegritySignal:
    challenge_id = submission.phase.track.challenge_id
    key = f"phase:{submission.phase_id}:team:{submission.team_id}"
    signal = session.scalar(
        select(IntegritySignal).where(
            IntegritySignal.challenge_id == challenge_id,
            IntegritySignal.kind == SignalKind.NEAR_DUPLICATES,
            IntegritySignal.key == key,
            IntegritySignal.dismissed_at.is_(None),
        )
    )
    earlier_ids = list(signal.submission_ids or []) if signal is not None else []
    earlier_pairs = list((signal.detail or {}).get("pairs", [])) if signal is not None else []
    ids = sorted({*earlier_ids, submission.id, *near})
    pairs = [*earlier_pairs, *[[submission.id, other, d] for other, d in sorted(near.items())]]
    detail = {
        "submissions": len(ids),
        "public_cases": cases,
        "max_differing_cases": max(near.values()),
        "pairs": pairs[-200:],
        "rule": {
            "min_submissions": rule.min_submissions,
            "window_hours": rule.window.total_seconds() / 3600,
            "max_cases": rule.max_cases,
            "max_fraction": rule.max_fraction,
        },
    }
    if signal is None:
        signal = IntegritySignal(
            challenge_id=challenge_id,
            phase_id=submission.phase_id,
            kind=SignalKind.NEAR_DUPLICATES,
            key=key,
            team_ids=[submission.team_id],
            submission_ids=ids,
            detail=detail,
        )
        session.add(signal)
    else:
        signal.submission_ids = ids
        signal.detail = detail
    session.flush()
    log.info("near-identical submissions by team %s in phase %s: %s", submission.team_id, submission.phase_id, ids)
    return signal


def check_accepted(session: Session, submission: Submission) -> None:
    """Run the acceptance-time checks; a failing check is logged and never blocks the submission."""
    try:
        flag_duplicate_file(session, submission)
    except Exception:
        log.exception("duplicate-file check failed for submission %s", submission.id)


def check_scored(session: Session, store: BlobStore, submission: Submission, rule: ProbingRule | None) -> None:
    """Run the scoring-time checks; a failing check is logged and never blocks the score."""
    try:
        flag_near_duplicates(session, store, submission, rule)
    except Exception:
        log.exception("near-duplicate check failed for submission %s", submission.id)


# -- reviewing ---------------------------------------------------------------------------------------


def list_signals(session: Session, challenge_id: int, *, include_dismissed: bool = False) -> list[IntegritySignal]:
    """Return a challenge's signals, open ones first and newest first."""
    query = select(IntegritySignal).where(IntegritySignal.challenge_id == challenge_id)
    if not include_dismissed:
        query = query.where(IntegritySignal.dismissed_at.is_(None))
    rows = session.scalars(query.order_by(IntegritySignal.created_at.desc(), IntegritySignal.id.desc()))
    return sorted(rows, key=lambda s: s.dismissed_at is not None)


def get_signal(session: Session, signal_id: int) -> IntegritySignal:
    """Return a signal by id or raise NotFound."""
    signal = session.get(IntegritySignal, signal_id)
    if signal is None:
        raise NotFound("no integrity signal %(id)s", params={"id": signal_id})
    return signal


def dismiss_signal(session: Session, signal: IntegritySignal, *, reason: str, actor_id: int | None) -> None:
    """Close a signal with the reviewer's reason and record who did it in the audit log."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput("say why the signal is dismissed", field="reason")
    if signal.dismissed_at is not None:
        raise Conflict("this signal was already dismissed")
    signal.dismissed_at = utcnow()
    signal.dismissed_reason = reason[:2000]
    audit.record(
        session,
        "integrity_signal.dismissed",
        actor_id=actor_id,
        challenge_id=signal.challenge_id,
        target_type="integrity_signal",
        target_id=signal.id,
        kind=signal.kind,
        reason=signal.dismissed_reason,
    )


def signal_dict(signal: IntegritySignal) -> dict[str, Any]:
    """Return a JSON-safe description of a signal (organizers only)."""
    return {
        "id": signal.id,
        "challenge_id": signal.challenge_id,
        "phase_id": signal.phase_id,
        "kind": signal.kind,
        "key": signal.key,
        "team_ids": list(signal.team_ids),
        "submission_ids": list(signal.submission_ids),
        "detail": dict(signal.detail),
        "created_at": rfc3339(signal.created_at),
        "dismissed_at": rfc3339(signal.dismissed_at),
        "dismissed_reason": signal.dismissed_reason or None,
    }
