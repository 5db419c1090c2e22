"""The boards a phase keeps, which one a viewer sees, and the shared helpers of their writers and readers.

Each phase has up to three boards per score version, stored under ``LeaderboardEntry.split``:

* ``public`` — the live public board (with the Ladder when the phase uses it);
* ``frozen`` — the public board as of ``Phase.freeze_at`` (only submissions made before it), shown to
  non-organizers while the freeze lasts;
* ``private`` — the final ranking on the private split (final selection applied), with bootstrap statistics
  for its top rows (``arena.boards.intervals``).

``arena.boards.standings`` writes the rows, ``arena.boards.pages`` reads them page by page.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import text
from sqlalchemy.orm import Session

from arena.boards.ranking import higher_is_better
from arena.enums import Split
from arena.models import LeaderboardEntry, Phase
from arena.permissions import Action, Actor, decide


class Board(StrEnum):
    """The materialized boards of a phase."""

    PUBLIC = "public"
    FROZEN = "frozen"
    PRIVATE = "private"

    @property
    def ranked_split(self) -> Split:
        """The split a board ranks on."""
        return Split.PRIVATE if self == Board.PRIVATE else Split.PUBLIC


def boards_of(phase: Phase) -> list[Board]:
    """Return the boards a phase keeps (the frozen one only when it has a freeze time)."""
    boards = [Board.PUBLIC, Board.PRIVATE]
    if phase.freeze_at is not None:
        boards.append(Board.FROZEN)
    return boards


class Window(Protocol):
    """What freeze decisions need of a phase (a ``Phase`` or cached facts about one)."""

    @property
    def freeze_at(self) -> datetime | None: ...  # noqa: D102

    @property
    def closes_at(self) -> datetime: ...  # noqa: D102


def is_frozen(phase: Window, now: datetime) -> bool:
    """Whether the public board is frozen at ``now`` (between ``freeze_at`` and the phase's end)."""
    return phase.freeze_at is not None and phase.freeze_at <= now < phase.closes_at


def viewer_board(actor: Actor, phase: Window, split: Split, now: datetime) -> Board:
    """Return the board a viewer sees for ``split``: during a freeze, non-organizers see the frozen board."""
    if split == Split.PRIVATE:
        return Board.PRIVATE
    if is_frozen(phase, now) and not decide(actor, Action.VIEW_LIVE_LEADERBOARD):
        return Board.FROZEN
    return Board.PUBLIC


def frozen_as_of(phase: Phase, board: Board) -> datetime | None:
    return phase.freeze_at if board == Board.FROZEN else None


def lock_board(session: Session, phase: Phase) -> None:
    """Serialize board writers of one phase (PostgreSQL; SQLite already has a single writer), and bump its stamp."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": 0x4C420000 + phase.id})
    phase.board_stamp = Phase.board_stamp + 1  # an UPDATE, atomic across writers


def order_key(phase: Phase, score: float) -> float:
    """Return the board's sort key for ``score``: ascending order puts the best first."""
    return -score if higher_is_better(phase) else score


def ordering() -> tuple[Any, ...]:
    return (LeaderboardEntry.order_key, LeaderboardEntry.submitted_at, LeaderboardEntry.submission_id)


def board_filter(phase: Phase, board: Board) -> list[Any]:
    return [
        LeaderboardEntry.phase_id == phase.id,
        LeaderboardEntry.split == board.value,
        LeaderboardEntry.version == phase.score_version,
    ]
