"""Honest board statistics: bootstrap confidence intervals, rank intervals, statistical ties, and the Ladder.

Everything here is pure numpy on per-case values (one row per team, one column per test case, every row
scored on the same cases in the same order). The database and the blob store stay in ``arena.boards.standings``
and ``arena.boards.intervals``.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

RESAMPLES = 1000
LEVEL = 0.95

Floats = NDArray[np.float64]


@dataclass(frozen=True)
class RowStatistics:
    """The bootstrap verdict on one board row."""

    ci_low: float
    ci_high: float
    rank_low: int
    rank_high: int
    statistical_tie: bool


def board_seed(*parts: object) -> int:
    """Return a stable 64-bit seed for one board, so its statistics are reproducible."""
    digest = hashlib.sha256("/".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big")


def resample_weights(
    cases: int, rng: np.random.Generator, resamples: int = RESAMPLES, clusters: NDArray[np.int64] | None = None
) -> Floats:
    """Return a ``resamples × cases`` matrix of bootstrap weights (how often each case was drawn).

    With ``clusters`` (a cluster code per case, 0..G-1), whole clusters are drawn with replacement and every
    case of a drawn cluster is counted once per draw: the cluster bootstrap.
    """
    if clusters is None:
        draws = rng.integers(0, cases, size=(resamples, cases))
        offsets = (np.arange(resamples, dtype=np.int64) * cases)[:, None]
        counts = np.bincount((draws + offsets).ravel(), minlength=resamples * cases)
        return counts.reshape(resamples, cases).astype(np.float64)
    groups = int(clusters.max()) + 1
    draws = rng.integers(0, groups, size=(resamples, groups))
    offsets = (np.arange(resamples, dtype=np.int64) * groups)[:, None]
    per_group = np.bincount((draws + offsets).ravel(), minlength=resamples * groups).reshape(resamples, groups)
    return per_group[:, clusters].astype(np.float64)


def bootstrap_means(values: Floats, weights: Floats) -> Floats:
    """Return the ``teams × resamples`` matrix of resampled means (paired: the same weights for every team)."""
    totals = weights.sum(axis=1)
    totals[totals == 0] = 1.0
    means: Floats = (values @ weights.T) / totals[None, :]
    return means


def board_statistics(
    primaries: Floats,
    values: Floats,
    *,
    higher_is_better: bool,
    seed: int,
    clusters: NDArray[np.int64] | None = None,
    resamples: int = RESAMPLES,
) -> list[RowStatistics]:
    """Return the CI, rank interval and statistical-tie flag of every row of a ranked board.

    ``values`` is ``teams × cases`` in board order. The CI is a percentile interval of the resampled mean,
    shifted onto ``primaries`` (exact when the metric is the mean of its per-case values, a first-order
    correction otherwise). Ranks are recomputed in every resample; a row is a statistical tie with the row
    above when the paired bootstrap interval of their difference covers 0.
    """
    teams, cases = values.shape
    if teams == 0 or cases == 0:
        return []
    rng = np.random.default_rng(seed)
    weights = resample_weights(cases, rng, resamples, clusters)
    means = bootstrap_means(values, weights)
    centre = values.mean(axis=1)
    tail = (1.0 - LEVEL) / 2.0
    low, high = np.quantile(means - centre[:, None], [tail, 1.0 - tail], axis=1)
    oriented = means if higher_is_better else -means
    order = np.argsort(-oriented, axis=0, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(1, teams + 1)[:, None].repeat(resamples, axis=1), axis=0)
    rank_low = np.quantile(ranks, tail, axis=1, method="lower")
    rank_high = np.quantile(ranks, 1.0 - tail, axis=1, method="higher")
    ties = [False]
    for row in range(1, teams):
        difference = oriented[row - 1] - oriented[row]
        d_low, d_high = np.quantile(difference, [tail, 1.0 - tail])
        ties.append(bool(d_low <= 0.0 <= d_high))
    return [
        RowStatistics(
            ci_low=float(primaries[i] + low[i]),
            ci_high=float(primaries[i] + high[i]),
            rank_low=int(rank_low[i]),
            rank_high=int(rank_high[i]),
            statistical_tie=ties[i],
        )
        for i in range(teams)
    ]


def ladder_step(values: Floats, current: Floats | None) -> float:
    """Return the Ladder's margin for a new submission: one standard error of the paired per-case differences.

    Against no released submission the margin is 0: a team's first score is always released.
    """
    if current is None or len(current) != len(values) or len(values) < 2:
        return 0.0
    difference = values - current
    return float(np.std(difference, ddof=1) / math.sqrt(len(values)))


def ladder_releases(
    new_score: float,
    new_values: Floats,
    released_score: float | None,
    released_values: Floats | None,
    *,
    higher_is_better: bool,
) -> bool:
    """Whether the parameter-free Ladder (Blum & Hardt) releases a new public score.

    The new score is released only if it beats the team's released score by more than one standard error of
    the paired per-case differences; otherwise the previously released value stays on the board.
    """
    if released_score is None:
        return True
    margin = ladder_step(new_values, released_values)
    gain = new_score - released_score if higher_is_better else released_score - new_score
    return gain > margin
