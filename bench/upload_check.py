"""Upload check benchmark: checking a digits-like result file against its key vs scoring it, in one run.

The check is what an upload does before it is accepted (the scorer's reading of the file plus the declared
label set; the key comes parsed from the process's cache, and cold, parsed for this upload). Scoring is what
the worker did before the upload check existed: parse the key, read the file, score the public and private
split. Both run on the same bytes in the same process; the ratios are what to compare, not the seconds.

    python bench/upload_check.py [--rows 1000000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

import scorers

LABELS = [str(i) for i in range(10)]
DECLARED = {"label": {"labels": list(range(10))}}


@dataclass(frozen=True)
class Timing:
    """Median seconds of each step and their ratios to scoring."""

    rows: int
    check_warm: float
    check_cold: float
    scoring: float

    @property
    def warm_ratio(self) -> float:
        """Check with a cached key, over scoring."""
        return self.check_warm / self.scoring

    @property
    def cold_ratio(self) -> float:
        """Check that parses the key too, over scoring."""
        return self.check_cold / self.scoring


def digits_files(rows: int, seed: int = 0) -> tuple[bytes, bytes]:
    """Return (key, predictions) CSV bytes: ``id,label`` with digits, about 90% of predictions right."""
    rng = np.random.default_rng(seed)
    ids = pd.Series(np.arange(rows)).map("img{:07d}".format)
    truth = rng.integers(0, 10, rows)
    guess = np.where(rng.random(rows) < 0.9, truth, rng.integers(0, 10, rows))
    key = pd.DataFrame({"id": ids, "label": truth}).to_csv(index=False).encode()
    order = rng.permutation(rows)
    predictions = pd.DataFrame({"id": ids.to_numpy()[order], "label": guess[order]}).to_csv(index=False).encode()
    return key, predictions


def _timed(fn: Callable[[], Any], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run(rows: int, repeats: int = 3) -> Timing:
    """Time the upload check (warm and cold key) and scoring on one digits-like file of ``rows`` rows."""
    key_bytes, data = digits_files(rows)
    scorer = scorers.get_scorer("accuracy")
    targets = scorers.track_targets(scorer, ["label"], DECLARED)
    key = scorers.read_key(key_bytes, id_column="id", target_columns=["label"])
    public = np.random.default_rng(1).random(len(key)) < 0.3
    limit = len(data) + 1

    def check(parsed: pd.DataFrame) -> None:
        scorers.check_predictions(
            scorer, data, parsed, id_column="id", target_columns=["label"], targets=targets, max_bytes=limit
        )

    def cold() -> None:
        check(scorers.read_key(key_bytes, id_column="id", target_columns=["label"]))

    def scoring() -> None:
        parsed = scorers.read_key(key_bytes, id_column="id", target_columns=["label"])
        predictions = scorer.read_predictions(data, parsed, id_column="id", target_columns=["label"], max_bytes=limit)
        for rows_mask in (public, ~public):
            scorer.score(parsed.loc[rows_mask], predictions.loc[rows_mask])

    # Interleaved, so that a slow moment of a shared machine hits every step alike.
    warm, chill, score = [], [], []
    for _ in range(repeats):
        warm.append(_timed(lambda: check(key), 1))
        chill.append(_timed(cold, 1))
        score.append(_timed(scoring, 1))
    return Timing(
        rows=rows,
        check_warm=statistics.median(warm),
        check_cold=statistics.median(chill),
        scoring=statistics.median(score),
    )


def main() -> None:
    """Print the medians and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    t = run(args.rows, args.repeats)
    print(f"digits-like file of {t.rows:,} rows, median of {args.repeats}")
    print(f"  upload check, key cached   {t.check_warm:8.3f} s   {t.warm_ratio:5.2f} x scoring")
    print(f"  upload check, key parsed   {t.check_cold:8.3f} s   {t.cold_ratio:5.2f} x scoring")
    print(f"  scoring (key, file, 2 splits) {t.scoring:5.3f} s")


if __name__ == "__main__":
    main()
