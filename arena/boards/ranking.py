"""Leaderboards computed from scratch: each team's chosen scored submission per phase and split, ranked.

This is the reference computation. ``arena.boards.standings`` materializes its result in ``LeaderboardEntry`` rows
and keeps them current after each event; pages and the API read those rows.

Rules applied here (see ``docs/rules.md``):

* hidden submissions and disqualified teams leave the board; only the phase's current score version counts;
* ``as_of``: only submissions made before that time count (the public board as frozen at ``freeze_at``);
* private split with ``Phase.final_selection_max`` = K: a team is ranked by the best private score among the
  submissions it selected, or, if it selected none, among its K best public submissions;
* public split with ``Phase.use_ladder`` (and a blob store to read per-case values): per team, scores are
  replayed in the order the team submitted and a new one is released only if the Ladder accepts it;
* exactly equal scores share a rank (1, 1, 3) and are ordered by the earlier submission.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import numpy as np
from sqlalchemy import ColumnElement, Select, func, select, union_all
from sqlalchemy.orm import Session, aliased

from arena.boards.statistics import Floats, ladder_releases
from arena.enums import Direction, Split, SubmissionStatus, TeamStatus
from arena.models import Phase, Score, Submission, Team
from arena.storage import BlobStore
from arena.timestamps import rfc3339


@dataclass(frozen=True)
class LeaderboardRow:
    """One team's line on a board."""

    rank: int
    team_id: int
    team_name: str
    institution: str
    score: float
    metrics: dict[str, float]
    submission_id: int
    submitted_at: datetime
    entries: int
    last_submitted_at: datetime
    is_baseline: bool
    tied_with_previous: bool

    def to_dict(self, precision: int | None = None) -> dict[str, Any]:
        """Return a JSON-safe dict, rounding the score when ``precision`` is given."""
        return {
            "rank": self.rank,
            "team": {"id": self.team_id, "name": self.team_name, "institution": self.institution},
            "score": self.score if precision is None else round(self.score, precision),
            "metrics": self.metrics,
            "submission_id": self.submission_id,
            "submitted_at": rfc3339(self.submitted_at),
            "entries": self.entries,
            "last_submitted_at": rfc3339(self.last_submitted_at),
            "is_baseline": self.is_baseline,
            "tied_with_previous": self.tied_with_previous,
        }


def higher_is_better(phase: Phase) -> bool:
    """Whether the phase's track ranks higher scores first."""
    return phase.track.direction != Direction.MIN


def leaderboard(
    session: Session,
    phase: Phase,
    split: Split,
    *,
    as_of: datetime | None = None,
    store: BlobStore | None = None,
) -> list[LeaderboardRow]:
    """Rank every team by its chosen score on ``split`` under the phase's current score version.

    Exact ties share a rank and are ordered by the earlier submission (then the lower id).
    """
    return rank_rows(team_rows(session, phase, split, as_of=as_of, store=store), higher_is_better(phase))


def rank_rows(rows: Iterable[LeaderboardRow], descending: bool) -> list[LeaderboardRow]:
    """Sort rows (best first, earlier submission first on ties) and give them competition ranks."""

    def key(row: LeaderboardRow) -> tuple[float, datetime, int]:
        return (-row.score if descending else row.score, row.submitted_at, row.submission_id)

    ranked: list[LeaderboardRow] = []
    for position, row in enumerate(sorted(rows, key=key), start=1):
        tied = bool(ranked) and ranked[-1].score == row.score
        rank = ranked[-1].rank if tied else position
        ranked.append(replace(row, rank=rank, tied_with_previous=tied))
    return ranked


def eligible(phase: Phase, split: Split, as_of: datetime | None = None) -> list[ColumnElement[bool]]:
    """Return the conditions a score must meet to count on a board (joined with Submission and Team)."""
    conditions = [
        Score.phase_id == phase.id,
        Score.split == split.value,
        Score.version == phase.score_version,
        Submission.status == SubmissionStatus.SCORED,
        Submission.is_hidden.is_(False),
        Team.status != TeamStatus.DISQUALIFIED,
    ]
    if as_of is not None:
        conditions.append(Submission.created_at < as_of)
    return conditions


def _order(phase: Phase, column: Any) -> Any:
    return column.desc() if higher_is_better(phase) else column.asc()


def _selection_filter(phase: Phase, team_ids: Sequence[int] | None) -> ColumnElement[bool] | None:
    """On the private split: keep a team's selected submissions, or its K best public ones if it selected none."""
    limit = phase.final_selection_max
    if not limit:
        return None
    public = aliased(Score)
    by_public = (
        select(
            public.submission_id.label("submission_id"),
            func.row_number()
            .over(
                partition_by=public.team_id,
                order_by=(_order(phase, public.primary), Submission.created_at, Submission.id),
            )
            .label("pick"),
        )
        .join(Submission, Submission.id == public.submission_id)
        .where(
            public.phase_id == phase.id,
            public.split == Split.PUBLIC.value,
            public.version == phase.score_version,
            Submission.status == SubmissionStatus.SCORED,
            Submission.is_hidden.is_(False),
        )
    )
    # The submissions of teams that selected some, and the defaults of the others, as one set joined to the
    # candidates (an OR of two subqueries would make PostgreSQL test every candidate against each).
    chosen = aliased(Submission)
    selected = select(chosen.id.label("submission_id"), chosen.team_id.label("team_id")).where(
        chosen.phase_id == phase.id,
        chosen.is_selected.is_(True),
        chosen.status == SubmissionStatus.SCORED,
        chosen.is_hidden.is_(False),
    )
    if team_ids is not None:
        by_public = by_public.where(public.team_id.in_(team_ids))
        selected = selected.where(chosen.team_id.in_(team_ids))
    chose = selected.subquery()
    # Few teams select, so an uncorrelated NOT IN over their ids is a small hashed set.
    defaults = by_public.where(public.team_id.not_in(select(chose.c.team_id))).subquery()
    picked = union_all(
        select(chose.c.submission_id), select(defaults.c.submission_id).where(defaults.c.pick <= limit)
    ).subquery()
    return Submission.id.in_(select(picked.c.submission_id))


