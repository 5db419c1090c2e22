"""The explicit table of built-in scorers."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from scorers import classification, openset, probability, ranking, regression, reid, roc_auc
from scorers.errors import ScorerConfigError
from scorers.options import Options
from scorers.protocol import Scorer


@dataclass(frozen=True)
class Entry:
    """How to build one scorer and which options it accepts."""

    factory: Callable[[Options], Scorer]
    options: frozenset[str] = frozenset()


_ENTRIES: Mapping[str, Entry] = {
    "accuracy": Entry(classification.AccuracyScorer),
    "balanced_accuracy": Entry(classification.BalancedAccuracyScorer),
    "macro_f1": Entry(classification.MacroF1Scorer),
    "log_loss": Entry(probability.LogLossScorer, frozenset({"labels", "label_column", "eps"})),
    "roc_auc": Entry(roc_auc.RocAucScorer, frozenset({"positive_label", "average", "labels", "label_column"})),
    "rmse": Entry(regression.RmseScorer),
    "mae": Entry(regression.MaeScorer),
    "r2": Entry(regression.R2Scorer),
    "map_at_k": Entry(ranking.MapAtKScorer, frozenset({"k", "new_label"})),
    "open_set": Entry(openset.OpenSetScorer, frozenset({"new_label", "new_column", "confidence_column"})),
    "reid_cmc_map": Entry(
        reid.ReidScorer,
        frozenset(
            {
                "gallery",
                "gallery_id_column",
                "identity_column",
                "station_column",
                "ranking_column",
                "max_rank",
                "primary",
            }
        ),
    ),
}


def scorer_names() -> list[str]:
    """Return the names of all built-in scorers, sorted."""
    return sorted(_ENTRIES)


def get_scorer(name: str, options: Mapping[str, Any] | None = None) -> Scorer:
    """Build a scorer by registry name; ScorerConfigError for unknown names or bad options."""
    entry = _ENTRIES.get(name)
    if entry is None:
        raise ScorerConfigError(f"Unknown scorer {str(name)!r}; known scorers: {', '.join(scorer_names())}.")
    if options is not None and not isinstance(options, Mapping):
        raise ScorerConfigError(f"Options of scorer '{name}' must be a mapping.")
    return entry.factory(Options(name, options, entry.options))
