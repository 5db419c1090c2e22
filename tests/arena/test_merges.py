"""Merging teams: size cap, the submission allowance by date, the deadline, and what moves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from arena.boards.ranking import leaderboard
from arena.challenges.quotas import allowance_by
from arena.enums import RequestStatus, Split, SubmissionStatus, TeamStatus
from arena.errors import Conflict, Forbidden, InvalidTransition
from arena.models import AuditEvent, LeaderboardEntry, Score, Submission
from arena.storage import BlobStore
from arena.submissions.lifecycle import transition
from arena.teams import membership as teams
from arena.teams import merges
from tests.factories import answers, first_phase, make_challenge, make_team, make_user, upload

OPENS = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


def _setup(session: Session, store: BlobStore, tmp_path: Path, **options: object):  # type: ignore[no-untyped-def]
    options = {"daily_quota": 2, "team_size_max": 3, **options}
    challenge = make_challenge(
        session,
        store,
        tmp_path / "b",
        opens=OPENS,
        closes=OPENS + timedelta(days=30),
        **options,
    )
    ann, ben, cat = (make_user(session, n) for n in ("ann", "ben", "cat"))
    a = make_team(session, ann, challenge, "alpha")
    b = make_team(session, ben, challenge, "beta")
    return challenge, first_phase(challenge), (ann, ben, cat), a, b


def test_allowance_counts_utc_days_inclusive() -> None:
    class P:
        opens_at = OPENS
        closes_at = OPENS + timedelta(days=5)
        daily_quota = 3
        total_quota: int | None = None

    phase = P()
    assert allowance_by(phase, OPENS - timedelta(seconds=1)) == 0  # type: ignore[arg-type]
    assert allowance_by(phase, OPENS) == 3  # type: ignore[arg-type]
    assert allowance_by(phase, datetime(2026, 11, 2, 0, 0, tzinfo=UTC)) == 6  # type: ignore[arg-type]
    assert allowance_by(phase, OPENS + timedelta(days=40)) == 18  # type: ignore[arg-type]  # stops at closing
    phase.total_quota = 4
    assert allowance_by(phase, OPENS + timedelta(days=3)) == 4  # type: ignore[arg-type]


def test_merge_moves_members_and_scored_submissions(session: Session, store: BlobStore, tmp_path: Path) -> None:
    challenge, phase, (ann, ben, _), a, b = _setup(session, store, tmp_path)
    day2 = OPENS + timedelta(days=1)
    sub = upload(session, store, ann, phase, answers(["a"] * 20), now=day2)
    transition(session, sub, SubmissionStatus.RUNNING)
    transition(session, sub, SubmissionStatus.SCORING)
    session.add(
        Score(
            submission_id=sub.id,
            phase_id=phase.id,
            team_id=a.id,
            split=Split.PUBLIC,
            primary=0.75,
            scorer_name="accuracy",
            scorer_version="1",
            labels_sha256="0" * 64,
            submission_sha256=sub.file_sha256,
        )
    )
    transition(session, sub, SubmissionStatus.SCORED)
    session.commit()
    request = merges.request_merge(session, ann, a, b, day2)
    with pytest.raises(Forbidden):
        merges.accept_merge(session, store, ann, request, day2)  # only the receiving captain accepts
    merged = merges.accept_merge(session, store, ben, request, day2)
    session.commit()
    assert merged.id == b.id and {m.user_id for m in merged.members} == {ann.id, ben.id}
    session.refresh(a)
    assert a.status == TeamStatus.MERGED and a.merged_into_id == b.id and a.members == []
    moved = session.get(Submission, sub.id)
    assert moved is not None and moved.team_id == b.id and moved.status == SubmissionStatus.SCORED
    board = leaderboard(session, phase, Split.PUBLIC)
    assert [(row.team_id, row.score) for row in board] == [(b.id, 0.75)]
    stored = session.scalars(select(LeaderboardEntry).where(LeaderboardEntry.split == Split.PUBLIC)).all()
    assert [(row.team_id, row.score) for row in stored] == [(b.id, 0.75)], "the materialized board follows the merge"
    assert teams.team_of(session, ann.id, challenge.id).id == b.id  # type: ignore[union-attr]
    assert request.status == RequestStatus.ACCEPTED
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "team.merged")).one()
    assert event.data["submissions"] == [sub.id] and event.data["members"] == [ann.id]
    with pytest.raises(InvalidTransition):
        merges.decline_merge(session, ben, request, day2)


def test_merge_refused_over_the_allowance(session: Session, store: BlobStore, tmp_path: Path) -> None:
    _, phase, (ann, ben, _), a, b = _setup(session, store, tmp_path)
    day1 = OPENS + timedelta(hours=1)
    for user in (ann, ann, ben):
        upload(session, store, user, phase, answers(["a"] * 20), now=day1)
    # On the opening day one team could have made 2; together they made 3.
    with pytest.raises(Conflict, match=r"made 3 counted submissions \(2 \+ 1\), more than the 2 one team"):
        merges.request_merge(session, ann, a, b, day1)
    # The next day one team could have made 4: the merge is allowed.
    request = merges.request_merge(session, ann, a, b, day1 + timedelta(days=1))
    merges.accept_merge(session, store, ben, request, day1 + timedelta(days=1))


def test_merge_checks_again_when_accepted(session: Session, store: BlobStore, tmp_path: Path) -> None:
    _, phase, (ann, ben, _), a, b = _setup(session, store, tmp_path)
    day1 = OPENS + timedelta(hours=1)
    request = merges.request_merge(session, ann, a, b, day1)
    for user in (ann, ann, ben):
        upload(session, store, user, phase, answers(["a"] * 20), now=day1)
    with pytest.raises(Conflict, match="more than the 2"):
        merges.accept_merge(session, store, ben, request, day1)


def test_merge_size_cap_and_deadline(session: Session, store: BlobStore, tmp_path: Path) -> None:
    challenge, _, (ann, ben, cat), a, b = _setup(session, store, tmp_path, team_size_max=2)
    teams.join_team(session, cat, b.invite_code)
    with pytest.raises(Conflict, match="would have 3 members, more than the 2"):
        merges.request_merge(session, ann, a, b, OPENS + timedelta(days=1))
    challenge.merge_deadline = OPENS + timedelta(days=2)
    with pytest.raises(Forbidden, match="merge deadline"):
        merges.request_merge(session, ann, a, b, OPENS + timedelta(days=2))


def test_decline_cancel_and_duplicates(session: Session, store: BlobStore, tmp_path: Path) -> None:
    _, _, (ann, ben, _), a, b = _setup(session, store, tmp_path)
    now = OPENS + timedelta(days=1)
    request = merges.request_merge(session, ann, a, b, now)
    with pytest.raises(Conflict, match="already asked"):
        merges.request_merge(session, ann, a, b, now)
    with pytest.raises(Conflict, match="accept or decline that"):
        merges.request_merge(session, ben, b, a, now)
    assert merges.pending_merges_for_team(session, b.id) == ([], [request])
    merges.decline_merge(session, ben, request, now, "no thanks")
    assert request.status == RequestStatus.DECLINED and request.reason == "no thanks"
    again = merges.request_merge(session, ann, a, b, now)
    with pytest.raises(Forbidden):
        merges.cancel_merge(session, ben, again, now)
    merges.cancel_merge(session, ann, again, now)
    assert again.status == RequestStatus.CANCELLED
    with pytest.raises(Conflict, match="itself"):
        merges.request_merge(session, ann, a, a, now)
