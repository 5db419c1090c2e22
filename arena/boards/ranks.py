"""One team's place on a board: its rank among the ranked teams and its shown score."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from arena.boards.board import Board, board_filter
from arena.boards.pages import board_page
from arena.models import LeaderboardEntry, Phase
from arena.storage import BlobStore


@dataclass(frozen=True)
class TeamRank:
    """Where a team stands on one board: rank (shared ranks like the board's), of how many, with which score."""

    board: Board
    rank: int
    total: int
    score: float


def team_rank(session: Session, store: BlobStore, phase: Phase, board: Board, team_id: int) -> TeamRank | None:
    """Return the team's rank on ``board``, or None when the team has no row there."""
    total = board_page(session, store, phase, board, 1, 1).total
    conditions = board_filter(phase, board)
    entry = session.scalar(select(LeaderboardEntry).where(*conditions, LeaderboardEntry.team_id == team_id))
    if entry is None:
        return None
    ahead = session.scalar(
        select(func.count())
        .select_from(LeaderboardEntry)
        .where(*conditions, LeaderboardEntry.order_key < entry.order_key)
    )
    shown = entry.shown_score if entry.shown_score is not None else entry.score
    return TeamRank(board=board, rank=int(ahead or 0) + 1, total=total, score=shown)
