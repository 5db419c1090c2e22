"""MAP@k for ranked label lists, with Kaggle's first-hit semantics."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from scorers.base import BaseScorer, truth_column
from scorers.errors import PredictionFileError
from scorers.options import Options
from scorers.ranked_csv import dictionary_lists, read_ranked
from scorers.result import ScoreResult
from scorers.table import check_bytes
from scorers.validation import WHAT, ColumnSpec, ValueKind, read_prediction_table

MAX_K = 100


def _arrow(values: pd.Series) -> pa.ChunkedArray:
    """Return a column as a chunked Arrow array (lists of Python strings are converted)."""
    array = values.array
    if isinstance(array, pd.arrays.ArrowExtensionArray | pd.arrays.ArrowStringArray):
        converted = pa.array(array)
    else:
        converted = pa.array(list(array))
    return converted if isinstance(converted, pa.ChunkedArray) else pa.chunked_array([converted])


def average_precision_at_k(lists: pd.Series, truth: pd.Series, k: int) -> np.ndarray:
    """Per-row AP@k with one true label: 1/position of its first occurrence within k, else 0."""
    chunks = _arrow(lists).chunks
    truths = _arrow(truth.astype("str")).combine_chunks().cast(pa.large_string())
    parts, start = [], 0
    for chunk in chunks:
        parts.append(_chunk_ap(chunk, truths.slice(start, len(chunk)), k))
        start += len(chunk)
    return np.concatenate(parts) if parts else np.zeros(0, dtype=float)


def _chunk_ap(lists: pa.Array, truth: pa.Array, k: int) -> np.ndarray:
    """AP@k of one chunk of lists, compared through dictionary codes."""
    if not pa.types.is_dictionary(lists.type.value_type):
        lists = dictionary_lists(lists)
    n = len(lists)
    lengths = pc.list_value_length(lists).fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
    values = lists.flatten()
    codes = values.indices.to_numpy(zero_copy_only=False)
    wanted = pc.index_in(truth, value_set=values.dictionary).fill_null(-1).to_numpy(zero_copy_only=False)
    rows = np.repeat(np.arange(n), lengths)
    starts = np.cumsum(lengths) - lengths
    positions = np.arange(len(rows)) - starts[rows]
    hit = (codes == wanted[rows]) & (positions < k)
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
        if len(specs) == 1:
            checked = check_bytes(data, what=WHAT, error=PredictionFileError, max_bytes=max_bytes)
            key_index = pd.Index(key.index.astype("str"))
            fast = read_ranked(checked, key_index, column=specs[0].name, id_column=id_column, k=self.k)
            if fast is not None:
                return fast
        table = read_prediction_table(data, key, id_column=id_column, columns=specs, max_bytes=max_bytes)
        for spec in specs:
            table[spec.name] = pd.arrays.ArrowExtensionArray(
                pa.chunked_array([dictionary_lists(chunk) for chunk in _arrow(table[spec.name]).chunks])
            )
        return table

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
