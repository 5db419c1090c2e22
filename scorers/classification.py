"""Classification scorers: accuracy, balanced accuracy, macro-F1, log-loss and ROC AUC."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from scorers.base import BaseScorer, truth_column
from scorers.result import ScoreResult
from scorers.targets import LABEL, Target
from scorers.validation import ColumnSpec, ValueKind, read_prediction_table


def _strings(values: pd.Series) -> np.ndarray:
    return np.asarray(values.astype(str).str.strip().to_numpy(dtype=object))


@dataclass(frozen=True)
class LabelCounts:
    """Per-class counts of a set of (truth, predicted) label pairs, by integer class code."""

    truth: np.ndarray
    correct: np.ndarray
    support: np.ndarray
    predicted: np.ndarray
    hits: np.ndarray

    @classmethod
    def of(cls, truth: np.ndarray, predicted: np.ndarray) -> LabelCounts:
        """Count labels of two aligned arrays of strings."""
        codes, uniques = pd.factorize(np.concatenate([truth, predicted]))
        n = len(truth)
        t, p = codes[:n], codes[n:]
        correct = t == p
        size = len(uniques)
        return cls(
            truth=t,
            correct=correct,
            support=np.bincount(t, minlength=size),
            predicted=np.bincount(p, minlength=size),
            hits=np.bincount(t[correct], minlength=size),
        )

    def accuracy(self) -> float:
        """Fraction of cases predicted correctly."""
        return float(self.correct.mean())

    def balanced_accuracy(self) -> float:
        """Mean recall over the classes present in the truth."""
        present = self.support > 0
        return float((self.hits[present] / self.support[present]).mean())

    def macro_f1(self) -> float:
        """Mean F1 over every class seen in truth or predictions."""
        return float((2 * self.hits / (self.support + self.predicted)).mean())

    def all_metrics(self) -> dict[str, float]:
        """Accuracy, balanced accuracy and macro-F1 together."""
        return {
            "accuracy": self.accuracy(),
            "balanced_accuracy": self.balanced_accuracy(),
            "macro_f1": self.macro_f1(),
        }

    def per_case(self, metric: str) -> np.ndarray:
        """Per-case values whose mean equals the metric (correctness re-weighted by class)."""
        n = len(self.truth)
        correct = self.correct.astype(float)
        if metric == "accuracy":
            return correct
        if metric == "balanced_accuracy":
            n_classes = int((self.support > 0).sum())
            return np.asarray(correct * n / (n_classes * self.support[self.truth]), dtype=float)
        denominator = (self.support + self.predicted)[self.truth]
        return np.asarray(correct * 2 * n / (len(self.support) * denominator), dtype=float)


class LabelScorer(BaseScorer):
    """Scores one predicted label per id against the key's label column."""

    metric = "accuracy"

    def read_predictions(
        self,
        data: bytes,
        key: pd.DataFrame,
        *,
        id_column: str,
        target_columns: Sequence[str],
        max_bytes: int,
    ) -> pd.DataFrame:
        """Validate a CSV with the id column and one label column per target column."""
        specs = [ColumnSpec(name, ValueKind.LABEL) for name in target_columns]
        return read_prediction_table(data, key, id_column=id_column, columns=specs, max_bytes=max_bytes)

    def prediction_targets(self, target_columns: Sequence[str]) -> dict[str, Target]:
        """One label per target column, compared with the key's column of the same name."""
        return {name: Target(LABEL, truth=True) for name in target_columns}

    def score(self, key: pd.DataFrame, predictions: pd.DataFrame) -> ScoreResult:
        """Score the first predictions column against the key column of the same name."""
        column = predictions.columns[0]
        truth = _strings(truth_column(key, column, self.name))
        counts = LabelCounts.of(truth, _strings(predictions[column]))
        metrics = counts.all_metrics()
        return ScoreResult(
            primary=metrics[self.metric],
            metrics=metrics,
            per_case=tuple(counts.per_case(self.metric).tolist()),
            clusters=self.clusters(key),
        )


class AccuracyScorer(LabelScorer):
    """Fraction of ids whose label is exactly right."""

    name = "accuracy"
    metric = "accuracy"


class BalancedAccuracyScorer(LabelScorer):
    """Mean per-class recall over the classes in the key."""

    name = "balanced_accuracy"
    metric = "balanced_accuracy"


class MacroF1Scorer(LabelScorer):
    """Unweighted mean of per-class F1 over classes seen in key or predictions."""

    name = "macro_f1"
    metric = "macro_f1"
