"""Adaptive probing: the boosting attack on a public board (Blum & Hardt), flagged as an integrity signal.

The attack: submit many label vectors that carry no knowledge of the task (random ones), read each one's
public score, then submit the majority vote of those that scored above the others. Each probe scores near
chance; the vote climbs on the public split and stays at chance on the private one. The near-duplicate rule
of ``arena.integrity.signals`` does not see it, because the probes differ from one another everywhere.

What it looks like in the stored per-case public values (metric-agnostic: only correlations are used):

* ``scattershot`` — the probes are *unrelated* to one another: their per-case values differ on at least
  ``min_disagreement`` of the cases and their correlation is within ``unrelated_z`` standard errors
  (``unrelated_z / sqrt(cases)``) of 0 (*uncorrelated*), and their
  scores are within ``unrelated_z`` standard errors of one another (*at the same level*, near chance).
  Versions of one model are strongly correlated (they find the same cases easy and the same ones hard), so
  a team whose newly scored submission is unrelated to at least ``scattershot_min - 1`` of its submissions
  in the window is flagged.
* ``majority_vote`` — the vote is unrelated to each probe but follows their average: its per-case values
  correlate at least ``vote_correlation`` with the mean of at least ``vote_min`` of the team's earlier
  submissions uncorrelated with it (all of them, or the better-scoring half, which is what the attack votes over).

Both are pointers for a human (signal kind ``adaptive_probing``); see ``docs/rules.md`` for the thresholds.
"""

from __future__ import annotations

import functools
import logging
import math
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from arena.boards import Floats, higher_is_better, per_case_values
from arena.enums import Split
from arena.integrity.signals import SignalKind, recent_public_scores
from arena.models import IntegritySignal, Score, Submission
from arena.storage import BlobStore

log = logging.getLogger(__name__)

# How many of a team's recent submissions one scoring compares against, newest first.
MAX_COMPARED = 500
# Per-case values closer than this count as equal.
CASE_TOLERANCE = 1e-12
# Correlations are computed on at most this many public cases (evenly spaced), to bound the cost.
MAX_CASES = 4000


@dataclass(frozen=True)
class AdaptiveRule:
    """When a team's submissions look like the boosting attack (see the module docstring)."""

    window: timedelta = timedelta(hours=24)
    unrelated_z: float = 3.0
    min_disagreement: float = 0.2
    scattershot_min: int = 20
    vote_min: int = 10
    vote_correlation: float = 0.5

    def describe(self) -> dict[str, float]:
        """Return the thresholds as JSON-safe values, kept with each signal."""
        return {
            "window_hours": self.window.total_seconds() / 3600,
            "unrelated_z": self.unrelated_z,
            "min_disagreement": self.min_disagreement,
            "scattershot_min": self.scattershot_min,
            "vote_min": self.vote_min,
            "vote_correlation": self.vote_correlation,
        }


def correlation(a: Floats, b: Floats) -> float | None:
    """Return the Pearson correlation of two per-case vectors, or None if either is constant."""
    da, db = a - a.mean(), b - b.mean()
    scale = math.sqrt(float(da @ da) * float(db @ db))
    return None if scale == 0.0 else float(da @ db) / scale


def uncorrelated(new: Floats, other: Floats, rule: AdaptiveRule) -> bool:
    """Whether two per-case vectors disagree on many cases and their correlation is within noise of 0.

    Disagreement is required because a correlation says nothing when there is little to correlate: two
    near-perfect submissions with a few scattered errors each are uncorrelated, yet they agree almost
    everywhere; two label vectors that know nothing of the task disagree on about half the cases.
    """
    if float(np.mean(np.abs(new - other) > CASE_TOLERANCE)) < rule.min_disagreement:
        return False
    r = correlation(new, other)
    return r is not None and abs(r) <= rule.unrelated_z / math.sqrt(len(new))


def same_level(new: Floats, other: Floats, z: float) -> bool:
    """Whether two vectors' means are within ``z`` standard errors of their difference."""
    spread = math.sqrt((float(np.var(new)) + float(np.var(other))) / len(new))
    return abs(float(new.mean()) - float(other.mean())) <= z * spread


