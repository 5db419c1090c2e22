"""Materialized boards: ``LeaderboardEntry`` rows kept current after each event, and read page by page.

Each phase has up to three boards per score version, stored under ``LeaderboardEntry.split``:

* ``public`` — the live public board (with the Ladder when the phase uses it);
* ``frozen`` — the public board as of ``Phase.freeze_at`` (only submissions made before it), shown to
  non-organizers while the freeze lasts;
* ``private`` — the final ranking on the private split (final selection applied), with bootstrap statistics
  for its top ``STATISTICS_TOP`` rows.

A row stores its team's best submission and an ``order_key`` (the score signed so ascending is best first).
Positions and shared ranks are not stored: a page computes them with window functions over the board's
index, so a new score rewrites exactly one row per board. Every writer takes the phase's board lock and bumps
``Phase.board_stamp`` in its transaction; the API reports it as the board's ``revision``.

After a new score the private board's statistics are only marked stale (``Phase.statistics_stale``) when the
change reaches its top rows; ``settle_statistics`` recomputes them right after the score is committed.
Moderation, selection and baseline changes rebuild the affected boards from scratch with
``arena.leaderboards.leaderboard``, the reference computation.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

import scorers
from arena.db import utcnow
from arena.enums import Split
from arena.leaderboards import (
    LeaderboardRow,
    higher_is_better,
    leaderboard,
    per_case_values,
    team_rows,
)
from arena.models import LeaderboardEntry, Phase, Score, Submission, Team
from arena.permissions import Action, Actor, decide
from arena.splits import public_mask
from arena.statistics import Floats, board_seed, board_statistics, ladder_releases
from arena.storage import BlobStore
from arena.timestamps import rfc3339

STATISTICS_TOP = 200
MAX_PER_PAGE = 200


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


def _as_of(phase: Phase, board: Board) -> datetime | None:
    return phase.freeze_at if board == Board.FROZEN else None


def _lock_board(session: Session, phase: Phase) -> None:
    """Serialize board writers of one phase (PostgreSQL; SQLite already has a single writer), and bump its stamp."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": 0x4C420000 + phase.id})
    phase.board_stamp = Phase.board_stamp + 1  # an UPDATE, atomic across writers


def order_key(phase: Phase, score: float) -> float:
    """Return the board's sort key for ``score``: ascending order puts the best first."""
    return -score if higher_is_better(phase) else score


def _ordering() -> tuple[Any, ...]:
    return (LeaderboardEntry.order_key, LeaderboardEntry.submitted_at, LeaderboardEntry.submission_id)


def _place(entry: LeaderboardEntry) -> tuple[float, datetime, int]:
    return (entry.order_key, entry.submitted_at, entry.submission_id)


def _board_filter(phase: Phase, board: Board) -> list[Any]:
    return [
        LeaderboardEntry.phase_id == phase.id,
        LeaderboardEntry.split == board.value,
        LeaderboardEntry.version == phase.score_version,
    ]


def refresh_phase(session: Session, store: BlobStore | None, phase: Phase) -> None:
    """Rebuild every board of a phase from scratch."""
    for board in boards_of(phase):
        refresh_board(session, store, phase, board)


def refresh_board(session: Session, store: BlobStore | None, phase: Phase, board: Board) -> None:
    """Rebuild one board from scratch, replacing its materialized rows."""
    _lock_board(session, phase)
    rows = leaderboard(session, phase, board.ranked_split, as_of=_as_of(phase, board), store=store)
    existing = {e.team_id: e for e in session.scalars(select(LeaderboardEntry).where(*_board_filter(phase, board)))}
    keep = {row.team_id for row in rows}
    for team_id, entry in existing.items():
        if team_id not in keep:
            session.delete(entry)
    for row in rows:
        entry = existing.get(row.team_id) or _new_entry(session, phase, board, row.team_id)
        _fill(entry, phase, row)
    session.flush()
    if board == Board.PRIVATE and store is not None:
        refresh_statistics(session, store, phase)


