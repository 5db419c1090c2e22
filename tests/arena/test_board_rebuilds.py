"""Every board rebuild (merge, hide, disqualify, rescore) keeps the Ladder's released values and the statistics."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sqlalchemy.orm import Session

from arena import events
from arena.boards.board import Board
from arena.boards.pages import board_page
from arena.db import utcnow
from arena.enums import SubmissionStatus
from arena.models import Submission
from arena.moderation import decisions as moderation
from arena.storage import BlobStore
from arena.submissions.lifecycle import transition
from arena.teams import merges
from tests.arena.test_standings import World, _cases, _score


@pytest.fixture
def ladder(session: Session, store: BlobStore, tmp_path: Path) -> tuple[World, Submission, Submission]:
    """A Ladder phase where team 0's best raw public score (``noisy``) was never released (``first`` was)."""
    world = World(session, store, tmp_path)
    world.phase.use_ladder = True
    world.session.commit()
    base = _cases(0.6, 1)
    first = world.submit(0, 1, base)
    noisy = base.copy()
    noisy[np.flatnonzero(base == 0)[:12]] = 1.0
    noisy[np.flatnonzero(base == 1)[:10]] = 0.0  # +0.01 with 22 changed cases: within one standard error
    raw_best = world.submit(0, 2, noisy)
    world.submit(1, 3, _cases(0.3, 5))
    world.submit(2, 4, _cases(0.4, 6))
    assert _public_row(world, world.teams[0].id) == (first.id, pytest.approx(base.mean()))
    assert raw_best.id != first.id
    return world, first, raw_best


def _public_row(world: World, team_id: int) -> tuple[int, float]:
    rows = board_page(world.session, world.store, world.phase, Board.PUBLIC).rows
    [row] = [r for r in rows if r.team_id == team_id]
    return row.submission_id, row.score


def _assert_statistics_current(world: World) -> None:
    world.session.commit()
    world.session.refresh(world.phase)
    assert not world.phase.statistics_stale
    rows = board_page(world.session, world.store, world.phase, Board.PRIVATE).rows
    assert rows and all(r.ci_low is not None and r.rank_low is not None for r in rows)


def test_a_merge_keeps_the_released_public_value_and_recomputes_the_statistics(
    ladder: tuple[World, Submission, Submission],
) -> None:
    world, first, _ = ladder
    attacker, absorbed = world.teams[0], world.teams[1]
    now = utcnow()
    request = merges.request_merge(world.session, world.users[1], absorbed, attacker, now)
    merges.accept_merge(world.session, world.store, world.users[0], request, now)
    world.session.commit()
    assert _public_row(world, attacker.id)[0] == first.id, "the merge released the team's best raw public score"
    _assert_statistics_current(world)


def test_hiding_a_submission_keeps_the_released_public_value_and_recomputes_the_statistics(
    ladder: tuple[World, Submission, Submission],
) -> None:
    world, first, _ = ladder
    [other] = [s for s in world.session.query(Submission) if s.team_id == world.teams[2].id]
    moderation.set_submission_hidden(world.session, world.store, world.organizer, other, True, "leak", utcnow())
    world.session.commit()
    assert _public_row(world, world.teams[0].id)[0] == first.id
    _assert_statistics_current(world)


def test_disqualifying_a_team_keeps_the_released_public_value_and_recomputes_the_statistics(
    ladder: tuple[World, Submission, Submission],
) -> None:
    world, first, _ = ladder
    moderation.set_team_disqualified(world.session, world.store, world.organizer, world.teams[2], True, "x", utcnow())
    world.session.commit()
    assert _public_row(world, world.teams[0].id)[0] == first.id
    moderation.set_team_disqualified(world.session, world.store, world.organizer, world.teams[2], False, "", utcnow())
    world.session.commit()
    assert _public_row(world, world.teams[0].id)[0] == first.id
    _assert_statistics_current(world)


def test_a_rescore_scored_out_of_order_releases_the_same_public_value(
    ladder: tuple[World, Submission, Submission],
) -> None:
    world, first, raw_best = ladder
    world.phase.score_version += 1
    world.session.commit()
    base = _cases(0.6, 1)
    noisy = base.copy()
    noisy[np.flatnonzero(base == 0)[:12]] = 1.0
    noisy[np.flatnonzero(base == 1)[:10]] = 0.0
    # Several workers: the later submission's new score lands first.
    for sub, public in ((raw_best, noisy), (first, base)):
        transition(world.session, sub, SubmissionStatus.QUEUED)
        world.session.flush()
        _score(world.session, world.store, sub, public, public)
    assert _public_row(world, world.teams[0].id)[0] == first.id, "the rescore released a never-released score"
    events.scores_committed(world.session, world.store, world.phase)
    _assert_statistics_current(world)
