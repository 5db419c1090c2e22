"""What a predictions column may hold: a label set, a number type and range, or ranked lists of known items.

A track declares it per column in ``challenge.yaml`` (``targets:``); every scorer gives a default for each of
its prediction columns (``Scorer.prediction_targets``), and a declaration may only narrow that default.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from scorers.errors import ScorerConfigError

LABEL, FLOAT, INT, RANKED = "label", "float", "int", "ranked"
TYPES = (LABEL, FLOAT, INT, RANKED)
KEYS = frozenset({"type", "labels", "min", "max", "max_items"})
MAX_LABELS = 100_000


@dataclass(frozen=True)
class Target:
    """One predictions column: its value type, allowed labels (or ranked items), number range, list length.

    ``truth`` says the hidden key's column of the same name holds values of the same kind, so the key is
    checked against this declaration too (a label scorer's truth column, but not a ROC AUC's class labels).
    """

    type: str
    labels: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    max_items: int | None = None
    truth: bool = False

    @property
    def numeric(self) -> bool:
        """Whether the column holds numbers."""
        return self.type in (FLOAT, INT)

    def allowed(self) -> frozenset[str] | None:
        """Return the allowed labels as a set (None: any non-empty text)."""
        return None if self.labels is None else frozenset(self.labels)

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form stored on the track (only the keys that are set)."""
        out: dict[str, Any] = {"type": self.type}
        if self.labels is not None:
            out["labels"] = list(self.labels)
        if self.minimum is not None:
            out["min"] = self.minimum
        if self.maximum is not None:
            out["max"] = self.maximum
        if self.max_items is not None:
            out["max_items"] = self.max_items
        if self.truth:
            out["truth"] = True
        return out

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Target:
        """Rebuild a target from its stored JSON form."""
        labels = raw.get("labels")
        return cls(
            type=str(raw.get("type", LABEL)),
            labels=None if labels is None else tuple(str(v) for v in labels),
            minimum=None if raw.get("min") is None else float(raw["min"]),
            maximum=None if raw.get("max") is None else float(raw["max"]),
            max_items=None if raw.get("max_items") is None else int(raw["max_items"]),
            truth=bool(raw.get("truth", False)),
        )


def label_text(value: object) -> str:
    """Return a declared label as the text a CSV cell holds (YAML's ``7`` is the label ``'7'``)."""
    if isinstance(value, bool):
        raise ScorerConfigError(f"{value!r} is not a label; write labels as numbers or text.")
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real) or not isinstance(value, str) or not value.strip():
        raise ScorerConfigError(f"{value!r} is not a label; labels are integers or non-empty text.")
    return value.strip()


def _labels(column: str, raw: object) -> tuple[str, ...]:
    if isinstance(raw, str) or not isinstance(raw, Sequence) or not raw:
        raise ScorerConfigError(f"targets.{column}.labels must be a non-empty list of labels.")
    if len(raw) > MAX_LABELS:
        raise ScorerConfigError(f"targets.{column}.labels lists more than {MAX_LABELS:,} labels.")
    try:
        labels = tuple(label_text(v) for v in raw)
    except ScorerConfigError as exc:
        raise ScorerConfigError(f"targets.{column}.labels: {exc.message}") from None
    repeated = sorted({v for v in labels if labels.count(v) > 1}) if len(set(labels)) != len(labels) else []
    if repeated:
        raise ScorerConfigError(f"targets.{column}.labels repeats {', '.join(repr(v) for v in repeated[:5])}.")
    return labels


def _bound(column: str, raw: Mapping[str, Any], name: str) -> float | None:
    value = raw.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(float(value)):
        raise ScorerConfigError(f"targets.{column}.{name} must be a finite number, got {value!r}.")
    return float(value)


