"""MAP@k for ranked label lists, with Kaggle's first-hit semantics."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from scorers.base import BaseScorer, truth_column
from scorers.options import Options
from scorers.result import ScoreResult
from scorers.validation import ColumnSpec, ValueKind, list_items, list_lengths, read_prediction_table

MAX_K = 100


def average_precision_at_k(lists: pd.Series, truth: pd.Series, k: int) -> np.ndarray:
    """Per-row AP@k with one true label: 1/position of its first occurrence within k, else 0."""
    n = len(truth)
    lengths = list_lengths(lists)
    items = list_items(lists)
    rows = np.repeat(np.arange(n), lengths)
    starts = np.cumsum(lengths) - lengths
    positions = np.arange(len(rows)) - starts[rows]
    expected = truth.astype(items.dtype).reset_index(drop=True).take(rows).array
    hit = np.asarray(items.array == expected, dtype=bool) & (positions < k)
    hit_rows, hit_positions = rows[hit], positions[hit]
    first = np.ones(len(hit_rows), dtype=bool)
    first[1:] = hit_rows[1:] != hit_rows[:-1]
    ap = np.zeros(n, dtype=float)
    ap[hit_rows[first]] = 1.0 / (hit_positions[first] + 1)
    return ap


class MapAtKScorer(BaseScorer):
    """Mean average precision at k for one true label per id (Kaggle whale/Happywhale semantics)."""

    name = "map_at_k"
    version = "1"

    def __init__(self, options: Options) -> None:
        super().__init__(options)
        self.k = options.integer("k", 5, 1, MAX_K)
        self.new_label = options.text("new_label", "new_individual")
        self.metric_name = f"map@{self.k}"

    def read_predictions(
        self,
        data: bytes,
        key: pd.DataFrame,
        *,
        id_column: str,
        target_columns: Sequence[str],
        max_bytes: int,
    ) -> pd.DataFrame:
        """Validate a CSV of whitespace-separated ranked labels (at most k per row)."""
        specs = [ColumnSpec(name, ValueKind.RANKED, max_items=self.k) for name in target_columns[:1]]
        return read_prediction_table(data, key, id_column=id_column, columns=specs, max_bytes=max_bytes)

    def score(self, key: pd.DataFrame, predictions: pd.DataFrame) -> ScoreResult:
        """Score ranked label lists against the key column of the same name."""
        column = predictions.columns[0]
        truth = truth_column(key, column, self.name).astype("str")
        ap = average_precision_at_k(predictions[column], truth, self.k)
        metrics = {self.metric_name: float(ap.mean()), "top1_accuracy": float((ap == 1.0).mean())}
        is_new = (truth == self.new_label).to_numpy(dtype=bool)
        if is_new.any():
            metrics[f"{self.metric_name}_{self.new_label}"] = float(ap[is_new].mean())
        if (~is_new).any():
            metrics[f"{self.metric_name}_known"] = float(ap[~is_new].mean())
        return ScoreResult(
            primary=metrics[self.metric_name],
            metrics=metrics,
            per_case=tuple(ap.tolist()),
            clusters=self.clusters(key),
        )


def make_map_at_k(options: Options) -> MapAtKScorer:
    """Build the MAP@k scorer."""
    return MapAtKScorer(options)
