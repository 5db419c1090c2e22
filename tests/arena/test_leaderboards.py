"""Leaderboards: best per team, direction, ties to the earlier submission, hidden and disqualified rows."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from arena.boards.exports import leaderboard_export, submissions_export
from arena.boards.ranking import leaderboard
from arena.db import utcnow
from arena.enums import Split, TeamStatus
from arena.models import Phase, Submission
from arena.storage import BlobStore
from tests.factories import answers, first_phase, make_challenge, make_team, make_user, mark_scored, upload


def _board(session: Session, store: BlobStore, tmp_path: Path, direction: str = "max"):  # type: ignore[no-untyped-def]
    challenge = make_challenge(session, store, tmp_path / "b", direction=direction, daily_quota=10)
    phase = first_phase(challenge)
    users = [make_user(session, name) for name in ("ann", "ben", "cat")]
    teams = [make_team(session, u, challenge) for u in users]
    return phase, users, teams


def _submit(session: Session, store: BlobStore, user, phase: Phase, minutes: int) -> Submission:  # type: ignore[no-untyped-def]
    return upload(session, store, user, phase, answers(["a"] * 20), now=utcnow() - timedelta(minutes=100 - minutes))


def test_best_per_team_and_direction(session: Session, store: BlobStore, tmp_path: Path) -> None:
    phase, (ann, ben, cat), teams = _board(session, store, tmp_path)
    mark_scored(session, _submit(session, store, ann, phase, 1), 0.5, 0.9)
    mark_scored(session, _submit(session, store, ann, phase, 2), 0.8, 0.1)
    mark_scored(session, _submit(session, store, ben, phase, 3), 0.7, 0.7)
    public = leaderboard(session, phase, Split.PUBLIC)
    assert [(r.rank, r.team_name, r.score, r.entries) for r in public] == [
        (1, teams[0].name, 0.8, 2),
        (2, teams[1].name, 0.7, 1),
    ]
    private = leaderboard(session, phase, Split.PRIVATE)
    assert [(r.team_name, r.score) for r in private] == [(teams[0].name, 0.9), (teams[1].name, 0.7)]


def test_lower_is_better(session: Session, store: BlobStore, tmp_path: Path) -> None:
    phase, (ann, ben, _), teams = _board(session, store, tmp_path, direction="min")
    mark_scored(session, _submit(session, store, ann, phase, 1), 3.0, 3.0)
    mark_scored(session, _submit(session, store, ben, phase, 2), 1.0, 1.0)
    assert [r.team_name for r in leaderboard(session, phase, Split.PUBLIC)] == [teams[1].name, teams[0].name]


def test_exact_ties_go_to_the_earlier_submission(session: Session, store: BlobStore, tmp_path: Path) -> None:
    phase, (ann, ben, cat), teams = _board(session, store, tmp_path)
    mark_scored(session, _submit(session, store, ben, phase, 5), 0.6, 0.6)
    mark_scored(session, _submit(session, store, ann, phase, 9), 0.6, 0.6)
    mark_scored(session, _submit(session, store, cat, phase, 1), 0.6, 0.6)
    rows = leaderboard(session, phase, Split.PUBLIC)
    assert [r.team_name for r in rows] == [teams[2].name, teams[1].name, teams[0].name]
    assert [r.tied_with_previous for r in rows] == [False, True, True]
    # Within a team, the earlier of two equal scores is the one shown.
    mark_scored(session, _submit(session, store, cat, phase, 50), 0.6, 0.6)
    first = leaderboard(session, phase, Split.PUBLIC)[0]
    assert first.submission_id == rows[0].submission_id and first.entries == 2


def test_hidden_submissions_and_disqualified_teams_leave_the_board(
    session: Session, store: BlobStore, tmp_path: Path
) -> None:
    phase, (ann, ben, _), teams = _board(session, store, tmp_path)
    best = _submit(session, store, ann, phase, 1)
    mark_scored(session, best, 0.9, 0.9)
    mark_scored(session, _submit(session, store, ann, phase, 2), 0.4, 0.4)
    mark_scored(session, _submit(session, store, ben, phase, 3), 0.5, 0.5)
    best.is_hidden = True
    session.commit()
    assert [(r.team_name, r.score) for r in leaderboard(session, phase, Split.PUBLIC)] == [
        (teams[1].name, 0.5),
        (teams[0].name, 0.4),
    ]
    teams[1].status = TeamStatus.DISQUALIFIED
    session.commit()
    assert [r.team_name for r in leaderboard(session, phase, Split.PUBLIC)] == [teams[0].name]


def test_only_the_current_score_version_counts(session: Session, store: BlobStore, tmp_path: Path) -> None:
    phase, (ann, _, _), _ = _board(session, store, tmp_path)
    mark_scored(session, _submit(session, store, ann, phase, 1), 0.9, 0.9)
    phase.score_version = 2
    session.commit()
    assert leaderboard(session, phase, Split.PUBLIC) == []


def test_exports(session: Session, store: BlobStore, tmp_path: Path) -> None:
    phase, (ann, ben, _), teams = _board(session, store, tmp_path)
    teams[0].name = '=HYPERLINK("x")'
    mark_scored(session, _submit(session, store, ann, phase, 1), 0.9, 0.8)
    _submit(session, store, ben, phase, 2)
    board = leaderboard_export(session, phase, Split.PRIVATE).decode("utf-8-sig").splitlines()
    assert board[0].startswith("rank,team_id,team") and len(board) == 2
    assert "'=HYPERLINK" in board[1]
    subs = submissions_export(session, phase).decode("utf-8-sig").splitlines()
    assert len(subs) == 3 and "queued" in subs[2] and "0.8" in subs[1]
