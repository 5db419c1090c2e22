"""Materialized boards read page by page: positions and shared ranks computed with window functions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from arena.boards.board import Board, board_filter, ordering
from arena.boards.standings import build_board
from arena.models import LeaderboardEntry, Phase, Score, Team
from arena.storage import BlobStore
from arena.timestamps import rfc3339

MAX_PER_PAGE = 200


@dataclass(frozen=True)
class BoardRow:
    """One materialized row, as pages and the API show it."""

    position: int
    rank: int
    team_id: int
    team_name: str
    institution: str
    score: float
    shown_score: float
    submission_id: int
    submitted_at: datetime
    entries: int
    last_submitted_at: datetime
    is_baseline: bool
    ci_low: float | None
    ci_high: float | None
    rank_low: int | None
    rank_high: int | None
    statistical_tie: bool

    def to_dict(self, precision: int, *, statistics: bool) -> dict[str, Any]:
        """Return a JSON-safe dict with the score rounded to ``precision``."""
        data: dict[str, Any] = {
            "rank": self.rank,
            "team": {"id": self.team_id, "name": self.team_name, "institution": self.institution},
            "score": round(self.shown_score, precision),
            "submission_id": self.submission_id,
            "submitted_at": rfc3339(self.submitted_at),
            "entries": self.entries,
            "last_submitted_at": rfc3339(self.last_submitted_at),
            "is_baseline": self.is_baseline,
        }
        if statistics:
            data["ci"] = (
                None
                if self.ci_low is None or self.ci_high is None
                else [
                    round(self.ci_low, precision),
                    round(self.ci_high, precision),
                ]
            )
            data["rank_interval"] = None if self.rank_low is None else [self.rank_low, self.rank_high]
            data["statistical_tie"] = self.statistical_tie
        return data


@dataclass(frozen=True)
class BoardPage:
    """One page of a materialized board."""

    board: Board
    rows: list[BoardRow]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """How many pages the board has."""
        return max(1, -(-self.total // self.per_page))


def board_page(
    session: Session, store: BlobStore, phase: Phase, board: Board, page: int = 1, per_page: int = 50
) -> BoardPage:
    """Return one page of a materialized board, building the board first if it was never built."""
    page = max(1, page)
    per_page = min(max(1, per_page), MAX_PER_PAGE)
    conditions = board_filter(phase, board)
    total = int(session.scalar(select(func.count()).select_from(LeaderboardEntry).where(*conditions)) or 0)
    if total == 0 and _has_scores(session, phase):
        build_board(session, store, phase, board)
        session.commit()
        total = int(session.scalar(select(func.count()).select_from(LeaderboardEntry).where(*conditions)) or 0)
    placed = (
        select(
            LeaderboardEntry.id.label("entry_id"),
            func.row_number().over(order_by=ordering()).label("position"),
            func.rank().over(order_by=LeaderboardEntry.order_key).label("rank"),
        )
        .where(*conditions)
        .order_by(*ordering())
        .offset((page - 1) * per_page)
        .limit(per_page)
        .subquery()
    )
    query = (
        select(LeaderboardEntry, Team.name, Team.institution, placed.c.position, placed.c.rank)
        .join(placed, placed.c.entry_id == LeaderboardEntry.id)
        .join(Team, Team.id == LeaderboardEntry.team_id)
        .order_by(placed.c.position)
    )
    rows = [_board_row(*found) for found in session.execute(query)]
    return BoardPage(board=board, rows=rows, total=total, page=page, per_page=per_page)


def _has_scores(session: Session, phase: Phase) -> bool:
    found = session.scalar(
        select(Score.id).where(Score.phase_id == phase.id, Score.version == phase.score_version).limit(1)
    )
    return found is not None


def _board_row(entry: LeaderboardEntry, name: str, institution: str, position: int, rank: int) -> BoardRow:
    return BoardRow(
        position=position,
        rank=rank,
        team_id=entry.team_id,
        team_name=name,
        institution=institution,
        score=entry.score,
        shown_score=entry.shown_score if entry.shown_score is not None else entry.score,
        submission_id=entry.submission_id,
        submitted_at=entry.submitted_at,
        entries=entry.entries,
        last_submitted_at=entry.last_submitted_at,
        is_baseline=bool((entry.extra or {}).get("baseline")),
        ci_low=entry.ci_low,
        ci_high=entry.ci_high,
        rank_low=entry.rank_low,
        rank_high=entry.rank_high,
        statistical_tie=entry.statistical_tie,
    )
