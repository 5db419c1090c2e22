"""ROC AUC: binary, or one-vs-rest over several classes with macro or weighted averaging."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from scorers.base import BaseScorer, class_indices, text_labels, truth_column
from scorers.errors import ScorerConfigError
from scorers.options import Options
from scorers.result import ScoreResult
from scorers.targets import FLOAT, Target
from scorers.validation import ColumnSpec, ValueKind, read_prediction_table

_TRUE_WORDS = ("1", "true", "yes", "y", "t")
AVERAGES = ("macro", "weighted")


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


def one_vs_rest(truth: np.ndarray, scores: np.ndarray, average: str) -> tuple[dict[str, float], np.ndarray]:
    """Macro and weighted one-vs-rest AUC of class indices against a (case x class) score matrix.

    Classes with no case in ``truth`` have no AUC and are left out of both averages. Returns the metrics
    and per-case values whose mean is the ``average`` chosen.
    """
    support = np.bincount(truth, minlength=scores.shape[1])
    present = np.flatnonzero(support)
    if len(present) < 2:
        raise ScorerConfigError("Scorer 'roc_auc' needs at least two classes in every scored split of the key.")
    weights = {"macro": np.full(len(present), 1 / len(present)), "weighted": support[present] / len(truth)}
    aucs = np.empty(len(present))
    per_case = np.zeros(len(truth))
    for j, c in enumerate(present):
        positive = truth == c
        parts = auc_contributions(positive, scores[:, c])
        aucs[j] = parts[positive].mean()
        per_case += weights[average][j] * parts
    metrics = {f"roc_auc_{name}": float(aucs @ w) for name, w in weights.items()}
    return {"roc_auc": metrics[f"roc_auc_{average}"], **metrics}, per_case


class RocAucScorer(BaseScorer):
    """ROC AUC of real-valued scores: one column (binary), or one per class averaged one-vs-rest."""

    name = "roc_auc"

    def __init__(self, options: Options) -> None:
        super().__init__(options)
        self.positive_label = options.optional_text("positive_label")
        self.average = options.optional_text("average")
        self.labels = options.text_list("labels")
        self.label_column = options.optional_text("label_column")
        if self.average is not None and self.average not in AVERAGES:
            raise ScorerConfigError(
                f"Option 'average' of scorer 'roc_auc' must be 'macro' or 'weighted' (one-vs-rest over the "
                f"classes), got {self.average!r}."
            )
        if self.average is None and (self.labels is not None or self.label_column is not None):
            raise ScorerConfigError(
                "Options 'labels' and 'label_column' of scorer 'roc_auc' are for several classes: "
                "set option 'average' to 'macro' or 'weighted'."
            )
        if self.average is not None and self.positive_label is not None:
            raise ScorerConfigError(
                "Option 'positive_label' of scorer 'roc_auc' is for two classes; it cannot be combined with "
                "option 'average'."
            )
        if self.label_column is not None and self.labels is None:
            # Without 'labels' the classes are the target columns, which the key must then hold one-hot anyway.
            raise ScorerConfigError(
                "Option 'label_column' of scorer 'roc_auc' needs option 'labels' naming the classes."
            )
        if self.labels is not None and len(self.labels) < 2:
            raise ScorerConfigError("Option 'labels' of scorer 'roc_auc' must name at least two classes.")

    def _classes(self, target_columns: Sequence[str]) -> tuple[str, ...]:
        classes = self.labels if self.labels is not None else tuple(target_columns)
        if len(classes) < 2:
            raise ScorerConfigError(
                "Scorer 'roc_auc' with option 'average' needs one score column per class and at least two "
                "classes: list them in option 'labels' or as the track's target columns."
            )
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
        """Validate a CSV with one finite score per id: in the target column, or in one column per class."""
        names = target_columns[:1] if self.average is None else self._classes(target_columns)
        specs = [ColumnSpec(name, ValueKind.NUMBER) for name in names]
        return read_prediction_table(data, key, id_column=id_column, columns=specs, max_bytes=max_bytes)

    def prediction_targets(self, target_columns: Sequence[str]) -> dict[str, Target]:
        """One finite score per id, in the target column or in one column per class."""
        names = target_columns[:1] if self.average is None else self._classes(target_columns)
        return {name: Target(FLOAT) for name in names}

    def _positive(self, truth: np.ndarray) -> np.ndarray:
        classes = set(truth.tolist())
        if len(classes) != 2:
            raise ScorerConfigError(
                "Scorer 'roc_auc' needs exactly two classes in every scored split of the key "
                "(option 'average' scores more classes one-vs-rest)."
            )
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
        if self.average is not None:
            classes = [str(c) for c in predictions.columns]
            truth = class_indices(key, classes, self.label_column, self.name)
            metrics, per_case = one_vs_rest(truth, predictions.to_numpy(dtype=float), self.average)
            return ScoreResult(metrics["roc_auc"], metrics, tuple(per_case.tolist()), self.clusters(key))
        column = predictions.columns[0]
        positive = self._positive(text_labels(truth_column(key, column, self.name)))
        parts = auc_contributions(positive, predictions[column].to_numpy(dtype=float))
        auc = float(parts[positive].mean())
        return ScoreResult(auc, {"roc_auc": auc}, tuple(parts.tolist()), self.clusters(key))