def record_score(session: Session, store: BlobStore | None, submission: Submission) -> None:
    """Bring every board of the submission's phase up to date after it was scored (statistics follow later)."""
    phase = submission.phase
    _lock_board(session, phase)
    for board in boards_of(phase):
        as_of = _as_of(phase, board)
        if as_of is not None and not submission.created_at < as_of:
            continue
        update_team(session, store, phase, board, submission.team_id, submission, defer_statistics=True)


def settle_statistics(session: Session, store: BlobStore, phase: Phase) -> bool:
    """Recompute the private board's statistics if a change marked them stale; return whether it did."""
    if not phase.statistics_stale:
        return False
    _lock_board(session, phase)
    session.refresh(phase, ["statistics_stale"])
    if not phase.statistics_stale:
        return False
    refresh_statistics(session, store, phase)
    return True


def stale_phases(session: Session) -> list[Phase]:
    """Return the phases whose private-board statistics wait for ``settle_statistics``."""
    return list(session.scalars(select(Phase).where(Phase.statistics_stale.is_(True))))


def update_team(
    session: Session,
    store: BlobStore | None,
    phase: Phase,
    board: Board,
    team_id: int,
    scored: Submission | None = None,
    *,
    defer_statistics: bool = False,
) -> None:
    """Recompute one team's row on one board (and the private board's statistics, or mark them stale)."""
    entry = session.scalar(
        select(LeaderboardEntry).where(*_board_filter(phase, board), LeaderboardEntry.team_id == team_id)
    )
    row = _team_row(session, store, phase, board, team_id, entry, scored)
    before = _place(entry) if entry is not None else None
    if row is None:
        if entry is None:
            return
        session.delete(entry)
    else:
        entry = entry or _new_entry(session, phase, board, team_id)
        _fill(entry, phase, row)
    after = _place(entry) if row is not None and entry is not None else None
    session.flush()
    if board != Board.PRIVATE or store is None or before == after:
        return
    if _reaches_top(session, phase, [p for p in (before, after) if p is not None]):
        if defer_statistics:
            phase.statistics_stale = True
        else:
            refresh_statistics(session, store, phase)


def _reaches_top(session: Session, phase: Phase, places: list[tuple[float, datetime, int]]) -> bool:
    """Whether any of ``places`` lies within the private board's top ``STATISTICS_TOP`` rows."""
    last = session.execute(
        select(*_ordering())
        .where(*_board_filter(phase, Board.PRIVATE))
        .order_by(*_ordering())
        .offset(STATISTICS_TOP - 1)
        .limit(1)
    ).first()
    return last is None or any(place <= tuple(last) for place in places)


def _team_row(
    session: Session,
    store: BlobStore | None,
    phase: Phase,
    board: Board,
    team_id: int,
    entry: LeaderboardEntry | None,
    scored: Submission | None,
) -> LeaderboardRow | None:
    as_of = _as_of(phase, board)
    ladder = board.ranked_split == Split.PUBLIC and phase.use_ladder and store is not None
    if not ladder or entry is None or scored is None:
        rows = team_rows(session, phase, board.ranked_split, as_of=as_of, team_ids=[team_id], store=store)
        return rows[0] if rows else None
    assert store is not None
    # The Ladder, incrementally: compare the new score with the team's released one only.
    plain = team_rows(session, phase, board.ranked_split, as_of=as_of, team_ids=[team_id])
    new = _public_score(session, phase, scored.id)
    released = _public_score(session, phase, entry.submission_id)
    if new is None or released is None or not plain:
        rows = team_rows(session, phase, board.ranked_split, as_of=as_of, team_ids=[team_id], store=store)
        return rows[0] if rows else None
    accept = ladder_releases(
        new.primary,
        per_case_values(store, new.per_case_sha256),
        released.primary,
        per_case_values(store, released.per_case_sha256),
        higher_is_better=higher_is_better(phase),
    )
    chosen = new if accept else released
    submission = session.get(Submission, chosen.submission_id)
    assert submission is not None
    team = session.get(Team, team_id)
    assert team is not None
    activity = plain[0]
    return LeaderboardRow(
        rank=0,
        team_id=team_id,
        team_name=team.name,
        institution=team.institution,
        score=float(chosen.primary),
        metrics=dict(chosen.metrics or {}),
        submission_id=submission.id,
        submitted_at=submission.created_at,
        entries=activity.entries,
        last_submitted_at=activity.last_submitted_at,
        is_baseline=bool(submission.is_baseline or team.is_baseline),
        tied_with_previous=False,
    )


