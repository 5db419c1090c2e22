"""Chart data for a challenge page: each team's best score over time, and the distribution of scores.

Only data the viewer may see goes in: a split's chart needs the permission to see that split's board;
while a phase's board is frozen, viewers who are not organizers get data only up to the freeze; and in
phases that release public scores through the Ladder, only organizers get charts (per-submission values
would undo what the Ladder hides). Values are rounded to the track's precision for everyone else, as the
board shows them. Rendering is the web layer's business; this module only produces numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from arena.enums import Direction, Split, SubmissionStatus, TeamStatus
from arena.models import Phase, Score, Submission, Team
from arena.permissions import Action, Actor, decide, phase_resource

TOP_TEAMS = 10
BINS = 20


@dataclass(frozen=True)
class Point:
    """A team's best score as it stood from ``at`` on."""

    at: datetime
    score: float


@dataclass(frozen=True)
class TeamSeries:
    """One team's best score over time: a point each time it improved."""

    team_id: int
    team_name: str
    is_baseline: bool
    points: list[Point]

    @property
    def best(self) -> float:
        """The team's best score at the end of the series."""
        return self.points[-1].score


@dataclass(frozen=True)
class Histogram:
    """How many submissions scored in each bin; ``edges`` has one more entry than ``counts``."""

    edges: list[float]
    counts: list[int]

    @property
    def total(self) -> int:
        """How many scores were counted."""
        return sum(self.counts)


@dataclass(frozen=True)
class PhaseChart:
    """What a challenge page charts for one phase and split."""

    phase_id: int
    split: Split
    direction: str
    start: datetime
    end: datetime
    frozen_at: datetime | None
    series: list[TeamSeries] = field(default_factory=list)
    histogram: Histogram = field(default_factory=lambda: Histogram([], []))

    @property
    def is_empty(self) -> bool:
        """Whether there is nothing to draw."""
        return not self.series


def data_cutoff(actor: Actor, phase: Phase, now: datetime) -> datetime | None:
    """Return the time after which the viewer may not see scores (the freeze), or None for no limit."""
    if decide(actor, Action.VIEW_ALL_SUBMISSIONS, phase_resource(phase, now)):
        return None
    if phase.freeze_at is not None and phase.freeze_at <= now < phase.closes_at:
        return phase.freeze_at
    return None


def visible_splits(actor: Actor, phase: Phase, now: datetime) -> list[Split]:
    """Return the splits whose charts the viewer may see."""
    resource = phase_resource(phase, now)
    staff = decide(actor, Action.VIEW_ALL_SUBMISSIONS, resource)
    if phase.use_ladder and not staff:
        return []
    splits = [Split.PUBLIC] if decide(actor, Action.VIEW_PUBLIC_LEADERBOARD, resource) else []
    if decide(actor, Action.VIEW_PRIVATE_LEADERBOARD, resource):
        splits.append(Split.PRIVATE)
    return splits


def _scores(
    session: Session, phase: Phase, split: Split, cutoff: datetime | None
) -> list[tuple[datetime, float, int, str, bool]]:
    query = (
        select(Submission.created_at, Score.primary, Team.id, Team.name, Team.is_baseline)
        .join(Submission, Submission.id == Score.submission_id)
        .join(Team, Team.id == Submission.team_id)
        .where(
            Score.phase_id == phase.id,
            Score.split == split.value,
            Score.version == phase.score_version,
            Submission.status == SubmissionStatus.SCORED,
            Submission.is_hidden.is_(False),
            Team.status != TeamStatus.DISQUALIFIED,
        )
        .order_by(Submission.created_at, Submission.id)
    )
    if cutoff is not None:
        query = query.where(Submission.created_at < cutoff)
    rows = session.execute(query)
    return [(at, float(score), int(tid), str(name), bool(base)) for at, score, tid, name, base in rows]


def best_over_time(
    rows: list[tuple[datetime, float, int, str, bool]], direction: str, top: int = TOP_TEAMS
) -> list[TeamSeries]:
    """Turn time-ordered (time, score, team id, name, baseline) rows into the ``top`` teams' running bests."""
    maximize = direction == Direction.MAX

    def better(a: float, b: float) -> bool:
        return a > b if maximize else a < b

    points: dict[int, list[Point]] = {}
    names: dict[int, tuple[str, bool]] = {}
    for at, score, team_id, name, baseline in rows:
        series = points.setdefault(team_id, [])
        names[team_id] = (name, baseline)
        if not series or better(score, series[-1].score):
            series.append(Point(at=at, score=score))
    ordered = sorted(points, key=lambda t: points[t][-1].score, reverse=maximize)
    return [TeamSeries(t, names[t][0], names[t][1], points[t]) for t in ordered[:top]]


def histogram(values: list[float], bins: int = BINS) -> Histogram:
    """Count ``values`` in ``bins`` equal-width bins between their minimum and maximum."""
    if not values:
        return Histogram([], [])
    low, high = min(values), max(values)
    if low == high:
        return Histogram([low, high], [len(values)])
    width = (high - low) / bins
    counts = [0] * bins
    for value in values:
        counts[min(bins - 1, int((value - low) / width))] += 1
    return Histogram([low + i * width for i in range(bins)] + [high], counts)


def phase_chart(session: Session, phase: Phase, split: Split, actor: Actor, now: datetime) -> PhaseChart | None:
    """Return the charts of one phase and split for this viewer, or None if the viewer may not see them."""
    if split not in visible_splits(actor, phase, now):
        return None
    cutoff = data_cutoff(actor, phase, now)
    rows = _scores(session, phase, split, cutoff)
    if not decide(actor, Action.VIEW_ALL_SUBMISSIONS, phase_resource(phase, now)):
        precision = phase.track.precision
        rows = [(at, round(score, precision), tid, name, base) for at, score, tid, name, base in rows]
    end = min(now, phase.closes_at, cutoff) if cutoff is not None else min(now, phase.closes_at)
    start = min([phase.opens_at, *(r[0] for r in rows[:1])])
    return PhaseChart(
        phase_id=phase.id,
        split=split,
        direction=phase.track.direction,
        start=start,
        end=max(end, rows[-1][0]) if rows else end,
        frozen_at=cutoff,
        series=best_over_time(rows, phase.track.direction),
        histogram=histogram([r[1] for r in rows]),
    )


def challenge_charts(session: Session, phases: list[Phase], actor: Actor, now: datetime) -> list[PhaseChart]:
    """Return every non-empty chart the viewer may see for the given phases, public split first."""
    charts = []
    for phase in phases:
        for split in visible_splits(actor, phase, now):
            chart = phase_chart(session, phase, split, actor, now)
            if chart is not None and not chart.is_empty:
                charts.append(chart)
    return charts


def team_chart(session: Session, phase: Phase, split: Split, team_id: int, label: str) -> PhaseChart:
    """One team's best score over the phase on ``split`` (every scored submission), its series named ``label``."""
    rows = [(at, score, tid, label, base) for at, score, tid, _, base in _scores(session, phase, split, None)]
    mine = [row for row in rows if row[2] == team_id]
    return PhaseChart(
        phase_id=phase.id,
        split=split,
        direction=phase.track.direction,
        start=min([phase.opens_at, *(r[0] for r in mine[:1])]),
        end=max([phase.closes_at, *(r[0] for r in mine[-1:])]),
        frozen_at=None,
        series=best_over_time(mine, phase.track.direction),
    )
