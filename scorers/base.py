"""Shared pieces of the built-in scorers: identity fields, cluster ids and reading key columns."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from scorers.errors import ScorerConfigError
from scorers.options import Options


class BaseScorer:
    """Holds the fields of the Scorer protocol and the common ``cluster_column`` option."""

    name: str = ""
    version: str = "1"
    higher_is_better: bool = True

    def __init__(self, options: Options) -> None:
        self.cluster_column = options.optional_text("cluster_column")

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name} v{self.version}>"

    def clusters(self, key: pd.DataFrame, mask: np.ndarray | None = None) -> tuple[str, ...] | None:
        """Return the cluster id of each scored case, when a cluster column is configured."""
        if self.cluster_column is None:
            return None
        if self.cluster_column not in key.columns:
            raise ScorerConfigError(
                f"Scorer '{self.name}' is configured with cluster_column '{self.cluster_column}', "
                "but the key has no such column."
            )
        values = key[self.cluster_column].astype(str).to_numpy(dtype=object)
        if mask is not None:
            values = values[mask]
        return tuple(str(v) for v in values)


def truth_column(key: pd.DataFrame, column: object, scorer: str) -> pd.Series:
    """Return a key column, or a config error naming the missing column."""
    if column not in key.columns:
        raise ScorerConfigError(f"Scorer '{scorer}' needs the key column '{column}', which is missing.")
    return key[column]


def numeric_truth(key: pd.DataFrame, column: object, scorer: str) -> np.ndarray:
    """Return a key column as finite floats, or a config error."""
    values = pd.to_numeric(truth_column(key, column, scorer).astype(str).str.strip(), errors="coerce")
    array = np.asarray(values, dtype=float)
    if not np.isfinite(array).all():
        raise ScorerConfigError(
            f"Scorer '{scorer}' needs numbers in key column '{column}', but some values are not finite numbers."
        )
    return array


def text_labels(values: pd.Series) -> np.ndarray:
    """Return a column's values as stripped strings (an object array)."""
    return np.asarray(values.astype(str).str.strip().to_numpy(dtype=object))


def class_indices(key: pd.DataFrame, classes: Sequence[str], label_column: str | None, scorer: str) -> np.ndarray:
    """Return the position in ``classes`` of every key row's true class.

    With ``label_column`` the key names the class in that column; without it the key must hold one-hot 0/1
    columns named like the classes.
    """
    if label_column is not None:
        truth = text_labels(truth_column(key, label_column, scorer))
        index = pd.Index(list(classes)).get_indexer(pd.Index(truth))
        if (index < 0).any():
            raise ScorerConfigError(
                f"Key column '{label_column}' holds labels that are not among the scorer's classes."
            )
        return np.asarray(index)
    onehot = np.column_stack(
        [pd.to_numeric(truth_column(key, c, scorer), errors="coerce").to_numpy(float) for c in classes]
    )
    if not (np.isin(onehot, (0.0, 1.0)).all() and (onehot.sum(axis=1) == 1).all()):
        raise ScorerConfigError(
            f"Scorer '{scorer}' needs one-hot 0/1 class columns in the key "
            "(or option 'label_column' naming a column of class labels)."
        )
    return np.asarray(onehot.argmax(axis=1))
