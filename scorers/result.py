"""The value object a scorer returns."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


def _json_float(value: float) -> float | None:
    """Return a JSON-safe float (None for NaN or infinity)."""
    number = float(value)
    return number if math.isfinite(number) else None


@dataclass(frozen=True)
class ScoreResult:
    """A score for one split: the primary value, named metrics and per-case values."""

    primary: float
    metrics: Mapping[str, float]
    per_case: tuple[float, ...]
    clusters: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if self.clusters is not None and len(self.clusters) != len(self.per_case):
            raise ValueError("clusters must have one entry per case")

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict (non-finite floats become None)."""
        return {
            "primary": _json_float(self.primary),
            "metrics": {str(name): _json_float(value) for name, value in self.metrics.items()},
            "per_case": [_json_float(value) for value in self.per_case],
            "clusters": None if self.clusters is None else list(self.clusters),
        }
