"""Quotas per team and phase: daily with a UTC reset, total, and what does not count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from arena.challenges.quotas import quota_status
from arena.enums import FailureClass, SubmissionStatus
from arena.errors import QuotaExceeded
from arena.storage import BlobStore
from arena.submissions.lifecycle import fail, transition
from tests.factories import answers, first_phase, make_challenge, make_team, make_user, upload

NOON = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def _setup(session: Session, store: BlobStore, tmp_path: Path, **options: object):  # type: ignore[no-untyped-def]
    challenge = make_challenge(
        session, store, tmp_path / "b", opens=NOON - timedelta(days=3), closes=NOON + timedelta(days=3), **options
    )
    user = make_user(session, "alice")
    team = make_team(session, user, challenge)
    return first_phase(challenge), user, team


def test_daily_quota_and_its_reset(session: Session, store: BlobStore, tmp_path: Path) -> None:
    phase, user, team = _setup(session, store, tmp_path, daily_quota=2)
    for minute in range(2):
        upload(session, store, user, phase, answers(["a"] * 20), now=NOON + timedelta(minutes=minute))
    status = quota_status(session, team.id, phase, NOON + timedelta(minutes=5))
    assert (status.used_today, status.remaining_today, status.allowed_now) == (2, 0, False)
    midnight = datetime(2026, 11, 23, tzinfo=UTC)
    assert status.resets_at == midnight and status.next_allowed_at == midnight
    with pytest.raises(QuotaExceeded) as caught:
        upload(session, store, user, phase, answers(["b"] * 20), now=NOON + timedelta(minutes=6))
    session.rollback()
    assert caught.value.retry_at == midnight
    assert "2026-11-23T00:00:00Z" in caught.value.message
    # After the reset the team may submit again.
    upload(session, store, user, phase, answers(["b"] * 20), now=midnight + timedelta(seconds=1))


def test_total_quota(session: Session, store: BlobStore, tmp_path: Path) -> None:
    phase, user, team = _setup(session, store, tmp_path, daily_quota=5, total_quota=2)
    upload(session, store, user, phase, answers(["a"] * 20), now=NOON - timedelta(days=1))
    upload(session, store, user, phase, answers(["a"] * 20), now=NOON)
    with pytest.raises(QuotaExceeded, match="all 2 submissions") as caught:
        upload(session, store, user, phase, answers(["a"] * 20), now=NOON + timedelta(days=1))
    assert caught.value.retry_at is None


def test_infrastructure_failures_and_cancels_do_not_count(session: Session, store: BlobStore, tmp_path: Path) -> None:
    phase, user, team = _setup(session, store, tmp_path, daily_quota=2)
    broken = upload(session, store, user, phase, answers(["a"] * 20), now=NOON)
    transition(session, broken, SubmissionStatus.RUNNING)
    fail(session, broken, FailureClass.INFRASTRUCTURE, "engine down")
    bad = upload(session, store, user, phase, answers(["a"] * 20), now=NOON)
    transition(session, bad, SubmissionStatus.RUNNING)
    fail(session, bad, FailureClass.INVALID_FILE, "bad file")
    session.commit()
    status = quota_status(session, team.id, phase, NOON)
    assert status.used_today == 1 and status.remaining_today == 1


def test_no_retry_time_when_the_phase_closes_before_the_reset(
    session: Session, store: BlobStore, tmp_path: Path
) -> None:
    challenge = make_challenge(
        session, store, tmp_path / "b", opens=NOON - timedelta(days=1), closes=NOON + timedelta(hours=2), daily_quota=1
    )
    user = make_user(session, "alice")
    team = make_team(session, user, challenge)
    phase = first_phase(challenge)
    upload(session, store, user, phase, answers(["a"] * 20), now=NOON)
    status = quota_status(session, team.id, phase, NOON)
    assert not status.allowed_now and status.next_allowed_at is None
