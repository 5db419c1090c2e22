"""Metrics and prediction-file validation for Arena (numpy and pandas only)."""

from scorers.errors import PredictionFileError, ScorerConfigError, ScorerError
from scorers.keys import read_key
from scorers.protocol import Scorer
from scorers.registry import get_scorer, scorer_names
from scorers.result import ScoreResult

__all__ = [
    "PredictionFileError",
    "ScoreResult",
    "Scorer",
    "ScorerConfigError",
    "ScorerError",
    "get_scorer",
    "read_key",
    "scorer_names",
]