def vote_fit(new: Floats, voters: list[Floats], scores: list[float], descending: bool) -> float:
    """Return how closely ``new`` follows the average of ``voters`` (or of their better-scoring half)."""
    order = np.argsort(-np.asarray(scores) if descending else np.asarray(scores), kind="stable")
    best = [voters[i] for i in order[: max(1, len(voters) // 2)]]
    fits = [correlation(new, np.mean(np.vstack(group), axis=0)) for group in (voters, best)]
    return max((f for f in fits if f is not None), default=0.0)


@dataclass(frozen=True)
class Finding:
    """What one scoring found: the earlier submissions unrelated to the new one, and its fit to their vote.

    ``uncorrelated`` are the earlier submissions whose per-case values are uncorrelated with the new one's,
    ``unrelated`` those of them that also score at its level.
    """

    uncorrelated: list[int]
    unrelated: list[int]
    vote_fit: float
    cases: int

    def patterns(self, rule: AdaptiveRule) -> list[str]:
        """Return the patterns the finding shows under ``rule`` (empty if none)."""
        found = []
        if len(self.unrelated) + 1 >= rule.scattershot_min:
            found.append("scattershot")
        if len(self.uncorrelated) >= rule.vote_min and self.vote_fit >= rule.vote_correlation:
            found.append("majority_vote")
        return found


@functools.lru_cache(maxsize=8192)
def _sampled(store: BlobStore, sha256: str) -> Floats:
    values = per_case_values(store, sha256)
    if len(values) > MAX_CASES:
        values = values[np.linspace(0, len(values) - 1, MAX_CASES).astype(np.int64)]
    return values


def examine(session: Session, store: BlobStore, submission: Submission, rule: AdaptiveRule) -> Finding | None:
    """Compare a just-scored submission with its team's recent ones (None without per-case public values)."""
    phase = submission.phase
    own = session.scalar(
        select(Score.per_case_sha256).where(
            Score.submission_id == submission.id, Score.split == Split.PUBLIC, Score.version == phase.score_version
        )
    )
    new = _sampled(store, own or "")
    if len(new) < 2:
        return None
    quiet: list[int] = []
    unrelated: list[int] = []
    voters: list[Floats] = []
    scores: list[float] = []
    for other_id, sha, primary in recent_public_scores(
        session, submission, submission.created_at - rule.window, MAX_COMPARED
    ):
        values = _sampled(store, sha)
        if values.shape != new.shape or not uncorrelated(new, values, rule):
            continue
        quiet.append(other_id)
        voters.append(values)
        scores.append(primary)
        if same_level(new, values, rule.unrelated_z):
            unrelated.append(other_id)
    fit = vote_fit(new, voters, scores, higher_is_better(phase)) if len(voters) >= rule.vote_min else 0.0
    return Finding(uncorrelated=quiet, unrelated=unrelated, vote_fit=fit, cases=len(new))


def flag_adaptive_probing(
    session: Session, store: BlobStore, submission: Submission, rule: AdaptiveRule | None = None
) -> IntegritySignal | None:
    """Raise or extend an ``adaptive_probing`` signal if the team's submissions look like the boosting attack."""
    rule = rule or AdaptiveRule()
    finding = examine(session, store, submission, rule)
    patterns = finding.patterns(rule) if finding is not None else []
    if finding is None or not patterns:
        return None
    challenge_id = submission.phase.track.challenge_id
    key = f"phase:{submission.phase_id}:team:{submission.team_id}"
    signal = session.scalar(
        select(IntegritySignal).where(
            IntegritySignal.challenge_id == challenge_id,
            IntegritySignal.kind == SignalKind.ADAPTIVE_PROBING,
            IntegritySignal.key == key,
            IntegritySignal.dismissed_at.is_(None),
        )
    )
    earlier = dict(signal.detail or {}) if signal is not None else {}
    votes = list(earlier.get("votes", []))
    if "majority_vote" in patterns:
        votes = [*votes, {"submission_id": submission.id, "fit": round(finding.vote_fit, 3)}][-50:]
    ids = sorted({*(signal.submission_ids if signal is not None else []), submission.id, *finding.uncorrelated})
    detail = {
        "patterns": sorted({*earlier.get("patterns", []), *patterns}),
        "submissions": len(ids),
        "unrelated": max(int(earlier.get("unrelated", 0)), len(finding.unrelated) + 1),
        "votes": votes,
        "public_cases": finding.cases,
        "rule": rule.describe(),
    }
    if signal is None:
        signal = IntegritySignal(
            challenge_id=challenge_id,
            phase_id=submission.phase_id,
            kind=SignalKind.ADAPTIVE_PROBING,
            key=key,
            team_ids=[submission.team_id],
        )
        session.add(signal)
    signal.submission_ids = ids[-1000:]
    signal.detail = detail
    session.flush()
    log.info("adaptive probing (%s) by team %s in phase %s", patterns, submission.team_id, submission.phase_id)
    return signal


def check_adaptive_probing(
    session: Session, store: BlobStore, submission: Submission, rule: AdaptiveRule | None
) -> None:
    """Run the adaptive-probing check at scoring; a failing check is logged and never blocks the score."""
    try:
        flag_adaptive_probing(session, store, submission, rule)
    except Exception:
        log.exception("adaptive-probing check failed for submission %s", submission.id)
