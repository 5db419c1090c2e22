"""Bootstrap intervals, rank intervals, statistical ties and the Ladder, including a boosting attack."""

from __future__ import annotations

import numpy as np

from arena.boards.statistics import board_seed, board_statistics, ladder_releases, resample_weights


def _board(values: np.ndarray, higher: bool = True):  # type: ignore[no-untyped-def]
    means = values.mean(axis=1)
    order = np.argsort(-means if higher else means, kind="stable")
    return board_statistics(means[order], values[order], higher_is_better=higher, seed=7), order


def test_identical_teams_are_a_statistical_tie_and_share_the_rank_interval() -> None:
    rng = np.random.default_rng(1)
    cases = (rng.random(500) < 0.7).astype(float)
    stats, _ = _board(np.vstack([cases, cases, cases]))
    assert [s.statistical_tie for s in stats] == [False, True, True]
    # Identical rows keep their order in every resample, so ranks are fixed; CIs are equal and contain 0.7.
    assert stats[0].ci_low == stats[1].ci_low and stats[0].ci_low < cases.mean() < stats[0].ci_high


def test_clearly_different_teams_are_not_tied_and_have_tight_rank_intervals() -> None:
    rng = np.random.default_rng(2)
    good = (rng.random(2000) < 0.9).astype(float)
    bad = (rng.random(2000) < 0.6).astype(float)
    stats, order = _board(np.vstack([bad, good]))
    assert list(order) == [1, 0]
    assert [s.statistical_tie for s in stats] == [False, False]
    assert [(s.rank_low, s.rank_high) for s in stats] == [(1, 1), (2, 2)]
    assert stats[0].ci_low > stats[1].ci_high


def test_close_teams_have_overlapping_rank_intervals() -> None:
    rng = np.random.default_rng(3)
    truth = rng.random((4, 300))
    values = (truth < np.array([[0.70], [0.69], [0.68], [0.30]])).astype(float)
    stats, _ = _board(values)
    assert stats[0].rank_low == 1 and stats[0].rank_high >= 2
    assert stats[1].statistical_tie
    assert not stats[3].statistical_tie and (stats[3].rank_low, stats[3].rank_high) == (4, 4)


def test_ci_coverage_is_close_to_95_percent() -> None:
    rng = np.random.default_rng(4)
    covered = 0
    trials = 200
    for trial in range(trials):
        sample = (rng.random(400) < 0.6).astype(float)
        (stat,) = board_statistics(np.array([sample.mean()]), sample[None, :], higher_is_better=True, seed=trial)
        covered += stat.ci_low <= 0.6 <= stat.ci_high
    assert 0.90 <= covered / trials <= 0.99


def test_cluster_bootstrap_is_wider_when_cases_are_correlated_within_clusters() -> None:
    rng = np.random.default_rng(5)
    clusters = np.repeat(np.arange(40), 25)
    per_cluster = (rng.random(40) < 0.5).astype(float)
    values = per_cluster[clusters][None, :]
    primaries = values.mean(axis=1)
    (plain,) = board_statistics(primaries, values, higher_is_better=True, seed=1)
    (clustered,) = board_statistics(primaries, values, higher_is_better=True, seed=1, clusters=clusters)
    assert (clustered.ci_high - clustered.ci_low) > 3 * (plain.ci_high - plain.ci_low)
    weights = resample_weights(1000, np.random.default_rng(0), 10, clusters)
    assert weights.shape == (10, 1000) and np.all(weights.sum(axis=1) > 0)


def test_statistics_are_reproducible_per_board() -> None:
    rng = np.random.default_rng(6)
    values = rng.random((5, 100))
    seed = board_seed(3, "private", 1)
    first = board_statistics(values.mean(axis=1), values, higher_is_better=True, seed=seed)
    again = board_statistics(values.mean(axis=1), values, higher_is_better=True, seed=board_seed(3, "private", 1))
    assert first == again and seed != board_seed(4, "private", 1)


def test_ladder_releases_only_significant_improvements() -> None:
    rng = np.random.default_rng(7)
    base = (rng.random(1000) < 0.7).astype(float)
    assert ladder_releases(0.7, base, None, None, higher_is_better=True)
    slightly = base.copy()
    # +0.003 overall, but 97 cases changed: the gain is within one standard error of the paired differences.
    slightly[np.flatnonzero(base == 0)[:50]] = 1.0
    slightly[np.flatnonzero(base == 1)[:47]] = 0.0
    assert not ladder_releases(slightly.mean(), slightly, base.mean(), base, higher_is_better=True)
    clearly = base.copy()
    clearly[np.flatnonzero(base == 0)[:60]] = 1.0  # +0.06, every change an improvement
    assert ladder_releases(clearly.mean(), clearly, base.mean(), base, higher_is_better=True)
    # Lower-is-better: a loss must drop by more than the margin.
    assert ladder_releases(1 - clearly.mean(), 1 - clearly, 1 - base.mean(), 1 - base, higher_is_better=False)


class _PublicBoard:
    """The public board as an attacker sees it: the released score, with or without the Ladder."""

    def __init__(self, labels: np.ndarray, ladder: bool, precision: int = 5) -> None:
        self.labels = labels
        self.ladder = ladder
        self.precision = precision
        self.released: float | None = None
        self.released_values: np.ndarray | None = None

    def submit(self, predictions: np.ndarray) -> float | None:
        """Return the score shown for this submission (the released value)."""
        values = (predictions == self.labels).astype(float)
        score = float(values.mean())
        if not self.ladder:
            return round(score, self.precision)
        if ladder_releases(score, values, self.released, self.released_values, higher_is_better=True):
            self.released, self.released_values = score, values
        return None if self.released is None else round(self.released, self.precision)


def _boosting_attack(seed: int, ladder: bool, cases: int = 4000, k: int = 400) -> tuple[float, float, float]:
    """Random labels; k random submissions; keep those that improved the shown score; majority-vote them."""
    rng = np.random.default_rng(seed)
    public = rng.integers(0, 2, cases)
    private = rng.integers(0, 2, cases)
    board = _PublicBoard(public, ladder)
    kept = []
    best = -1.0
    for _ in range(k):
        guess = rng.integers(0, 2, 2 * cases)
        shown = board.submit(guess[:cases])
        if shown is not None and (shown > best if ladder else shown > 0.5):
            kept.append(guess)
            best = max(best, shown)
    if not kept:
        kept.append(rng.integers(0, 2, 2 * cases))
    vote = (np.mean(kept, axis=0) > 0.5).astype(int)
    before = board.released if ladder else None
    shown = board.submit(vote[:cases])
    true_public = float((vote[:cases] == public).mean())
    private_score = float((vote[cases:] == private).mean())
    if ladder:
        assert shown is not None and before is not None
        return shown, true_public, private_score
    return float(shown or 0.0), true_public, private_score


def test_boosting_attack_climbs_without_the_ladder_and_not_with_it() -> None:
    for seed in (11, 12, 13):
        shown, _, private = _boosting_attack(seed, ladder=False)
        assert shown > 0.54, shown
        assert abs(private - 0.5) < 0.03, private
        laddered, true_public, private = _boosting_attack(seed, ladder=True)
        assert laddered < 0.52, laddered
        assert true_public < 0.53 and abs(private - 0.5) < 0.03