def _public_score(session: Session, phase: Phase, submission_id: int) -> Score | None:
    return session.scalar(
        select(Score).where(
            Score.submission_id == submission_id,
            Score.split == Split.PUBLIC.value,
            Score.version == phase.score_version,
        )
    )


def _new_entry(session: Session, phase: Phase, board: Board, team_id: int) -> LeaderboardEntry:
    entry = LeaderboardEntry(phase_id=phase.id, split=board.value, version=phase.score_version, team_id=team_id)
    entry.extra = {}
    session.add(entry)
    return entry


def _fill(entry: LeaderboardEntry, phase: Phase, row: LeaderboardRow) -> None:
    if entry.submission_id != row.submission_id:
        entry.ci_low = entry.ci_high = None
        entry.rank_low = entry.rank_high = None
        entry.statistical_tie = False
    entry.submission_id = row.submission_id
    entry.score = row.score
    entry.order_key = order_key(phase, row.score)
    entry.shown_score = round(row.score, phase.track.precision)
    entry.submitted_at = row.submitted_at
    entry.entries = row.entries
    entry.last_submitted_at = row.last_submitted_at
    entry.extra = {**(entry.extra or {}), "baseline": row.is_baseline, "metrics": row.metrics}
    entry.updated_at = utcnow()


def refresh_statistics(session: Session, store: BlobStore, phase: Phase, top: int = STATISTICS_TOP) -> None:
    """Recompute bootstrap CIs, rank intervals and statistical ties for the private board's top rows."""
    phase.statistics_stale = False
    entries = list(
        session.scalars(
            select(LeaderboardEntry).where(*_board_filter(phase, Board.PRIVATE)).order_by(*_ordering()).limit(top)
        )
    )
    if not entries:
        session.flush()
        return
    found = session.execute(
        select(Score.submission_id, Score.per_case_sha256).where(
            Score.submission_id.in_([e.submission_id for e in entries]),
            Score.split == Split.PRIVATE.value,
            Score.version == phase.score_version,
        )
    )
    shas = {submission_id: sha for submission_id, sha in found}
    arrays = [_cached_values(store, shas.get(e.submission_id, "")) for e in entries]
    lengths = [len(a) for a in arrays]
    cases = max(set(lengths), key=lengths.count)
    usable = [i for i, n in enumerate(lengths) if n == cases and n > 0]
    for entry in entries:
        entry.ci_low = entry.ci_high = None
        entry.rank_low = entry.rank_high = None
        entry.statistical_tie = False
    if not usable:
        session.flush()
        return
    values = np.vstack([arrays[i] for i in usable])
    primaries = np.array([entries[i].score for i in usable], dtype=np.float64)
    clusters = case_clusters(store, phase, Split.PRIVATE, cases)
    stats = board_statistics(
        primaries,
        values,
        higher_is_better=higher_is_better(phase),
        seed=board_seed(phase.id, Board.PRIVATE.value, phase.score_version),
        clusters=clusters,
    )
    for index, result in zip(usable, stats, strict=True):
        entry = entries[index]
        entry.ci_low, entry.ci_high = _finite(result.ci_low), _finite(result.ci_high)
        entry.rank_low, entry.rank_high = result.rank_low, result.rank_high
        entry.statistical_tie = result.statistical_tie
        entry.extra = {**(entry.extra or {}), "clustered": clusters is not None}
    session.flush()


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


