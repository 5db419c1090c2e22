"""The interface every scorer implements."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import pandas as pd

from scorers.result import ScoreResult
from scorers.targets import Target


@runtime_checkable
class Scorer(Protocol):
    """Reads a participant's predictions file and scores it against a hidden key."""

    name: str
    version: str
    higher_is_better: bool

    def read_predictions(
        self,
        data: bytes,
        key: pd.DataFrame,
        *,
        id_column: str,
        target_columns: Sequence[str],
        max_bytes: int,
    ) -> pd.DataFrame:
        """Validate a predictions file and return it indexed by id, aligned to ``key.index``."""
        ...

    def prediction_targets(self, target_columns: Sequence[str]) -> dict[str, Target]:
        """Return what each predictions column may hold by default (a track's ``targets`` may narrow it)."""
        ...

    def score(self, key: pd.DataFrame, predictions: pd.DataFrame) -> ScoreResult:
        """Score predictions aligned with the key (one split at a time)."""
        ...
