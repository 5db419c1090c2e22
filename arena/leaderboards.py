"""Leaderboards: each team's best scored submission per phase and split, ranked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from arena.enums import Direction, Split, SubmissionStatus, TeamStatus
from arena.models import Phase, Score, Submission, Team


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
            "submitted_at": self.submitted_at.isoformat(),
            "entries": self.entries,
            "last_submitted_at": self.last_submitted_at.isoformat(),
            "is_baseline": self.is_baseline,
            "tied_with_previous": self.tied_with_previous,
        }


def leaderboard(session: Session, phase: Phase, split: Split) -> list[LeaderboardRow]:
    """Rank every team by its best score on ``split`` under the phase's current score version.

    Exact ties are ordered by the earlier submission (then the lower id).
    """
    descending = phase.track.direction == Direction.MAX
    order_score = Score.primary.desc() if descending else Score.primary.asc()
    ranked = (
        select(
            Score.team_id.label("team_id"),
            Score.primary.label("score"),
            Score.metrics.label("metrics"),
            Submission.id.label("submission_id"),
            Submission.created_at.label("submitted_at"),
            Submission.is_baseline.label("is_baseline"),
            func.row_number()
            .over(partition_by=Score.team_id, order_by=(order_score, Submission.created_at, Submission.id))
            .label("pick"),
        )
        .join(Submission, Submission.id == Score.submission_id)
        .where(
            Score.phase_id == phase.id,
            Score.split == split.value,
            Score.version == phase.score_version,
            Submission.status == SubmissionStatus.SCORED,
            Submission.is_hidden.is_(False),
        )
        .subquery()
    )
    activity = (
        select(
            Submission.team_id.label("team_id"),
            func.count(Submission.id).label("entries"),
            func.max(Submission.created_at).label("last_at"),
        )
        .where(Submission.phase_id == phase.id, Submission.status == SubmissionStatus.SCORED)
        .group_by(Submission.team_id)
        .subquery()
    )
    best_order = ranked.c.score.desc() if descending else ranked.c.score.asc()
    query = (
        select(
            ranked,
            Team.name,
            Team.institution,
            Team.is_baseline.label("team_is_baseline"),
            activity.c.entries,
            activity.c.last_at,
        )
        .join(Team, Team.id == ranked.c.team_id)
        .join(activity, activity.c.team_id == ranked.c.team_id)
        .where(ranked.c.pick == 1, Team.status != TeamStatus.DISQUALIFIED)
        .order_by(best_order, ranked.c.submitted_at, ranked.c.submission_id)
    )
    rows: list[LeaderboardRow] = []
    previous: float | None = None
    for position, row in enumerate(session.execute(query).mappings(), start=1):
        score = float(row["score"])
        rows.append(
            LeaderboardRow(
                rank=position,
                team_id=row["team_id"],
                team_name=row["name"],
                institution=row["institution"],
                score=score,
                metrics=dict(row["metrics"] or {}),
                submission_id=row["submission_id"],
                submitted_at=_aware(row["submitted_at"]),
                entries=int(row["entries"]),
                last_submitted_at=_aware(row["last_at"]),
                is_baseline=bool(row["is_baseline"] or row["team_is_baseline"]),
                tied_with_previous=previous is not None and score == previous,
            )
        )
        previous = score
    return rows


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
