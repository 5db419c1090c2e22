"""MAP@k for ranked label lists, with Kaggle's first-hit semantics."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from scorers.base import BaseScorer, truth_column
from scorers.errors import PredictionFileError
from scorers.options import Options
from scorers.ranked_csv import read_ranked
from scorers.ranked_lists import RankedLists
from scorers.result import ScoreResult
from scorers.table import check_bytes
from scorers.targets import RANKED, Target
from scorers.validation import WHAT, ColumnSpec, ValueKind, list_items, list_lengths, read_prediction_table

MAX_K = 100


def first_hits(lists: pd.Series, truth: pd.Series, k: int) -> np.ndarray:
    """Return each row's 0-based position of the first label equal to its truth within k (k: none)."""
    array = lists.array
    if isinstance(array, RankedLists):
        return _ranked_first_hits(array, truth, k)
    lengths = list_lengths(lists)
    items = list_items(lists).astype("str").array
    rows = np.repeat(np.arange(len(lengths)), lengths)
    starts = np.cumsum(lengths) - lengths
    positions = np.arange(len(rows)) - starts[rows]
    hit = np.asarray(items == truth.array.take(rows), dtype=bool) & (positions < k)
    first = np.full(len(lengths), k, dtype=np.int64)
    # Hits are ordered by row and position, so the reversed assignment leaves each row's first hit.
    first[rows[hit][::-1]] = positions[hit][::-1]
    return first


def _ranked_first_hits(lists: RankedLists, truth: pd.Series, k: int) -> np.ndarray:
    """First hits of rank columns, compared column by column."""
    first = np.full(len(lists), k, dtype=np.int64)
    ranks = lists.ranks[:k]
    if lists.rows is None:
        for j in range(len(ranks) - 1, -1, -1):
            first[np.asarray(ranks[j] == truth.array, dtype=bool)] = j
        return first
    # Rows in another order: compare dictionary codes of the labels instead of reordered strings.
    truth_codes, truth_labels = pd.factorize(truth.array)
    vocabulary = pd.Index(truth_labels)
    rows = lists.rows
    present = rows >= 0
    for j in range(len(ranks) - 1, -1, -1):
        codes, labels = pd.factorize(ranks[j])
        mapped = np.append(vocabulary.get_indexer(labels), -1)[codes]
        hit = np.zeros(len(rows), dtype=bool)
        hit[present] = mapped[rows[present]] == truth_codes[present]
        first[hit] = j
    return first


def average_precision_at_k(lists: pd.Series, truth: pd.Series, k: int) -> np.ndarray:
    """Per-row AP@k with one true label: 1/position of its first occurrence within k, else 0."""
    return np.asarray(_reciprocals(k)[first_hits(lists, truth.astype("str"), k)], dtype=float)


def _reciprocals(k: int) -> np.ndarray:
    """Return AP by first-hit position: 1/(j+1) for j < k, then 0 for no hit."""
    return np.append(1.0 / np.arange(1, k + 1), 0.0)


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
        if len(specs) == 1:
            checked = check_bytes(data, what=WHAT, error=PredictionFileError, max_bytes=max_bytes)
            key_index = pd.Index(key.index.astype("str"))
            fast = read_ranked(checked, key_index, column=specs[0].name, id_column=id_column, k=self.k)
            if fast is not None:
                return fast
        return read_prediction_table(data, key, id_column=id_column, columns=specs, max_bytes=max_bytes)

    def prediction_targets(self, target_columns: Sequence[str]) -> dict[str, Target]:
        """Up to k ranked labels per id; the key's column holds the one true label."""
        return {name: Target(RANKED, max_items=self.k, truth=True) for name in target_columns[:1]}

    def score(self, key: pd.DataFrame, predictions: pd.DataFrame) -> ScoreResult:
        """Score ranked label lists against the key column of the same name."""
        column = predictions.columns[0]
        truth = truth_column(key, column, self.name).astype("str")
        first = first_hits(predictions[column], truth, self.k)
        ap = _reciprocals(self.k)[first]
        metrics = {self.metric_name: float(ap.mean()), "top1_accuracy": float((ap == 1.0).mean())}
        is_new = (truth == self.new_label).to_numpy(dtype=bool)
        if is_new.any():
            metrics[f"{self.metric_name}_{self.new_label}"] = float(ap[is_new].mean())
        if (~is_new).any():
            metrics[f"{self.metric_name}_known"] = float(ap[~is_new].mean())
        return ScoreResult(
            primary=metrics[self.metric_name],
            metrics=metrics,
            # One float object per position, shared by every row with that first hit.
            per_case=tuple(np.array(_reciprocals(self.k).tolist(), dtype=object)[first]),
            clusters=self.clusters(key),
        )
