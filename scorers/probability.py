"""Log-loss over one predicted probability column per class."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from scorers.base import BaseScorer, class_indices
from scorers.errors import PredictionFileError, ScorerConfigError
from scorers.options import Options
from scorers.result import ScoreResult
from scorers.table import shown
from scorers.targets import FLOAT, Target
from scorers.validation import ColumnSpec, ValueKind, read_prediction_table


class LogLossScorer(BaseScorer):
    """Multi-class log-loss over one probability column per class; rows are rescaled to sum to 1."""

    name = "log_loss"
    higher_is_better = False

    def __init__(self, options: Options) -> None:
        super().__init__(options)
        self.labels = options.text_list("labels")
        self.label_column = options.optional_text("label_column")
        self.eps = options.number("eps", 1e-15, 0.0, 0.1)

    def _classes(self, target_columns: Sequence[str]) -> tuple[str, ...]:
        classes = self.labels if self.labels is not None else tuple(target_columns)
        if len(classes) < 2:
            raise ScorerConfigError("Scorer 'log_loss' needs at least two classes (option 'labels').")
        return classes

    def read_predictions(
        self,
        data: bytes,
        key: pd.DataFrame,
        *,
        id_column: str,
        target_columns: Sequence[str],
        max_bytes: int,
    ) -> pd.DataFrame:
        """Validate a CSV with one probability column (0..1) per class and a positive sum per row."""
        specs = [ColumnSpec(c, ValueKind.PROBABILITY) for c in self._classes(target_columns)]
        frame = read_prediction_table(data, key, id_column=id_column, columns=specs, max_bytes=max_bytes)
        zero = np.flatnonzero(frame.to_numpy(dtype=float).sum(axis=1) <= 0)
        if zero.size:
            raise PredictionFileError(
                "The probabilities for id %(id)s are all 0; give at least one class a positive probability.",
                code="zero_probabilities",
                id=shown(frame.index[zero[0]]),
            )
        return frame

    def prediction_targets(self, target_columns: Sequence[str]) -> dict[str, Target]:
        """One probability from 0 to 1 per class."""
        return {name: Target(FLOAT, minimum=0.0, maximum=1.0) for name in self._classes(target_columns)}

    def score(self, key: pd.DataFrame, predictions: pd.DataFrame) -> ScoreResult:
        """Score probabilities: rescale rows to sum 1, clip to [eps, 1-eps], average -log p(true)."""
        classes = [str(c) for c in predictions.columns]
        truth = class_indices(key, classes, self.label_column, self.name)
        probabilities = predictions.to_numpy(dtype=float)
        probabilities = probabilities / probabilities.sum(axis=1, keepdims=True)
        chosen = np.clip(probabilities[np.arange(len(truth)), truth], self.eps, 1 - self.eps)
        losses = -np.log(chosen)
        metrics = {"log_loss": float(losses.mean()), "accuracy": float((probabilities.argmax(1) == truth).mean())}
        return ScoreResult(metrics["log_loss"], metrics, tuple(losses.tolist()), self.clusters(key))