def _narrowed(column: str, default: Target, raw: Mapping[str, Any]) -> Target:
    """Apply one column's declaration to the scorer's default, refusing what the scorer cannot read."""
    unknown = sorted(str(k) for k in raw if k not in KEYS)
    if unknown:
        raise ScorerConfigError(
            f"targets.{column} has unknown key(s) {', '.join(unknown)}; known keys: {', '.join(sorted(KEYS))}."
        )
    kind = str(raw.get("type", default.type))
    if kind not in TYPES:
        raise ScorerConfigError(f"targets.{column}.type must be one of {', '.join(TYPES)}, got {kind!r}.")
    if (kind in (FLOAT, INT)) != default.numeric or (kind == RANKED) != (default.type == RANKED):
        raise ScorerConfigError(
            f"targets.{column}.type is {kind!r}, but the scorer reads this column as {default.type!r}."
        )
    target = replace(default, type=kind)
    if "labels" in raw:
        if kind not in (LABEL, RANKED):
            raise ScorerConfigError(f"targets.{column}.labels is for label or ranked columns, not {kind!r} ones.")
        labels = _labels(column, raw["labels"])
        if default.labels is not None and not set(labels) <= set(default.labels):
            raise ScorerConfigError(f"targets.{column}.labels names labels the scorer does not know.")
        target = replace(target, labels=labels)
    low, high = _bound(column, raw, "min"), _bound(column, raw, "max")
    if (low is not None or high is not None) and not target.numeric:
        raise ScorerConfigError(f"targets.{column}.min and max are for float or int columns.")
    if low is not None:
        if default.minimum is not None and low < default.minimum:
            raise ScorerConfigError(f"targets.{column}.min must be at least {default.minimum:g} for this scorer.")
        target = replace(target, minimum=low)
    if high is not None:
        if default.maximum is not None and high > default.maximum:
            raise ScorerConfigError(f"targets.{column}.max must be at most {default.maximum:g} for this scorer.")
        target = replace(target, maximum=high)
    if target.minimum is not None and target.maximum is not None and target.minimum > target.maximum:
        raise ScorerConfigError(f"targets.{column}.min is larger than its max.")
    if "max_items" in raw:
        items = raw["max_items"]
        ceiling = default.max_items
        if kind != RANKED or isinstance(items, bool) or not isinstance(items, numbers.Integral) or int(items) < 1:
            raise ScorerConfigError(f"targets.{column}.max_items must be a positive integer on a ranked column.")
        if ceiling is not None and int(items) > ceiling:
            raise ScorerConfigError(f"targets.{column}.max_items must be at most {ceiling} for this scorer.")
        target = replace(target, max_items=int(items))
    return target


def resolve_targets(defaults: Mapping[str, Target], declared: Mapping[str, Any] | None) -> dict[str, Target]:
    """Merge a track's ``targets:`` declaration over a scorer's defaults; ScorerConfigError names what is wrong."""
    declared = declared or {}
    if not isinstance(declared, Mapping):
        raise ScorerConfigError("targets must be a mapping of predictions column to its declaration.")
    unknown = [str(c) for c in declared if c not in defaults]
    if unknown:
        raise ScorerConfigError(
            f"targets names column(s) {', '.join(unknown)} that the predictions file does not have; "
            f"its columns are {', '.join(defaults)}."
        )
    out = dict(defaults)
    for column, raw in declared.items():
        if not isinstance(raw, Mapping):
            raise ScorerConfigError(f"targets.{column} must be a mapping such as {{labels: [...]}}.")
        out[column] = _narrowed(str(column), defaults[column], raw)
    return out


def free_targets(target_columns: Sequence[str], declared: Mapping[str, Any] | None) -> dict[str, Target]:
    """Targets of a track scored by its own program: only what is declared, any type allowed."""
    out: dict[str, Target] = {}
    for column, raw in (declared or {}).items():
        if not isinstance(raw, Mapping):
            raise ScorerConfigError(f"targets.{column} must be a mapping such as {{labels: [...]}}.")
        kind = str(raw.get("type", LABEL))
        if kind not in TYPES:
            raise ScorerConfigError(f"targets.{column}.type must be one of {', '.join(TYPES)}, got {kind!r}.")
        out[str(column)] = _narrowed(str(column), Target(kind, truth=column in target_columns), raw)
    return out


def targets_dict(targets: Mapping[str, Target]) -> dict[str, dict[str, Any]]:
    """Return the JSON form of a track's targets."""
    return {column: target.to_dict() for column, target in targets.items()}


def targets_from_dict(raw: Mapping[str, Any] | None) -> dict[str, Target]:
    """Rebuild a track's targets from their JSON form."""
    return {str(column): Target.from_dict(value) for column, value in (raw or {}).items()}


class _HasTargets(Protocol):
    def prediction_targets(self, target_columns: Sequence[str]) -> dict[str, Target]: ...


def track_targets(
    scorer: _HasTargets | None, target_columns: Sequence[str], declared: Mapping[str, Any] | None
) -> dict[str, Target]:
    """A track's targets: the scorer's defaults narrowed by the declaration (only the declaration without one)."""
    if scorer is None:
        return free_targets(target_columns, declared)
    return resolve_targets(scorer.prediction_targets(target_columns), declared)
