"""Aggregating judges' rubric marks: per-judge totals, mean / trimmed mean / z-score, agreement and deviation.

Everything here is a pure function of the raw marks, so changing the method recomputes from them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from arena.errors import InvalidInput


class Method(StrEnum):
    """How judges' totals for a finalist become one judges' score."""

    MEAN = "mean"
    TRIMMED = "trimmed"
    ZSCORE = "zscore"


class MissingRule(StrEnum):
    """What a missing mark (an assigned judge who has not scored a finalist) does."""

    EXCLUDE = "exclude"
    BLOCK = "block"


def parse_method(value: str) -> Method:
    """Return the aggregation method named ``value`` or raise InvalidInput."""
    try:
        return Method(value)
    except ValueError:
        raise InvalidInput(
            "unknown aggregation method %(value)s; use mean, trimmed or zscore",
            field="aggregation",
            params={"value": value},
        ) from None


def parse_missing_rule(value: str) -> MissingRule:
    """Return the missing-mark rule named ``value`` or raise InvalidInput."""
    try:
        return MissingRule(value)
    except ValueError:
        raise InvalidInput(
            "unknown missing-score rule %(value)s; use exclude or block", field="missing_rule", params={"value": value}
        ) from None


@dataclass(frozen=True)
class Scale:
    """A rubric criterion as aggregation sees it: its weight and range."""

    criterion_id: int
    weight: float
    min_points: float
    max_points: float


def judge_total(points: Mapping[int, float], scales: Sequence[Scale]) -> float | None:
    """A judge's total for one finalist: the weighted mean of the points, each scaled to 0..1 by its range.

    None unless every criterion is marked.
    """
    if not scales or any(s.criterion_id not in points for s in scales):
        return None
    weight = sum(s.weight for s in scales)
    scaled = sum(s.weight * (points[s.criterion_id] - s.min_points) / (s.max_points - s.min_points) for s in scales)
    return scaled / weight


# judge id → finalist id → that judge's total (0..1)
Totals = Mapping[int, Mapping[int, float]]


@dataclass(frozen=True)
class Aggregate:
    """The judges' score per finalist, and what is missing."""

    scores: dict[int, float | None]
    judges_counted: dict[int, int]
    missing: list[tuple[int, int]] = field(default_factory=list)
    blocked: bool = False


def zscores(totals: Mapping[int, float]) -> dict[int, float]:
    """One judge's totals as z-scores over the finalists that judge scored (all 0 when they are all equal)."""
    values = list(totals.values())
    if not values:
        return {}
    mean = sum(values) / len(values)
    spread = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))
    if spread <= 1e-12 * max(1.0, abs(mean)):
        return {k: 0.0 for k in totals}
    return {k: (v - mean) / spread for k, v in totals.items()}


def aggregate(
    totals: Totals,
    finalists: Sequence[int],
    expected: Mapping[int, set[int]],
    *,
    method: Method,
    missing_rule: MissingRule,
    trim_min_judges: int = 5,
) -> Aggregate:
    """Combine judges' totals per finalist by ``method``; ``expected`` says which finalists each judge must score."""
    missing = sorted(
        (judge, finalist)
        for judge, owed in expected.items()
        for finalist in owed
        if finalist not in totals.get(judge, {})
    )
    by_judge: dict[int, Mapping[int, float]] = dict(totals)
    if method is Method.ZSCORE:
        by_judge = {judge: zscores(values) for judge, values in totals.items()}
    scores: dict[int, float | None] = {}
    counted: dict[int, int] = {}
    for finalist in finalists:
        values = sorted(v[finalist] for v in by_judge.values() if finalist in v)
        if method is Method.TRIMMED and len(values) >= max(trim_min_judges, 3):
            values = values[1:-1]
        counted[finalist] = len(values)
        scores[finalist] = sum(values) / len(values) if values else None
    return Aggregate(scores, counted, missing, blocked=missing_rule is MissingRule.BLOCK and bool(missing))


def average_ranks(values: Mapping[int, float]) -> dict[int, float]:
    """Rank values from best (highest, rank 1) down; tied values share the mean of their positions."""
    ordered = sorted(values.items(), key=lambda item: -item[1])
    ranks: dict[int, float] = {}
    start = 0
    while start < len(ordered):
        end = start
        while end + 1 < len(ordered) and ordered[end + 1][1] == ordered[start][1]:
            end += 1
        for key, _ in ordered[start : end + 1]:
            ranks[key] = (start + end) / 2 + 1
        start = end + 1
    return ranks


def kendall_w(totals: Totals) -> float | None:
    """Kendall's W (tie-corrected) over the judges' rankings of the finalists every judge scored.

    None when fewer than two judges or two such finalists remain, or when every judge tied everything.
    """
    judges = [j for j, v in totals.items() if v]
    if len(judges) < 2:
        return None
    common = set.intersection(*(set(totals[j]) for j in judges))
    n, m = len(common), len(judges)
    if n < 2:
        return None
    sums = dict.fromkeys(common, 0.0)
    ties = 0.0
    for judge in judges:
        values = {k: totals[judge][k] for k in common}
        for key, rank in average_ranks(values).items():
            sums[key] += rank
        for group in _tie_groups(values):
            ties += group**3 - group
    mean = m * (n + 1) / 2
    s = sum((r - mean) ** 2 for r in sums.values())
    denominator = m**2 * (n**3 - n) - m * ties
    return None if denominator <= 0 else 12 * s / denominator


def _tie_groups(values: Mapping[int, float]) -> list[int]:
    counts: dict[float, int] = {}
    for value in values.values():
        counts[value] = counts.get(value, 0) + 1
    return [c for c in counts.values() if c > 1]


def judge_deviation(totals: Totals) -> dict[int, float | None]:
    """Each judge's mean absolute difference from the other judges' mean, over finalists others scored too."""
    result: dict[int, float | None] = {}
    for judge, values in totals.items():
        gaps = []
        for finalist, value in values.items():
            others = [v[finalist] for j, v in totals.items() if j != judge and finalist in v]
            if others:
                gaps.append(abs(value - sum(others) / len(others)))
        result[judge] = sum(gaps) / len(gaps) if gaps else None
    return result
