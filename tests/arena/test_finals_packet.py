"""The packet's board lines: the public line gets the bootstrap 95% CI the private board's rows get, for one row."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from arena import boards, finals
from arena.boards import per_case_values, public_mask
from arena.boards.board import Board, board_filter, ordering
from arena.boards.statistics import board_seed, board_statistics
from arena.db import utcnow
from arena.enums import Split
from arena.evaluation.pipeline import evaluate_submission
from arena.models import LeaderboardEntry, Phase, Score
from arena.settings import Settings
from arena.storage import BlobStore
from tests.arena.finals_world import TRUTH, World, build, person
from tests.factories import answers, make_team, upload


def _flip(values: list[str], rows: list[int]) -> list[str]:
    return [("a" if v == "b" else "b") if j in rows else v for j, v in enumerate(values)]


def _uneven_team(session: Session, settings: Settings, store: BlobStore, world: World) -> int:
    """A fifth team that misses some public and some private rows, so both its intervals have a width."""
    phase = world.phase
    mask = public_mask([f"r{j}" for j in range(len(TRUTH))], phase.split_seed, phase.public_fraction)
    public = [j for j in range(len(TRUTH)) if mask[j]]
    private = [j for j in range(len(TRUTH)) if not mask[j]]
    closes = phase.closes_at
    phase.closes_at = utcnow() + timedelta(hours=1)
    session.commit()
    captain = person(session, "uneven", email="uneven@ustc.edu.cn")
    team = make_team(session, captain, world.challenge, "uneven")
    submission = upload(session, store, captain, phase, answers(_flip(TRUTH, public[:2] + private[:3])))
    evaluate_submission(session, settings, store, submission.id)
    phase.closes_at = closes
    session.commit()
    return team.id


def _whole_board_ci(
    session: Session, store: BlobStore, phase: Phase, board: Board, team_id: int
) -> tuple[float, float]:
    """What the boards' statistics give ``team_id`` when computed over every row of ``board`` at once."""
    entries = list(session.scalars(select(LeaderboardEntry).where(*board_filter(phase, board)).order_by(*ordering())))
    split = board.ranked_split
    shas = dict(
        session.execute(
            select(Score.submission_id, Score.per_case_sha256).where(
                Score.split == split.value, Score.version == phase.score_version
            )
        ).all()
    )
    values = np.vstack([per_case_values(store, shas[e.submission_id]) for e in entries])
    stats = board_statistics(
        np.array([e.score for e in entries]),
        values,
        higher_is_better=boards.higher_is_better(phase),
        seed=board_seed(phase.id, board.value, phase.score_version),
    )
    row = next(i for i, e in enumerate(entries) if e.team_id == team_id)
    return stats[row].ci_low, stats[row].ci_high


def test_the_public_line_has_the_interval_the_whole_public_board_would_give_it(
    session: Session, settings: Settings, store: BlobStore, tmp_path: Path
) -> None:
    world = build(session, settings, store, tmp_path)
    team_id = _uneven_team(session, settings, store, world)
    finalist = finals.add_finalist(session, world.organizer, world.final.id, team_id, "invited")
    session.commit()

    packet = finals.finalist_packet(session, world.organizer, finalist.id, store=store)
    public, private = packet["boards"]["public"], packet["boards"]["private"]
    low, high = _whole_board_ci(session, store, world.phase, Board.PUBLIC, team_id)
    assert (public["ci_low"], public["ci_high"]) == (low, high)
    assert public["ci_low"] < public["score"] < public["ci_high"], "two public rows missed: the interval has a width"
    assert private["ci_low"] is not None and private["ci_low"] < private["score"] < private["ci_high"]

    # The board itself is left as it was: its public rows still carry no interval, and a packet read without
    # the store (what board pages never ask for) computes nothing.
    rows = session.scalars(select(LeaderboardEntry).where(*board_filter(world.phase, Board.PUBLIC)))
    assert all(row.ci_low is None for row in rows)
    assert finals.finalist_packet(session, world.organizer, finalist.id)["boards"]["public"]["ci_low"] is None


def test_a_perfect_public_score_has_a_point_interval(
    session: Session, settings: Settings, store: BlobStore, tmp_path: Path
) -> None:
    world = build(session, settings, store, tmp_path)
    first = finals.name_finalists(session, world.organizer, world.final.id, world.phase.id, top_n=1)[0]
    judge = person(session, "judge", email="judge@jury.example")
    finals.invite_judge(session, world.organizer, world.final.id, "judge")
    finals.update_final(session, world.organizer, world.final.id, blind=True)
    session.commit()

    packet = finals.finalist_packet(session, judge, first.id, store=store)
    public = packet["boards"]["public"]
    assert public["score"] == public["ci_low"] == public["ci_high"] == 1.0, "every public case right: no spread"
    assert list(packet["history"]) == [Split.PRIVATE.value, Split.PUBLIC.value]
    assert [p["score"] for p in packet["history"]["private"]] == [1.0]
