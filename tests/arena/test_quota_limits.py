"""Concurrent runs, the per-person daily cap, and whether participant failures count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy.orm import Session

from arena.challenges.bundles import import_bundle
from arena.challenges.quotas import CONCURRENT_RETRY_SECONDS, QuotaLimit, check_quota, quota_status
from arena.enums import FailureClass, SubmissionStatus
from arena.errors import QuotaExceeded
from arena.storage import BlobStore
from arena.submissions.lifecycle import fail, transition
from arena.teams import merges
from tests.factories import answers, first_phase, make_challenge, make_team, make_user, upload

NOON = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
MIDNIGHT = datetime(2026, 11, 23, tzinfo=UTC)


def _challenge(session: Session, store: BlobStore, tmp_path: Path, phase: dict[str, object], **top: object):  # type: ignore[no-untyped-def]
    challenge = make_challenge(
        session,
        store,
        tmp_path / "b",
        opens=NOON - timedelta(days=3),
        closes=NOON + timedelta(days=3),
        daily_quota=10,
        overrides=top or None,
    )
    if phase:
        # Phase keys the factory does not know are set through a re-import of the edited bundle.
        path = tmp_path / "b" / "challenge.yaml"
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        spec["tracks"][0]["phases"][0].update(phase)
        path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
        import_bundle(session, store, tmp_path / "b")
        session.commit()
    return challenge


def test_concurrent_runs_are_capped(session: Session, store: BlobStore, tmp_path: Path) -> None:
    challenge = _challenge(session, store, tmp_path, {"concurrent_quota": 2})
    phase = first_phase(challenge)
    user = make_user(session, "ann")
    team = make_team(session, user, challenge)
    first = upload(session, store, user, phase, answers(["a"] * 20), now=NOON)
    second = upload(session, store, user, phase, answers(["a"] * 20), now=NOON)
    transition(session, second, SubmissionStatus.RUNNING)
    session.commit()
    with pytest.raises(QuotaExceeded, match=r"2 submissions queued or running, the most this phase allows \(2\)") as e:
        upload(session, store, user, phase, answers(["a"] * 20), now=NOON)
    session.rollback()
    assert e.value.retry_at == NOON + timedelta(seconds=CONCURRENT_RETRY_SECONDS)
    status = quota_status(session, team.id, phase, NOON)
    assert (status.in_flight, status.remaining_concurrent, status.blocked_by) == (2, 0, QuotaLimit.CONCURRENT)
    transition(session, first, SubmissionStatus.RUNNING)
    fail(session, first, FailureClass.CRASHED, "boom")
    session.commit()
    upload(session, store, user, phase, answers(["a"] * 20), now=NOON)


def test_one_person_cannot_submit_more_through_another_team(session: Session, store: BlobStore, tmp_path: Path) -> None:
    challenge = _challenge(session, store, tmp_path, {}, person_daily_quota=2)
    assert challenge.person_daily_quota == 2
    phase = first_phase(challenge)
    ann, ben = make_user(session, "ann"), make_user(session, "ben")
    alpha, beta = make_team(session, ann, challenge, "alpha"), make_team(session, ben, challenge, "beta")
    upload(session, store, ann, phase, answers(["a"] * 20), now=NOON)
    # ann's team merges into ben's; what she submitted today still counts for her.
    merges.accept_merge(session, store, ben, merges.request_merge(session, ann, alpha, beta, NOON), NOON)
    session.commit()
    upload(session, store, ann, phase, answers(["a"] * 20), now=NOON)
    status = quota_status(session, beta.id, phase, NOON, user_id=ann.id)
    assert (status.person_used_today, status.person_remaining_today, status.remaining_today) == (2, 0, 0)
    with pytest.raises(QuotaExceeded, match="across all teams") as caught:
        upload(session, store, ann, phase, answers(["a"] * 20), now=NOON)
    session.rollback()
    assert caught.value.retry_at == MIDNIGHT
    # The team is not blocked: ben still has his own allowance.
    upload(session, store, ben, phase, answers(["a"] * 20), now=NOON)
    upload(session, store, ann, phase, answers(["a"] * 20), now=MIDNIGHT + timedelta(minutes=1))


def test_person_cap_counts_every_phase_of_the_challenge(session: Session, store: BlobStore, tmp_path: Path) -> None:
    challenge = _challenge(session, store, tmp_path, {}, person_daily_quota=1)
    phase = first_phase(challenge)
    ann = make_user(session, "ann")
    team = make_team(session, ann, challenge)
    upload(session, store, ann, phase, answers(["a"] * 20), now=NOON)
    with pytest.raises(QuotaExceeded):
        check_quota(session, team.id, phase, NOON, user_id=ann.id)
    # Without a person the team's own position is reported.
    assert check_quota(session, team.id, phase, NOON).allowed_now


@pytest.mark.parametrize("counts", [True, False])
def test_participant_failures_count_as_the_organizer_chooses(
    session: Session, store: BlobStore, tmp_path: Path, counts: bool
) -> None:
    challenge = _challenge(session, store, tmp_path, {"count_participant_failures": counts, "daily_quota": 3})
    phase = first_phase(challenge)
    assert phase.count_participant_failures is counts
    user = make_user(session, "ann")
    team = make_team(session, user, challenge)
    for failure in (FailureClass.INVALID_FILE, FailureClass.CRASHED, FailureClass.INFRASTRUCTURE):
        submission = upload(session, store, user, phase, answers(["a"] * 20), now=NOON)
        transition(session, submission, SubmissionStatus.RUNNING)
        fail(session, submission, failure, "failed")
    session.commit()
    status = quota_status(session, team.id, phase, NOON)
    # Infrastructure failures never count; the participant's two count only when the phase says so.
    assert status.used_today == (2 if counts else 0)
    assert status.counts_participant_failures is counts
