"""Regression scorers: RMSE, MAE and R²."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from scorers.base import BaseScorer, numeric_truth
from scorers.result import ScoreResult
from scorers.targets import FLOAT, Target
from scorers.validation import ColumnSpec, ValueKind, read_prediction_table


def spread(truth: np.ndarray) -> np.ndarray:
    """Mean squared deviation of each column of a (case x target) array; exactly 0 for a constant column.

    Deviations are taken from the first value before the mean is subtracted: a mean such as that of
    0.1, 0.1, 0.1 is not exact in floating point, and centring on it leaves rounding noise (about 1e-34)
    that R² would divide by. Shifted, equal values give exact zeros, and rounding scales with the spread
    of the values rather than with their size.
    """
    shifted = truth - truth[:1]
    return np.asarray(((shifted - shifted.mean(axis=0)) ** 2).mean(axis=0))


def regression_metrics(truth: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    """RMSE, MAE and R² of 2-D (case x target) arrays, averaged uniformly over targets."""
    errors = predicted - truth
    mse = (errors**2).mean(axis=0)
    total = spread(truth)
    with np.errstate(divide="ignore", invalid="ignore"):
        perfect = (errors == 0).all(axis=0)
        r2 = np.where(total > 0, 1 - mse / np.where(total > 0, total, 1), np.where(perfect, 1.0, 0.0))
    return {
        "rmse": float(np.sqrt(mse).mean()),
        "mae": float(np.abs(errors).mean(axis=0).mean()),
        "r2": float(r2.mean()),
    }


def regression_per_case(truth: np.ndarray, predicted: np.ndarray, metric: str) -> np.ndarray:
    """Per-case contributions: squared error (rmse), absolute error (mae), 1 - e²/var (r2)."""
    errors = predicted - truth
    if metric == "rmse":
        return np.asarray((errors**2).mean(axis=1))
    if metric == "mae":
        return np.asarray(np.abs(errors).mean(axis=1))
    total = spread(truth)
    safe = np.where(total > 0, total, 1.0)
    contribution = np.where(total > 0, 1 - errors**2 / safe, np.where(errors == 0, 1.0, 0.0))
    return np.asarray(contribution.mean(axis=1))


class RegressionScorer(BaseScorer):
    """Scores one number per id and target column."""

    metric = "rmse"

    def read_predictions(
        self,
        data: bytes,
        key: pd.DataFrame,
        *,
        id_column: str,
        target_columns: Sequence[str],
        max_bytes: int,
    ) -> pd.DataFrame:
        """Validate a CSV with the id column and one finite number per target column."""
        specs = [ColumnSpec(name, ValueKind.NUMBER) for name in target_columns]
        return read_prediction_table(data, key, id_column=id_column, columns=specs, max_bytes=max_bytes)

    def prediction_targets(self, target_columns: Sequence[str]) -> dict[str, Target]:
        """One finite number per target column, like the key's column of the same name."""
        return {name: Target(FLOAT, truth=True) for name in target_columns}

    def score(self, key: pd.DataFrame, predictions: pd.DataFrame) -> ScoreResult:
        """Score every predictions column against the key column of the same name."""
        columns = list(predictions.columns)
        truth = np.column_stack([numeric_truth(key, column, self.name) for column in columns])
        predicted = predictions[columns].to_numpy(dtype=float).reshape(len(predictions), len(columns))
        metrics = regression_metrics(truth, predicted)
        per_case = regression_per_case(truth, predicted, self.metric)
        return ScoreResult(
            primary=metrics[self.metric],
            metrics=metrics,
            per_case=tuple(per_case.tolist()),
            clusters=self.clusters(key),
        )


class RmseScorer(RegressionScorer):
    """Root mean squared error (lower is better); per-case values are squared errors."""

    name = "rmse"
    metric = "rmse"
    higher_is_better = False


class MaeScorer(RegressionScorer):
    """Mean absolute error (lower is better)."""

    name = "mae"
    metric = "mae"
    higher_is_better = False


class R2Scorer(RegressionScorer):
    """Coefficient of determination."""

    name = "r2"
    metric = "r2"
