"""Reading a phase's ``advancement`` key: which earlier phase's board admits teams, and by what rule."""

from __future__ import annotations

from typing import Any

from arena.challenges.bundles.fields import Problems

ADVANCEMENT_KEYS = {"from", "top", "threshold", "split"}
SPLITS = ("public", "private")


def read_advancement(p: Problems, entry: dict[str, Any], where: str, earlier: list[str]) -> dict[str, Any]:
    """Return the normalized rule ``{from, split, top | threshold}``, or ``{}`` when the phase is open to all.

    ``from`` must name a phase declared earlier in the same track; at most one of ``top`` and
    ``threshold`` may be given (neither: organizers admit teams by hand).
    """
    if "advancement" not in entry or entry["advancement"] is None:
        return {}
    at = f"{where}.advancement"
    raw = p.mapping(entry["advancement"], at)
    p.unknown_keys(raw, ADVANCEMENT_KEYS, at)
    source = p.string(raw, "from", at)
    if source and source not in earlier:
        p.add(f"{at}.from", f"{source!r} must be the slug of a phase listed before this one in the same track")
    split = raw.get("split", "private")
    if split not in SPLITS:
        p.add(f"{at}.split", f"must be 'public' or 'private', got {split!r}")
    rule: dict[str, Any] = {"from": source, "split": split}
    if "top" in raw and "threshold" in raw:
        p.add(at, "give either 'top' or 'threshold', not both")
    if "top" in raw:
        top = p.integer(raw, "top", at, low=1, high=1_000_000)
        if top is not None:
            rule["top"] = top
    if "threshold" in raw:
        threshold = raw["threshold"]
        if isinstance(threshold, bool) or not isinstance(threshold, int | float):
            p.add(f"{at}.threshold", f"must be a number, got {threshold!r}")
        else:
            rule["threshold"] = float(threshold)
    return rule
