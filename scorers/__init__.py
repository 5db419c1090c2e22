"""Metrics and prediction-file validation for Arena (numpy and pandas only)."""

from scorers.checks import check_key, check_predictions, check_values, derive_labels
from scorers.errors import BadRow, PredictionFileError, ScorerConfigError, ScorerError
from scorers.keys import read_key
from scorers.protocol import Scorer
from scorers.registry import get_scorer, scorer_names
from scorers.result import ScoreResult
from scorers.targets import Target, label_text, resolve_targets, targets_dict, targets_from_dict, track_targets

__all__ = [
    "BadRow",
    "PredictionFileError",
    "ScoreResult",
    "Scorer",
    "ScorerConfigError",
    "ScorerError",
    "Target",
    "check_key",
    "check_predictions",
    "check_values",
    "derive_labels",
    "get_scorer",
    "label_text",
    "read_key",
    "resolve_targets",
    "scorer_names",
    "targets_dict",
    "targets_from_dict",
    "track_targets",
]