@functools.lru_cache(maxsize=4096)
def _values_by_path(root: str, sha256: str) -> Floats:
    return per_case_values(BlobStore(Path(root)), sha256)


def _cached_values(store: BlobStore, sha256: str) -> Floats:
    """Per-case values are content-addressed and immutable, so a process-wide cache is always right."""
    return _values_by_path(str(store.root), sha256)


def case_clusters(store: BlobStore, phase: Phase, split: Split, cases: int) -> np.ndarray[Any, Any] | None:
    """Return a cluster code per case when the track's scorer declares ``cluster_column`` (else None)."""
    track = phase.track
    column = (track.scorer_options or {}).get("cluster_column")
    if not column or track.scoring_program_sha256:
        return None
    codes = _clusters(
        str(store.root),
        phase.labels_sha256,
        phase.split_seed,
        phase.public_fraction,
        track.id_column,
        tuple(track.target_columns),
        track.scorer,
        str(column),
        split.value,
    )
    if codes is None or len(codes) != cases:
        return None
    return codes


@functools.lru_cache(maxsize=64)
def _clusters(
    root: str,
    labels_sha256: str,
    split_seed: str,
    fraction: float,
    id_column: str,
    targets: tuple[str, ...],
    scorer: str,
    column: str,
    split: str,
) -> np.ndarray[Any, Any] | None:
    store = BlobStore(Path(root))
    try:
        key = scorers.read_key(store.read_bytes(labels_sha256), id_column=id_column, target_columns=list(targets))
        declared = getattr(scorers.get_scorer(scorer, {"cluster_column": column}), "clusters", None)
        names = declared(key) if callable(declared) else None
    except (scorers.ScorerConfigError, OSError, ValueError):
        return None
    if names is None:
        return None
    mask = public_mask([str(i) for i in key.index], split_seed, fraction)
    rows = mask if split == Split.PUBLIC.value else ~mask
    _, codes = np.unique(np.asarray(names, dtype=object)[rows], return_inverse=True)
    return codes.astype(np.int64)


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
    session: Session, store: BlobStore | None, phase: Phase, board: Board, page: int = 1, per_page: int = 50
) -> BoardPage:
    """Return one page of a materialized board, building the board first if it was never built."""
    page = max(1, page)
    per_page = min(max(1, per_page), MAX_PER_PAGE)
    conditions = _board_filter(phase, board)
    total = int(session.scalar(select(func.count()).select_from(LeaderboardEntry).where(*conditions)) or 0)
    if total == 0 and _has_scores(session, phase):
        refresh_board(session, store, phase, board)
        session.commit()
        total = int(session.scalar(select(func.count()).select_from(LeaderboardEntry).where(*conditions)) or 0)
    placed = (
        select(
            LeaderboardEntry.id.label("entry_id"),
            func.row_number().over(order_by=_ordering()).label("position"),
            func.rank().over(order_by=LeaderboardEntry.order_key).label("rank"),
        )
        .where(*conditions)
        .order_by(*_ordering())
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


def team_boards(session: Session, store: BlobStore | None, phase: Phase, team_ids: Sequence[int]) -> None:
    """Recompute the rows of a few teams on every board of a phase (after a selection or baseline change)."""
    _lock_board(session, phase)
    for board in boards_of(phase):
        for team_id in team_ids:
            update_team(session, store, phase, board, team_id)


def delete_boards(session: Session, phase: Phase) -> None:
    """Forget a phase's materialized rows (all versions)."""
    session.execute(delete(LeaderboardEntry).where(LeaderboardEntry.phase_id == phase.id))
