"""Integrity signals: identical files across teams, probing bursts by one team, audited dismissal."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from arena.db import utcnow
from arena.errors import Conflict, InvalidInput
from arena.evaluation import intake
from arena.evaluation.pipeline import evaluate_submission
from arena.integrity import signals as integrity
from arena.models import AuditEvent, Challenge, IntegritySignal, Phase, Submission, User
from arena.settings import Settings
from arena.storage import BlobStore
from tests.factories import answers, first_phase, make_challenge, make_team, make_user

ROWS = 200
TRUTH = ["a" if i % 3 else "b" for i in range(ROWS)]


def _accept(
    session: Session, settings: Settings, store: BlobStore, user: User, phase: Phase, data: bytes
) -> Submission:
    return intake.accept_upload(
        session, settings, store, user=user, phase=phase, stream=io.BytesIO(data), filename="sub.csv"
    )


@pytest.fixture
def challenge(session: Session, store: BlobStore, tmp_path: Path) -> Challenge:
    """A toy challenge with 200 rows and a generous quota."""
    return make_challenge(session, store, tmp_path / "bundle", labels=TRUTH, daily_quota=50)


def _signals(session: Session, kind: str) -> list[IntegritySignal]:
    session.expire_all()
    return list(session.scalars(select(IntegritySignal).where(IntegritySignal.kind == kind)))


def test_the_same_file_from_two_teams_is_flagged(
    session: Session, settings: Settings, store: BlobStore, challenge: Challenge
) -> None:
    phase = first_phase(challenge)
    alice, bob, carol = (make_user(session, name) for name in ("alice", "bob", "carol"))
    for user in (alice, bob, carol):
        make_team(session, user, challenge)
    data = answers(["b"] * 10 + ["a"] * (ROWS - 10))
    first = _accept(session, settings, store, alice, phase, data)
    _accept(session, settings, store, alice, phase, data)
    assert _signals(session, "duplicate_file") == []  # one team resubmitting its own file is not collusion
    second = _accept(session, settings, store, bob, phase, data)
    [signal] = _signals(session, "duplicate_file")
    assert signal.team_ids == sorted([first.team_id, second.team_id])
    assert second.id in signal.submission_ids and first.id in signal.submission_ids
    assert signal.detail["sha256"] == first.file_sha256 and signal.phase_id == phase.id
    third = _accept(session, settings, store, carol, phase, data)
    [signal] = _signals(session, "duplicate_file")
    assert third.team_id in signal.team_ids and len(signal.team_ids) == 3


def test_a_public_file_submitted_as_is_is_not_flagged(
    session: Session, settings: Settings, store: BlobStore, challenge: Challenge, tmp_path: Path
) -> None:
    phase = first_phase(challenge)
    sample = (tmp_path / "bundle" / "public" / "sample_submission.csv").read_bytes()
    for name in ("alice", "bob"):
        user = make_user(session, name)
        make_team(session, user, challenge)
        _accept(session, settings, store, user, phase, sample)
    assert _signals(session, "duplicate_file") == []


def test_dismissal_is_audited_and_only_new_teams_reopen_it(
    session: Session, settings: Settings, store: BlobStore, challenge: Challenge
) -> None:
    phase = first_phase(challenge)
    users = [make_user(session, name) for name in ("alice", "bob", "carol")]
    for user in users:
        make_team(session, user, challenge)
    data = answers(["b"] * ROWS)
    _accept(session, settings, store, users[0], phase, data)
    _accept(session, settings, store, users[1], phase, data)
    [signal] = _signals(session, "duplicate_file")
    with pytest.raises(InvalidInput):
        integrity.dismiss_signal(session, signal, reason="  ", actor_id=users[0].id)
    integrity.dismiss_signal(session, signal, reason="same lab, declared in advance", actor_id=users[2].id)
    session.commit()
    with pytest.raises(Conflict):
        integrity.dismiss_signal(session, signal, reason="again", actor_id=users[2].id)
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "integrity_signal.dismissed"))
    assert event is not None and event.target_id == signal.id and event.actor_id == users[2].id
    assert event.data["reason"] == "same lab, declared in advance"
    assert integrity.list_signals(session, challenge.id) == []
    _accept(session, settings, store, users[1], phase, data)  # the same two teams again: already reviewed
    assert [s.dismissed_at is None for s in _signals(session, "duplicate_file")] == [False]
    _accept(session, settings, store, users[2], phase, data)  # a third team: a fresh signal
    open_signals = integrity.list_signals(session, challenge.id)
    assert len(open_signals) == 1 and len(open_signals[0].team_ids) == 3


def _flip(values: list[str], index: int) -> list[str]:
    flipped = list(values)
    flipped[index] = "b" if flipped[index] == "a" else "a"
    return flipped


def _scored(
    session: Session,
    settings: Settings,
    store: BlobStore,
    user: User,
    phase: Phase,
    values: list[str],
    minutes_ago: int,
) -> Submission:
    submission = _accept(session, settings, store, user, phase, answers(values))
    submission.created_at = utcnow() - timedelta(minutes=minutes_ago)
    session.commit()
    evaluate_submission(session, settings, store, submission.id)
    return submission


def test_a_burst_of_near_identical_submissions_is_flagged(
    session: Session, settings: Settings, store: BlobStore, challenge: Challenge
) -> None:
    phase = first_phase(challenge)
    prober = make_user(session, "prober")
    make_team(session, prober, challenge)
    base = list(TRUTH)
    made = []
    # A base file, then probes each flipping one different case: the classic way to read the public labels.
    for step in range(5):
        values = base if step == 0 else _flip(base, step * 7)
        made.append(_scored(session, settings, store, prober, phase, values, minutes_ago=60 - step))
        expected = 1 if step == 4 else 0
        assert len(_signals(session, "near_duplicates")) == expected, step
    [signal] = _signals(session, "near_duplicates")
    assert signal.team_ids == [made[0].team_id] and signal.phase_id == phase.id
    assert sorted(signal.submission_ids) == sorted(s.id for s in made)
    assert signal.detail["rule"]["min_submissions"] == 5 and signal.detail["max_differing_cases"] <= 2
    # Another probe extends the same open signal instead of opening a new one.
    made.append(_scored(session, settings, store, prober, phase, _flip(base, 50), minutes_ago=10))
    [signal] = _signals(session, "near_duplicates")
    assert made[-1].id in signal.submission_ids


def test_distinct_models_and_old_submissions_are_not_flagged(
    session: Session, settings: Settings, store: BlobStore, challenge: Challenge
) -> None:
    phase = first_phase(challenge)
    honest = make_user(session, "honest")
    make_team(session, honest, challenge)
    # Five genuinely different prediction files (each differs from the others in many cases).
    for step in range(5):
        values = ["a" if (i * (step + 3)) % (step + 2) else "b" for i in range(ROWS)]
        _scored(session, settings, store, honest, phase, values, minutes_ago=60 - step)
    assert _signals(session, "near_duplicates") == []
    slow = make_user(session, "slow")
    make_team(session, slow, challenge)
    # Near-identical, but spread over five days: outside the 24-hour window.
    for step in range(5):
        _scored(session, settings, store, slow, phase, _flip(TRUTH, step), minutes_ago=(5 - step) * 26 * 60)
    assert _signals(session, "near_duplicates") == []


def test_the_rule_reads_settings_and_counts_cases() -> None:
    rule = integrity.ProbingRule.from_settings(
        Settings(probing_min_submissions=3, probing_window_hours=6, probing_max_cases=2, probing_max_fraction=0.05)
    )
    assert rule.min_submissions == 3 and rule.window == timedelta(hours=6)
    assert rule.is_near(1, 10) and not rule.is_near(2, 10)
    assert rule.is_near(4, 100) and not rule.is_near(5, 100)
    assert integrity.ProbingRule().is_near(2, 50) and not integrity.ProbingRule().is_near(3, 50)
