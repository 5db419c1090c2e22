"""Scorers on predicted probabilities or scores: log-loss and binary ROC AUC."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from scorers.base import BaseScorer, truth_column
from scorers.errors import PredictionFileError, ScorerConfigError
from scorers.options import Options
from scorers.result import ScoreResult
from scorers.table import shown
from scorers.validation import ColumnSpec, ValueKind, read_prediction_table

_TRUE_WORDS = ("1", "true", "yes", "y", "t")


def _labels(values: pd.Series) -> np.ndarray:
    return np.asarray(values.astype(str).str.strip().to_numpy(dtype=object))


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
                id=shown(frame.index[zero[0]]),
            )
        return frame

    def _truth(self, key: pd.DataFrame, classes: list[str]) -> np.ndarray:
        """Return the index of the true class of every key row."""
        if self.label_column is not None:
            truth = _labels(truth_column(key, self.label_column, self.name))
            index = pd.Index(classes).get_indexer(pd.Index(truth))
            if (index < 0).any():
                raise ScorerConfigError(
                    f"Key column '{self.label_column}' holds labels that are not among the scorer's classes."
                )
            return np.asarray(index)
        onehot = np.column_stack(
            [pd.to_numeric(truth_column(key, c, self.name), errors="coerce").to_numpy(float) for c in classes]
        )
        if not (np.isin(onehot, (0.0, 1.0)).all() and (onehot.sum(axis=1) == 1).all()):
            raise ScorerConfigError(
                "Scorer 'log_loss' needs one-hot 0/1 class columns in the key "
                "(or option 'label_column' naming a column of class labels)."
            )
        return np.asarray(onehot.argmax(axis=1))

    def score(self, key: pd.DataFrame, predictions: pd.DataFrame) -> ScoreResult:
        """Score probabilities: rescale rows to sum 1, clip to [eps, 1-eps], average -log p(true)."""
        classes = [str(c) for c in predictions.columns]
        truth = self._truth(key, classes)
        probabilities = predictions.to_numpy(dtype=float)
        probabilities = probabilities / probabilities.sum(axis=1, keepdims=True)
        chosen = np.clip(probabilities[np.arange(len(truth)), truth], self.eps, 1 - self.eps)
        losses = -np.log(chosen)
        metrics = {"log_loss": float(losses.mean()), "accuracy": float((probabilities.argmax(1) == truth).mean())}
        return ScoreResult(metrics["log_loss"], metrics, tuple(losses.tolist()), self.clusters(key))


def auc_contributions(positive: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """Per-case ROC AUC parts (ties count half); their mean over all cases equals the AUC."""
    pos, neg = np.sort(scores[positive]), np.sort(scores[~positive])
    out = np.empty(len(scores), dtype=float)
    s_pos, s_neg = scores[positive], scores[~positive]
    below = np.searchsorted(neg, s_pos, "left") + 0.5 * (
        np.searchsorted(neg, s_pos, "right") - np.searchsorted(neg, s_pos, "left")
    )
    above = (len(pos) - np.searchsorted(pos, s_neg, "right")) + 0.5 * (
        np.searchsorted(pos, s_neg, "right") - np.searchsorted(pos, s_neg, "left")
    )
    out[positive] = below / len(neg)
    out[~positive] = above / len(pos)
    return out


class RocAucScorer(BaseScorer):
    """Binary ROC AUC of a real-valued score (higher means more likely the positive class)."""

    name = "roc_auc"

    def __init__(self, options: Options) -> None:
        super().__init__(options)
        self.positive_label = options.optional_text("positive_label")

    def read_predictions(
        self,
        data: bytes,
        key: pd.DataFrame,
        *,
        id_column: str,
        target_columns: Sequence[str],
        max_bytes: int,
    ) -> pd.DataFrame:
        """Validate a CSV with one finite score per id in the target column."""
        specs = [ColumnSpec(target_columns[0], ValueKind.NUMBER)]
        return read_prediction_table(data, key, id_column=id_column, columns=specs, max_bytes=max_bytes)

    def _positive(self, truth: np.ndarray) -> np.ndarray:
        classes = set(truth.tolist())
        if len(classes) != 2:
            raise ScorerConfigError("Scorer 'roc_auc' needs exactly two classes in every scored split of the key.")
        if self.positive_label is not None:
            if self.positive_label not in classes:
                raise ScorerConfigError("Option 'positive_label' of scorer 'roc_auc' is not a class in the key.")
            return np.asarray(truth == self.positive_label)
        lowered = {str(c).lower() for c in classes}
        if lowered in ({"0", "1"}, {"false", "true"}, {"no", "yes"}):
            return np.asarray([str(t).lower() in _TRUE_WORDS for t in truth])
        raise ScorerConfigError("Scorer 'roc_auc' needs option 'positive_label' for classes other than 0/1.")

    def score(self, key: pd.DataFrame, predictions: pd.DataFrame) -> ScoreResult:
        """Score with the Mann-Whitney form of ROC AUC; per-case values average to the AUC."""
        column = predictions.columns[0]
        positive = self._positive(_labels(truth_column(key, column, self.name)))
        parts = auc_contributions(positive, predictions[column].to_numpy(dtype=float))
        auc = float(parts[positive].mean())
        return ScoreResult(auc, {"roc_auc": auc}, tuple(parts.tolist()), self.clusters(key))
