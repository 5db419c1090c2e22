"""Adaptive probing: the boosting attack (random label vectors, then their majority vote) raises a signal."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from arena.evaluation import intake
from arena.evaluation.pipeline import evaluate_submission
from arena.integrity import adaptive
from arena.models import Challenge, IntegritySignal, Phase, Score, Submission, User
from arena.settings import Settings
from arena.storage import BlobStore
from tests.factories import answers, first_phase, make_challenge, make_team, make_user

ROWS = 400
TRUTH = ["a" if i % 3 else "b" for i in range(ROWS)]
PROBES = 200  # the attack as described uses 400; 200 show the same pattern in half the time


@pytest.fixture
def challenge(session: Session, store: BlobStore, tmp_path: Path) -> Challenge:
    """A two-class challenge with 400 rows (about 200 public cases) and room for a long burst."""
    return make_challenge(session, store, tmp_path / "bundle", rows=ROWS, labels=TRUTH, daily_quota=1000)


def _submit(session: Session, settings: Settings, store: BlobStore, user: User, phase: Phase, values: list[str]) -> int:
    submission = intake.accept_upload(
        session, settings, store, user=user, phase=phase, stream=io.BytesIO(answers(values)), filename="sub.csv"
    )
    session.commit()
    evaluate_submission(session, settings, store, submission.id)
    return submission.id


def _public(session: Session, submission_id: int) -> float:
    found = session.scalar(select(Score.primary).where(Score.submission_id == submission_id, Score.split == "public"))
    assert found is not None
    return float(found)


def _signals(session: Session) -> list[IntegritySignal]:
    session.expire_all()
    return list(session.scalars(select(IntegritySignal).where(IntegritySignal.kind == "adaptive_probing")))


def test_the_boosting_attack_is_flagged_as_adaptive_probing(
    session: Session, settings: Settings, store: BlobStore, challenge: Challenge
) -> None:
    phase = first_phase(challenge)
    attacker = make_user(session, "attacker")
    make_team(session, attacker, challenge)
    rng = np.random.default_rng(7)
    probes: list[tuple[int, np.ndarray]] = []
    flagged_at = None
    for step in range(PROBES):
        labels = rng.integers(0, 2, ROWS)
        probes.append((_submit(session, settings, store, attacker, phase, ["ab"[v] for v in labels]), labels))
        if flagged_at is None and _signals(session):
            flagged_at = step + 1
    # Flagged as soon as 20 probes are in (a pair of random vectors is correlated by chance now and then).
    assert flagged_at is not None and flagged_at <= adaptive.AdaptiveRule().scattershot_min + 5
    [signal] = _signals(session)
    assert signal.detail["patterns"] == ["scattershot"] and signal.detail["unrelated"] >= 20
    # Blum & Hardt: vote over the probes that scored above the others; the vote climbs on the public split.
    scores = np.array([_public(session, sid) for sid, _ in probes])
    chosen = np.vstack([labels for (_, labels), s in zip(probes, scores, strict=True) if s > np.median(scores)])
    vote = (chosen.mean(axis=0) > 0.5).astype(int)
    vote_id = _submit(session, settings, store, attacker, phase, ["ab"[v] for v in vote])
    assert _public(session, vote_id) > scores.max(), "the attack works: the vote beats every probe in public"
    [signal] = _signals(session)
    assert signal.detail["patterns"] == ["majority_vote", "scattershot"]
    assert [v["submission_id"] for v in signal.detail["votes"]] == [vote_id]
    assert signal.detail["votes"][0]["fit"] >= adaptive.AdaptiveRule().vote_correlation
    assert vote_id in signal.submission_ids and signal.team_ids == [session.get(Submission, vote_id).team_id]


def test_an_honest_team_improving_steadily_is_not_flagged(
    session: Session, settings: Settings, store: BlobStore, challenge: Challenge
) -> None:
    phase = first_phase(challenge)
    honest = make_user(session, "honest")
    make_team(session, honest, challenge)
    rng = np.random.default_rng(3)
    truth = np.array([0 if t == "a" else 1 for t in TRUTH])
    # A first model right on 60% of the rows; each retraining fixes some of its errors and makes a few new ones,
    # so that late versions are near-perfect with a few scattered errors: uncorrelated, but not unrelated.
    current = np.where(rng.random(ROWS) < 0.6, truth, 1 - truth)
    for _ in range(60):
        wrong = np.flatnonzero(current != truth)
        current[rng.choice(wrong, size=min(len(wrong), 8), replace=False)] ^= 1
        current[rng.choice(ROWS, size=4, replace=False)] ^= 1
        _submit(session, settings, store, honest, phase, ["ab"[v] for v in current])
    assert _signals(session) == []


def test_unrelated_means_uncorrelated_and_at_the_same_level() -> None:
    rng = np.random.default_rng(0)
    a = (rng.random(2000) < 0.5).astype(float)
    b = (rng.random(2000) < 0.5).astype(float)
    assert adaptive.correlation(a, a) == pytest.approx(1.0)
    assert adaptive.correlation(a, np.ones(2000)) is None
    new = np.vstack([(rng.random(2000) < 0.5).astype(float) for _ in range(30)])
    vote = (new.mean(axis=0) > 0.5).astype(float)
    assert adaptive.vote_fit(vote, list(new), [float(v.mean()) for v in new], True) > 0.6
    assert adaptive.vote_fit(a, list(new), [float(v.mean()) for v in new], True) < 0.2
    rule = adaptive.AdaptiveRule()
    assert adaptive.uncorrelated(a, b, rule) and adaptive.same_level(a, b, rule.unrelated_z)
    assert not adaptive.uncorrelated(a, a, rule)
    # Two near-perfect vectors with a few scattered errors: uncorrelated, but they agree almost everywhere.
    good, better = np.ones(2000), np.ones(2000)
    good[[3, 900]] = 0.0
    better[[77, 1500]] = 0.0
    assert abs(adaptive.correlation(good, better) or 1.0) < 0.01 and not adaptive.uncorrelated(good, better, rule)
