"""Materialized boards: incremental updates equal the from-scratch board; selection, freeze, ties, moderation."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from arena import events
from arena.boards import standings
from arena.boards.board import Board, boards_of, viewer_board
from arena.boards.pages import board_page
from arena.boards.ranking import leaderboard
from arena.db import utcnow
from arena.enums import Split, SubmissionStatus, TeamStatus
from arena.errors import Conflict, InvalidInput, NotFound, PhaseClosed
from arena.models import AuditEvent, Phase, Score, Submission, Team
from arena.moderation import decisions as moderation
from arena.permissions import Actor
from arena.storage import BlobStore
from arena.submissions import selection
from arena.submissions.lifecycle import transition, view_submission
from tests.factories import answers, first_phase, make_challenge, make_team, make_user, upload

CASES = 200


def _blob(store: BlobStore, values: np.ndarray) -> str:
    buffer = io.BytesIO()
    np.save(buffer, values.astype(np.float64), allow_pickle=False)
    return store.put_bytes(buffer.getvalue())


def _score(
    session: Session,
    store: BlobStore,
    submission: Submission,
    public: np.ndarray,
    private: np.ndarray,
    *,
    settle: bool = True,
) -> None:
    transition(session, submission, SubmissionStatus.RUNNING)
    transition(session, submission, SubmissionStatus.SCORING)
    for split, values in ((Split.PUBLIC, public), (Split.PRIVATE, private)):
        session.add(
            Score(
                submission_id=submission.id,
                phase_id=submission.phase_id,
                team_id=submission.team_id,
                split=split,
                version=submission.phase.score_version,
                primary=float(values.mean()),
                metrics={},
                cases=len(values),
                per_case_sha256=_blob(store, values),
                scorer_name="accuracy",
                scorer_version="1",
                labels_sha256="0" * 64,
                submission_sha256=submission.file_sha256,
            )
        )
    transition(session, submission, SubmissionStatus.SCORED)
    session.flush()
    standings.record_score(session, store, submission)
    session.commit()
    if settle:
        events.scores_committed(session, store, submission.phase)


def _cases(rate: float, seed: int) -> np.ndarray:
    return (np.random.default_rng(seed).random(CASES) < rate).astype(float)


class World:
    """A challenge with four teams and helpers to submit at a given minute."""

    def __init__(self, session: Session, store: BlobStore, tmp_path: Path) -> None:
        self.session, self.store = session, store
        self.challenge = make_challenge(session, store, tmp_path / "b", daily_quota=50)
        self.phase: Phase = first_phase(self.challenge)
        self.users = [make_user(session, n) for n in ("ann", "ben", "cat", "dan")]
        self.teams = [make_team(session, u, self.challenge) for u in self.users]
        self.org = make_user(session, "org", admin=True)
        self.start = utcnow() - timedelta(hours=10)

    def submit(
        self, who: int, minute: int, public: np.ndarray, private: np.ndarray | None = None, *, settle: bool = True
    ) -> Submission:
        at = self.start + timedelta(minutes=minute)
        sub = upload(self.session, self.store, self.users[who], self.phase, answers(["a"] * 20), now=at)
        _score(self.session, self.store, sub, public, public if private is None else private, settle=settle)
        return sub

    def actor(self, who: int) -> Actor:
        return Actor(user_id=self.users[who].id, team_id=self.teams[who].id)

    @property
    def organizer(self) -> Actor:
        return Actor(user_id=self.org.id, is_admin=True)


@pytest.fixture
def world(session: Session, store: BlobStore, tmp_path: Path) -> World:
    return World(session, store, tmp_path)


def _materialized(world: World, board: Board) -> list[tuple[int, int, int, float]]:
    page = board_page(world.session, world.store, world.phase, board, per_page=200)
    return [(r.rank, r.team_id, r.submission_id, r.score) for r in page.rows]


def _scratch(world: World, board: Board) -> list[tuple[int, int, int, float]]:
    as_of = world.phase.freeze_at if board == Board.FROZEN else None
    rows = leaderboard(world.session, world.phase, board.ranked_split, as_of=as_of, store=world.store)
    return [(r.rank, r.team_id, r.submission_id, r.score) for r in rows]


def _assert_consistent(world: World) -> None:
    for board in boards_of(world.phase):
        assert _materialized(world, board) == _scratch(world, board), board


def test_materialized_boards_equal_the_from_scratch_boards_after_a_sequence_of_events(world: World) -> None:
    world.phase.final_selection_max = 2
    world.phase.freeze_at = world.start + timedelta(minutes=30)
    world.session.commit()
    rng = np.random.default_rng(0)
    subs = []
    for minute in range(0, 60, 3):
        who = int(rng.integers(0, 4))
        subs.append(world.submit(who, minute, _cases(rng.uniform(0.4, 0.9), minute), _cases(0.6, 100 + minute)))
        _assert_consistent(world)
    now = utcnow()
    moderation.set_submission_hidden(world.session, world.store, world.organizer, subs[3], True, "leak", now)
    _assert_consistent(world)
    own = [s for s in subs if s.team_id == world.teams[subs[0].team_id - world.teams[0].id].id]
    selection.select_submission(
        world.session, world.store, world.actor(own[0].team_id - world.teams[0].id), own[-1], now
    )
    _assert_consistent(world)
    moderation.set_team_disqualified(world.session, world.store, world.organizer, world.teams[1], True, "sybil", now)
    _assert_consistent(world)
    moderation.set_team_baseline(world.session, world.store, world.organizer, world.teams[2], True, now)
    _assert_consistent(world)
    moderation.set_team_disqualified(world.session, world.store, world.organizer, world.teams[1], False, "", now)
    world.submit(3, 70, _cases(0.95, 1), _cases(0.5, 2))
    world.session.commit()
    _assert_consistent(world)


def test_exact_ties_share_a_rank_and_go_to_the_earlier_submission(world: World) -> None:
    same = _cases(0.6, 1)
    world.submit(1, 5, same)
    world.submit(0, 9, same)
    world.submit(2, 1, _cases(0.2, 3))
    world.submit(3, 2, np.ones(CASES))
    rows = board_page(world.session, world.store, world.phase, Board.PUBLIC).rows
    assert [r.rank for r in rows] == [1, 2, 2, 4]
    assert [r.team_id for r in rows[1:3]] == [world.teams[1].id, world.teams[0].id]


def test_final_selection_defaults_to_the_best_public_and_locks_at_the_deadline(world: World) -> None:
    world.phase.final_selection_max = 2
    world.session.commit()
    high_private = world.submit(0, 1, _cases(0.50, 1), _cases(0.90, 2))
    best_public = world.submit(0, 2, _cases(0.80, 3), _cases(0.60, 4))
    second = world.submit(0, 3, _cases(0.70, 5), _cases(0.55, 6))
    private = board_page(world.session, world.store, world.phase, Board.PRIVATE).rows
    assert private[0].submission_id == best_public.id  # default: best two public, best private among them
    view = selection.team_selection(world.session, world.phase, world.teams[0].id, utcnow())
    assert view.defaulted and view.counted_ids == {best_public.id, second.id}
    me = world.actor(0)
    selection.select_submission(world.session, world.store, me, high_private, utcnow())
    world.session.commit()
    assert board_page(world.session, world.store, world.phase, Board.PRIVATE).rows[0].submission_id == high_private.id
    selection.select_submission(world.session, world.store, me, second, utcnow())
    with pytest.raises(Conflict):
        selection.select_submission(world.session, world.store, me, best_public, utcnow())
    with pytest.raises(NotFound):  # another team's submission does not exist for the caller
        selection.select_submission(world.session, world.store, world.actor(1), best_public, utcnow())
    selection.unselect_submission(world.session, world.store, me, second, utcnow())
    with pytest.raises(PhaseClosed):
        selection.select_submission(world.session, world.store, me, second, world.phase.closes_at)
    world.phase.final_selection_max = None
    world.session.commit()
    with pytest.raises(InvalidInput):
        selection.select_submission(world.session, world.store, me, second, utcnow())
    _assert_consistent(world)


def test_frozen_board_shows_only_submissions_made_before_the_freeze(world: World) -> None:
    world.phase.freeze_at = world.start + timedelta(minutes=10)
    world.session.commit()
    world.submit(0, 5, _cases(0.6, 1))
    late = world.submit(1, 15, _cases(0.9, 2))
    world.submit(0, 20, _cases(0.95, 3))
    now = world.start + timedelta(minutes=30)
    assert viewer_board(world.actor(0), world.phase, Split.PUBLIC, now) == Board.FROZEN
    assert viewer_board(world.organizer, world.phase, Split.PUBLIC, now) == Board.PUBLIC
    assert viewer_board(world.actor(0), world.phase, Split.PUBLIC, world.phase.closes_at) == Board.PUBLIC
    frozen = board_page(world.session, world.store, world.phase, Board.FROZEN).rows
    assert [(r.team_id, r.entries) for r in frozen] == [(world.teams[0].id, 1)]
    live = board_page(world.session, world.store, world.phase, Board.PUBLIC).rows
    assert [r.team_id for r in live] == [world.teams[0].id, world.teams[1].id] and late.id == live[1].submission_id


def test_hide_and_disqualify_leave_the_boards_with_an_audited_reason(world: World) -> None:
    best = world.submit(0, 1, _cases(0.9, 1))
    world.submit(0, 2, _cases(0.5, 2))
    world.submit(1, 3, _cases(0.7, 3))
    now = utcnow()
    with pytest.raises(InvalidInput):
        moderation.set_submission_hidden(world.session, world.store, world.organizer, best, True, "  ", now)
    with pytest.raises(NotFound):  # nor for anyone who may not see it
        moderation.set_submission_hidden(world.session, world.store, world.actor(1), best, True, "x", now)
    moderation.set_submission_hidden(world.session, world.store, world.organizer, best, True, "copied labels", now)
    moderation.set_team_disqualified(world.session, world.store, world.organizer, world.teams[1], True, "sybil", now)
    world.session.commit()
    rows = board_page(world.session, world.store, world.phase, Board.PUBLIC).rows
    assert [(r.team_id, round(r.score, 1)) for r in rows] == [(world.teams[0].id, 0.5)]
    actions = {(e.action, e.data.get("reason")) for e in world.session.scalars(select(AuditEvent))}
    assert ("submission.hidden", "copied labels") in actions and ("team.disqualified", "sybil") in actions
    assert world.session.get(Team, world.teams[1].id).status == TeamStatus.DISQUALIFIED  # type: ignore[union-attr]
    removed = moderation.removed_items(world.session, world.phase)
    assert {(i.kind, i.reason) for i in removed} == {("submission", "copied labels"), ("team", "sybil")}


def test_baseline_badge(world: World) -> None:
    sub = world.submit(2, 1, _cases(0.5, 1))
    moderation.set_submission_baseline(world.session, world.store, world.organizer, sub, True, utcnow())
    world.session.commit()
    assert board_page(world.session, world.store, world.phase, Board.PUBLIC).rows[0].is_baseline


def test_private_board_statistics(world: World) -> None:
    same = _cases(0.7, 1)
    world.submit(0, 1, same)
    world.submit(1, 2, same)
    world.submit(2, 3, _cases(0.1, 3))
    rows = board_page(world.session, world.store, world.phase, Board.PRIVATE).rows
    assert [r.statistical_tie for r in rows] == [False, True, False]
    assert all(r.ci_low is not None and r.ci_low <= r.score <= (r.ci_high or 0) for r in rows)
    assert (rows[2].rank_low, rows[2].rank_high) == (3, 3)
    assert rows[0].rank_low == 1 and rows[1].rank_high == 2


def test_statistics_left_stale_by_a_dead_worker_are_settled_by_the_sweep(world: World) -> None:
    world.submit(0, 1, _cases(0.7, 1))
    stamp = world.phase.board_stamp
    # The worker dies after committing the score, before the statistics step.
    late = world.submit(1, 2, _cases(0.9, 2), settle=False)
    assert world.phase.board_stamp > stamp
    assert world.phase.statistics_stale and standings.stale_phases(world.session) == [world.phase]
    rows = board_page(world.session, world.store, world.phase, Board.PRIVATE).rows
    assert rows[0].submission_id == late.id and rows[0].ci_low is None
    assert events.settle_all(world.session, world.store) == 1
    assert not world.phase.statistics_stale and standings.stale_phases(world.session) == []
    rows = board_page(world.session, world.store, world.phase, Board.PRIVATE).rows
    assert all(r.ci_low is not None for r in rows)
    assert events.settle_all(world.session, world.store) == 0


def test_ladder_on_the_materialized_public_board(world: World) -> None:
    world.phase.use_ladder = True
    world.session.commit()
    base = _cases(0.6, 1)
    first = world.submit(0, 1, base)
    noisy = base.copy()
    noisy[np.flatnonzero(base == 0)[:12]] = 1.0
    noisy[np.flatnonzero(base == 1)[:10]] = 0.0  # +0.01 with 22 changed cases: within one standard error
    world.submit(0, 2, noisy)
    row = board_page(world.session, world.store, world.phase, Board.PUBLIC).rows[0]
    assert row.submission_id == first.id and row.entries == 2
    better = base.copy()
    better[np.flatnonzero(base == 0)[:30]] = 1.0
    clear = world.submit(0, 3, better)
    assert board_page(world.session, world.store, world.phase, Board.PUBLIC).rows[0].submission_id == clear.id
    _assert_consistent(world)
    # The team itself never sees a raw per-submission public score while the Ladder is on; organizers do.
    now = utcnow()
    assert view_submission(world.session, clear, world.actor(0), now).scores == {}
    assert "public" in view_submission(world.session, clear, world.organizer, now).scores
