"""The declared final formula: components, normalization of the online score, gates, tie-break and the ranking."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from arena.errors import InvalidInput

COMPONENTS = ("online", "judges", "reproduction")
NORMALIZATIONS = ("rank", "minmax")
GATES = ("reproduction",)
# Totals closer than this are the same total (floating-point sums of the same parts in another order).
EPSILON = 1e-12


@dataclass(frozen=True)
class Formula:
    """A parsed, valid formula."""

    weights: dict[str, float]
    normalization: str = "rank"
    gates: tuple[str, ...] = ()
    tie_break: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Return the formula as stored and shown."""
        return {
            "weights": dict(self.weights),
            "normalization": self.normalization,
            "gates": list(self.gates),
            "tie_break": list(self.tie_break),
        }


def parse_formula(spec: Mapping[str, Any]) -> Formula:
    """Validate a formula dict (``weights``, ``normalization``, ``gates``, ``tie_break``) or raise InvalidInput."""
    if not isinstance(spec, Mapping):
        raise InvalidInput("the formula must be a mapping", field="formula")
    unknown = sorted(set(spec) - {"weights", "normalization", "gates", "tie_break"})
    if unknown:
        raise InvalidInput("unknown formula field %(name)s", field="formula", params={"name": unknown[0]})
    raw = spec.get("weights")
    if not isinstance(raw, Mapping) or not raw:
        raise InvalidInput("the formula's weights must map components to numbers", field="formula.weights")
    weights: dict[str, float] = {}
    for name, value in raw.items():
        if name not in COMPONENTS:
            raise InvalidInput(
                "unknown formula component %(name)s; use online, judges or reproduction",
                field="formula.weights",
                params={"name": str(name)},
            )
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
            raise InvalidInput(
                "the weight of %(name)s must be a number of at least 0",
                field=f"formula.weights.{name}",
                params={"name": name},
            )
        weights[name] = float(value)
    total = sum(weights.values())
    if abs(total - 1.0) > 1e-9:
        raise InvalidInput(
            "the formula's weights must sum to 1 (they sum to %(total)s)",
            field="formula.weights",
            params={"total": round(total, 12)},
        )
    normalization = spec.get("normalization", "rank")
    if normalization not in NORMALIZATIONS:
        raise InvalidInput(
            "unknown online normalization %(value)s; use rank or minmax",
            field="formula.normalization",
            params={"value": str(normalization)},
        )
    gates = tuple(_names(spec.get("gates", []), "formula.gates"))
    for gate in gates:
        if gate not in GATES:
            raise InvalidInput(
                "unknown gate %(name)s; the only gate is reproduction", field="formula.gates", params={"name": gate}
            )
    tie_break = tuple(_names(spec.get("tie_break", []), "formula.tie_break"))
    for name in tie_break:
        if name not in COMPONENTS:
            raise InvalidInput(
                "unknown tie-break component %(name)s; use online, judges or reproduction",
                field="formula.tie_break",
                params={"name": name},
            )
    return Formula(weights, normalization, gates, tie_break)


def _names(value: Any, field_name: str) -> list[str]:
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise InvalidInput("%(field)s must be a list of names", field=field_name, params={"field": field_name})
    return list(value)


@dataclass(frozen=True)
class Entry:
    """What the ranking needs to know about one finalist."""

    finalist_id: int
    online: float | None
    judges: float | None
    reproduced: bool | None
    # The source phase (track) the online score comes from: scores are normalized within their own track.
    track: int = 0


@dataclass(frozen=True)
class FinalRow:
    """One finalist's line in the final ranking."""

    finalist_id: int
    components: dict[str, float]
    total: float | None
    rank: int | None
    tied: bool = False
    gate_reasons: list[str] = field(default_factory=list)

    @property
    def gated_out(self) -> bool:
        """Whether a gate keeps the finalist out of the ranking."""
        return bool(self.gate_reasons)


def normalize_online(values: Mapping[int, float], *, normalization: str, higher_is_better: bool) -> dict[int, float]:
    """Map online scores to 0..1 (1 = best) over the finalists, by rank or min–max, in the track's direction."""
    if not values:
        return {}
    signed = {k: v if higher_is_better else -v for k, v in values.items()}
    if normalization == "minmax":
        low, high = min(signed.values()), max(signed.values())
        if high - low <= 0:
            return dict.fromkeys(signed, 1.0)
        return {k: (v - low) / (high - low) for k, v in signed.items()}
    n = len(signed)
    if n == 1:
        return dict.fromkeys(signed, 1.0)
    ordered = sorted(signed.items(), key=lambda item: -item[1])
    result: dict[int, float] = {}
    start = 0
    while start < n:
        end = start
        while end + 1 < n and ordered[end + 1][1] == ordered[start][1]:
            end += 1
        rank = start  # 0 for the best; tied scores share the better position, as on the board
        for key, _ in ordered[start : end + 1]:
            result[key] = (n - 1 - rank) / (n - 1)
        start = end + 1
    return result


def _gate_reasons(formula: Formula, entry: Entry) -> list[str]:
    reasons = []
    if "reproduction" in formula.gates and entry.reproduced is not True:
        reasons.append("reproduction did not pass")
    return reasons


def final_ranking(
    formula: Formula, entries: Sequence[Entry], *, higher_is_better: bool | Mapping[int, bool] = True
) -> list[FinalRow]:
    """Rank finalists by the formula; gated-out finalists come last without a rank, with their reasons.

    Online scores are normalized within each entry's track, in that track's direction (``higher_is_better``
    per track, or one value for all). Equal totals share a rank unless the declared tie-break separates them.
    """
    kept = [e for e in entries if not _gate_reasons(formula, e)]
    online: dict[int, float] = {}
    for track in sorted({e.track for e in kept}):
        higher = higher_is_better if isinstance(higher_is_better, bool) else higher_is_better.get(track, True)
        values = {e.finalist_id: e.online for e in kept if e.online is not None and e.track == track}
        online.update(normalize_online(values, normalization=formula.normalization, higher_is_better=higher))
    scored: list[FinalRow] = []
    for entry in kept:
        parts = {
            "online": online.get(entry.finalist_id, 0.0),
            "judges": entry.judges if entry.judges is not None else 0.0,
            "reproduction": 1.0 if entry.reproduced else 0.0,
        }
        components = {name: parts[name] for name in COMPONENTS if name in formula.weights or name in formula.tie_break}
        total = sum(weight * parts[name] for name, weight in formula.weights.items())
        scored.append(FinalRow(entry.finalist_id, components, total, None))

    def key(row: FinalRow) -> tuple[float, ...]:
        assert row.total is not None
        return (-_bucket(row.total), *(-_bucket(row.components[name]) for name in formula.tie_break))

    ranked: list[FinalRow] = []
    previous: tuple[float, ...] | None = None
    for position, row in enumerate(sorted(scored, key=lambda r: (key(r), r.finalist_id)), start=1):
        tied = previous == key(row)
        rank = ranked[-1].rank if tied and ranked else position
        if tied and ranked:
            ranked[-1] = FinalRow(**{**ranked[-1].__dict__, "tied": True})
        ranked.append(FinalRow(row.finalist_id, row.components, row.total, rank, tied=tied))
        previous = key(row)
    gated = [
        FinalRow(e.finalist_id, {}, None, None, gate_reasons=_gate_reasons(formula, e))
        for e in entries
        if _gate_reasons(formula, e)
    ]
    return ranked + gated


def _bucket(value: float) -> float:
    """Round away floating-point noise so equal totals compare equal."""
    return round(value / EPSILON) * EPSILON
