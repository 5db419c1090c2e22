"""Materialized boards: ``LeaderboardEntry`` rows kept current after each event.

A row stores its team's best submission and an ``order_key`` (the score signed so ascending is best first).
Positions and shared ranks are not stored: a page (``arena.boards.pages``) computes them with window functions
over the board's index, so a new score rewrites exactly one row per board. Every writer takes the phase's
board lock and bumps ``Phase.board_stamp`` in its transaction; the API reports it as the board's ``revision``.

After a new score the private board's statistics are only marked stale (``Phase.statistics_stale``) when the
change reaches its top rows; ``settle_statistics`` recomputes them right after the score is committed.

Whatever else changes a board — a merge, hiding a submission, disqualifying or reinstating a team, a bundle
re-import that changes the board rules — goes through ``rebuild_phases``, the one rebuild path: it rebuilds
every board from scratch with ``arena.boards.ranking.leaderboard`` (the reference computation, the Ladder
replayed from the stored per-case values, so a rebuild shows the values the Ladder released and never a raw
best score), marks the private board's statistics stale and recomputes them. Writers need the blob store:
without the per-case values neither the Ladder nor the statistics can be computed, so it is not optional.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from arena.boards.board import Board, board_filter, boards_of, frozen_as_of, lock_board, order_key, ordering
from arena.boards.intervals import STATISTICS_TOP, refresh_statistics
from arena.boards.ranking import (
    LeaderboardRow,
    aware,
    higher_is_better,
    leaderboard,
    per_case_values,
    team_rows,
)
from arena.boards.statistics import ladder_releases
from arena.db import utcnow
from arena.enums import Split
from arena.models import LeaderboardEntry, Phase, Score, Submission, Team
from arena.storage import BlobStore


def _place(entry: LeaderboardEntry) -> tuple[float, datetime, int]:
    return (entry.order_key, entry.submitted_at, entry.submission_id)


def rebuild_phases(session: Session, store: BlobStore, phases: Iterable[Phase]) -> None:
    """Rebuild every board of each phase from scratch, the Ladder replayed, and recompute its statistics."""
    session.flush()
    for phase in phases:
        lock_board(session, phase)
        for board in boards_of(phase):
            _rebuild_board(session, store, phase, board)
        refresh_statistics(session, store, phase)


def build_board(session: Session, store: BlobStore, phase: Phase, board: Board) -> None:
    """Build a board that was never materialized (the private one with its statistics)."""
    lock_board(session, phase)
    _rebuild_board(session, store, phase, board)
    if board == Board.PRIVATE:
        refresh_statistics(session, store, phase)


def _rebuild_board(session: Session, store: BlobStore, phase: Phase, board: Board) -> None:
    rows = leaderboard(session, phase, board.ranked_split, as_of=frozen_as_of(phase, board), store=store)
    existing = {e.team_id: e for e in session.scalars(select(LeaderboardEntry).where(*board_filter(phase, board)))}
    keep = {row.team_id for row in rows}
    for team_id, entry in existing.items():
        if team_id not in keep:
            session.delete(entry)
    for row in rows:
        entry = existing.get(row.team_id) or _new_entry(session, phase, board, row.team_id)
        _fill(entry, phase, row)
    session.flush()


def record_score(session: Session, store: BlobStore, submission: Submission) -> None:
    """Bring every board of the submission's phase up to date after it was scored (statistics follow later)."""
    phase = submission.phase
    lock_board(session, phase)
    for board in boards_of(phase):
        as_of = frozen_as_of(phase, board)
        if as_of is not None and not submission.created_at < as_of:
            continue
        update_team(session, store, phase, board, submission.team_id, submission, defer_statistics=True)


def settle_statistics(session: Session, store: BlobStore, phase: Phase) -> bool:
    """Recompute the private board's statistics if a change marked them stale; return whether it did."""
    if not phase.statistics_stale:
        return False
    lock_board(session, phase)
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
    store: BlobStore,
    phase: Phase,
    board: Board,
    team_id: int,
    scored: Submission | None = None,
    *,
    defer_statistics: bool = False,
) -> None:
    """Recompute one team's row on one board (and the private board's statistics, or mark them stale)."""
    entry = session.scalar(
        select(LeaderboardEntry).where(*board_filter(phase, board), LeaderboardEntry.team_id == team_id)
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
    if board != Board.PRIVATE or before == after:
        return
    if _reaches_top(session, phase, [p for p in (before, after) if p is not None]):
        if defer_statistics:
            phase.statistics_stale = True
        else:
            refresh_statistics(session, store, phase)


def _reaches_top(session: Session, phase: Phase, places: list[tuple[float, datetime, int]]) -> bool:
    """Whether any of ``places`` lies within the private board's top ``STATISTICS_TOP`` rows."""
    last = session.execute(
        select(*ordering())
        .where(*board_filter(phase, Board.PRIVATE))
        .order_by(*ordering())
        .offset(STATISTICS_TOP - 1)
        .limit(1)
    ).first()
    return last is None or any(place <= tuple(last) for place in places)


def _team_row(
    session: Session,
    store: BlobStore,
    phase: Phase,
    board: Board,
    team_id: int,
    entry: LeaderboardEntry | None,
    scored: Submission | None,
) -> LeaderboardRow | None:
    as_of = frozen_as_of(phase, board)
    ladder = board.ranked_split == Split.PUBLIC and phase.use_ladder
    if not ladder or entry is None or scored is None:
        rows = team_rows(session, phase, board.ranked_split, as_of=as_of, team_ids=[team_id], store=store)
        return rows[0] if rows else None
    # The Ladder, incrementally: compare the new score with the team's released one only. That equals the
    # replay (in the order the team submitted) only for the team's latest submission; a score arriving out of
    # order (a rescore run by several workers) replays the team's history instead.
    plain = team_rows(session, phase, board.ranked_split, as_of=as_of, team_ids=[team_id])
    new = _public_score(session, phase, scored.id)
    released = _public_score(session, phase, entry.submission_id)
    if new is None or released is None or not plain or aware(scored.created_at) < plain[0].last_submitted_at:
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


def team_boards(session: Session, store: BlobStore, phase: Phase, team_ids: Sequence[int]) -> None:
    """Recompute the rows of a few teams on every board of a phase (after a selection or baseline change)."""
    lock_board(session, phase)
    for board in boards_of(phase):
        for team_id in team_ids:
            update_team(session, store, phase, board, team_id)


def delete_boards(session: Session, phase: Phase) -> None:
    """Forget a phase's materialized rows (all versions)."""
    session.execute(delete(LeaderboardEntry).where(LeaderboardEntry.phase_id == phase.id))
