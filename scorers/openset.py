"""Open-set identification: BAKS, BAUS, their geometric mean, and AUC for spotting new individuals."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from scorers.base import BaseScorer, truth_column
from scorers.errors import ScorerConfigError
from scorers.options import Options
from scorers.result import ScoreResult
from scorers.roc_auc import auc_contributions
from scorers.targets import FLOAT, LABEL, Target
from scorers.validation import ColumnSpec, ValueKind, read_prediction_table

_TRUE = {"1", "true", "yes", "y", "t"}
_FALSE = {"0", "false", "no", "n", "f"}


def balanced_scores(truth: np.ndarray, predicted: np.ndarray, is_new: np.ndarray, new_label: str) -> dict[str, float]:
    """BAKS and BAUS: per-identity accuracy averaged over known, resp. new identities (NaN if none)."""
    correct = np.where(is_new, predicted == new_label, predicted == truth)
    frame = pd.DataFrame({"identity": truth, "new": is_new, "correct": correct.astype(float)})
    per_identity = frame.groupby(["new", "identity"], sort=False)["correct"].mean()
    levels = per_identity.index.get_level_values(0).to_numpy(dtype=bool)
    values = per_identity.to_numpy(dtype=float)
    baks = float(values[~levels].mean()) if (~levels).any() else float("nan")
    baus = float(values[levels].mean()) if levels.any() else float("nan")
    geometric = math.sqrt(baks * baus) if math.isfinite(baks) and math.isfinite(baus) else 0.0
    return {"open_set": geometric, "baks": baks, "baus": baus}


class OpenSetScorer(BaseScorer):
    """Predicted identity per image, where unseen animals must be labelled ``new_label``."""

    name = "open_set"

    def __init__(self, options: Options) -> None:
        super().__init__(options)
        self.new_label = options.text("new_label", "new_individual")
        self.new_column = options.text("new_column", "is_new")
        self.confidence_column = options.optional_text("confidence_column")

    def read_predictions(
        self,
        data: bytes,
        key: pd.DataFrame,
        *,
        id_column: str,
        target_columns: Sequence[str],
        max_bytes: int,
    ) -> pd.DataFrame:
        """Validate a CSV with a predicted identity (or new_label) and an optional confidence number."""
        specs = [ColumnSpec(target_columns[0], ValueKind.LABEL)]
        if self.confidence_column is not None:
            specs.append(ColumnSpec(self.confidence_column, ValueKind.NUMBER))
        return read_prediction_table(data, key, id_column=id_column, columns=specs, max_bytes=max_bytes)

    def prediction_targets(self, target_columns: Sequence[str]) -> dict[str, Target]:
        """A predicted identity (or new_label), and a confidence number when configured.

        The key's identity column names unseen animals too, so it is not held to the prediction labels.
        """
        targets = {target_columns[0]: Target(LABEL)}
        if self.confidence_column is not None:
            targets[self.confidence_column] = Target(FLOAT)
        return targets

    def _is_new(self, key: pd.DataFrame) -> np.ndarray:
        flags = truth_column(key, self.new_column, self.name).astype(str).str.strip().str.lower()
        bad = ~flags.isin(_TRUE | _FALSE)
        if bool(bad.any()):
            raise ScorerConfigError(f"Key column '{self.new_column}' must hold 0/1 or true/false flags.")
        return np.asarray(flags.isin(_TRUE).to_numpy(dtype=bool))

    def score(self, key: pd.DataFrame, predictions: pd.DataFrame) -> ScoreResult:
        """Score identities; per-case values are correctness weighted so they average to (BAKS+BAUS)/2."""
        column = predictions.columns[0]
        truth = truth_column(key, column, self.name).astype(str).str.strip().to_numpy(dtype=object)
        predicted = predictions[column].astype(str).to_numpy(dtype=object)
        is_new = self._is_new(key)
        metrics = balanced_scores(truth, predicted, is_new, self.new_label)
        correct = np.where(is_new, predicted == self.new_label, predicted == truth).astype(float)
        group = pd.Series(list(zip(is_new.tolist(), truth.tolist(), strict=True)))
        size = group.map(group.value_counts()).to_numpy(dtype=float)
        n_groups = np.where(is_new, len(set(truth[is_new])), len(set(truth[~is_new])))
        n_sets = int(is_new.any()) + int((~is_new).any())
        per_case = correct * len(truth) / (n_sets * n_groups * size)
        if self.confidence_column is not None and is_new.any() and (~is_new).any():
            novelty = -predictions[self.confidence_column].to_numpy(dtype=float)
            metrics["new_auc"] = float(auc_contributions(is_new, novelty)[is_new].mean())
        return ScoreResult(metrics["open_set"], metrics, tuple(per_case.tolist()), self.clusters(key))