def _candidates(phase: Phase, split: Split, as_of: datetime | None, team_ids: Sequence[int] | None) -> Select[Any]:
    query = (
        select(
            Score.team_id,
            Score.primary,
            Score.metrics,
            Score.per_case_sha256,
            Submission.id,
            Submission.created_at,
            Submission.is_baseline,
        )
        .join(Submission, Submission.id == Score.submission_id)
        .join(Team, Team.id == Score.team_id)
        .where(*eligible(phase, split, as_of))
    )
    if team_ids is not None:
        # Both sides, so the planner reaches each table through its team index.
        query = query.where(Score.team_id.in_(team_ids), Submission.team_id.in_(team_ids))
    if split == Split.PRIVATE:
        selection = _selection_filter(phase, team_ids)
        if selection is not None:
            query = query.where(selection)
    return query  # type: ignore[return-value]  # the row type is spelled out by the callers


def team_rows(
    session: Session,
    phase: Phase,
    split: Split,
    *,
    as_of: datetime | None = None,
    team_ids: Sequence[int] | None = None,
    store: BlobStore | None = None,
) -> list[LeaderboardRow]:
    """Return each team's chosen submission on a board, unranked (``rank`` is 0); optionally only ``team_ids``."""
    ladder = split == Split.PUBLIC and phase.use_ladder and store is not None
    query = _candidates(phase, split, as_of, team_ids)
    if ladder:
        assert store is not None
        picks = _ladder_picks(session, store, phase, query)
    else:
        ranked = query.add_columns(
            func.row_number()
            .over(
                partition_by=Score.team_id,
                order_by=(_order(phase, Score.primary), Submission.created_at, Submission.id),
            )
            .label("pick")
        ).subquery()
        best = select(ranked).where(ranked.c.pick == 1)
        picks = [tuple(row[:7]) for row in session.execute(best)]
    if not picks:
        return []
    return _decorate(session, phase, picks, as_of)


def _ladder_picks(session: Session, store: BlobStore, phase: Phase, query: Select[Any]) -> list[tuple[Any, ...]]:
    """Replay each team's public scores in the order it submitted them through the Ladder; keep the last released.

    Submission order, not scoring order, so a rescore whose scores arrive in another order replays the same
    history and releases the same submissions.
    """
    ordered = query.order_by(Score.team_id, Submission.created_at, Submission.id)
    released: dict[int, tuple[Any, ...]] = {}
    released_values: dict[int, Floats] = {}
    descending = higher_is_better(phase)
    for row in session.execute(ordered):
        team_id, primary, sha = row[0], float(row[1]), row[3]
        values = per_case_values(store, sha)
        current = released.get(team_id)
        if ladder_releases(
            primary,
            values,
            None if current is None else float(current[1]),
            released_values.get(team_id),
            higher_is_better=descending,
        ):
            released[team_id] = tuple(row)
            released_values[team_id] = values
    return list(released.values())


def per_case_values(store: BlobStore, sha256: str) -> Floats:
    """Read a score's stored per-case values (an empty array if none were stored)."""
    if not sha256 or not store.exists(sha256):
        return np.zeros(0, dtype=np.float64)
    values: Floats = np.load(io.BytesIO(store.read_bytes(sha256)), allow_pickle=False).astype(np.float64)
    return values


def _decorate(
    session: Session, phase: Phase, picks: list[tuple[Any, ...]], as_of: datetime | None
) -> list[LeaderboardRow]:
    team_ids = [int(p[0]) for p in picks]
    activity = select(Submission.team_id, func.count(Submission.id), func.max(Submission.created_at)).where(
        Submission.phase_id == phase.id, Submission.status == SubmissionStatus.SCORED
    )
    if as_of is not None:
        activity = activity.where(Submission.created_at < as_of)
    if len(team_ids) < 500:
        activity = activity.where(Submission.team_id.in_(team_ids))
    counts = {row[0]: (int(row[1]), row[2]) for row in session.execute(activity.group_by(Submission.team_id))}
    teams_query = select(Team.id, Team.name, Team.institution, Team.is_baseline)
    if len(team_ids) < 500:
        teams_query = teams_query.where(Team.id.in_(team_ids))
    else:
        teams_query = teams_query.where(Team.challenge_id == phase.track.challenge_id)
    teams = {row[0]: row for row in session.execute(teams_query)}
    rows = []
    for team_id, primary, metrics, _sha, submission_id, created_at, is_baseline in picks:
        entries, last_at = counts.get(team_id, (0, created_at))
        team = teams[team_id]
        rows.append(
            LeaderboardRow(
                rank=0,
                team_id=team_id,
                team_name=team[1],
                institution=team[2],
                score=float(primary),
                metrics=dict(metrics or {}),
                submission_id=submission_id,
                submitted_at=aware(created_at),
                entries=entries,
                last_submitted_at=aware(last_at),
                is_baseline=bool(is_baseline or team[3]),
                tied_with_previous=False,
            )
        )
    return rows


def aware(value: datetime) -> datetime:
    """Return ``value`` as an aware UTC time (SQLite hands back naive ones)."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
