"""Reading a bundle's ``final`` section: the on-site final's schedule, sources, formula, aggregation and rubric.

The rules repeat what ``arena.finals`` checks when an organizer edits a final, because the bundle layer sits
below the finals package and reports every problem with its field before anything is installed.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from arena.challenges.bundles.fields import Problems
from arena.challenges.bundles.spec import FileSpec, FinalSpec, SealedSpec, TrackSpec
from arena.challenges.keys import PROGRAM_SCORER, InvalidKey, check_key
from arena.storage import sha256_file

FINAL_KEYS = {
    "title",
    "sources",
    "materials_due",
    "pitch_at",
    "venue",
    "appeal_deadline",
    "formula",
    "aggregation",
    "trim_min_judges",
    "missing_rule",
    "blind",
    "tolerance",
    "report_max_mb",
    "rubric",
    "sealed",
}
SEALED_KEYS = {"source", "inputs", "labels"}
FORMULA_KEYS = {"weights", "normalization", "gates", "tie_break"}
COMPONENTS = ("online", "judges", "reproduction")
NORMALIZATIONS = ("rank", "minmax")
GATES = ("reproduction",)
METHODS = ("mean", "trimmed", "zscore")
MISSING_RULES = ("exclude", "block")
CRITERION_KEYS = {"name", "description", "weight", "min", "max", "step"}


def read_final(
    p: Problems, data: dict[str, Any], tracks: list[TrackSpec], data_root: Path | None = None
) -> FinalSpec | None:
    """Return the declared final, or None when the bundle declares none; problems are named ``final.…``.

    ``data_root`` is where the paths of sealed test sets are read from (without it none may be declared).
    """
    if data.get("final") is None:
        return None
    raw = p.mapping(data["final"], "final")
    p.unknown_keys(raw, FINAL_KEYS, "final")
    materials = p.timestamp(raw, "materials_due", "final", required=False)
    pitch = p.timestamp(raw, "pitch_at", "final", required=False)
    if materials and pitch and pitch < materials:
        p.add("final.pitch_at", "must not be earlier than materials_due")
    aggregation = raw.get("aggregation", "mean")
    if aggregation not in METHODS:
        p.add("final.aggregation", f"must be one of {', '.join(METHODS)}, got {aggregation!r}")
    missing = raw.get("missing_rule", "exclude")
    if missing not in MISSING_RULES:
        p.add("final.missing_rule", f"must be one of {', '.join(MISSING_RULES)}, got {missing!r}")
    tolerance = raw.get("tolerance", 1e-6)
    if isinstance(tolerance, bool) or not isinstance(tolerance, int | float) or not tolerance >= 0:
        p.add("final.tolerance", f"must be a number of at least 0, got {tolerance!r}")
        tolerance = 0.0
    venue = raw.get("venue", "")
    if not isinstance(venue, str):
        p.add("final.venue", "must be a text")
        venue = ""
    sources = _sources(p, raw, tracks)
    return FinalSpec(
        title=p.translated(raw, "title", "final"),
        sources=sources,
        materials_due_at=materials,
        pitch_at=pitch,
        venue=venue.strip(),
        appeal_deadline=p.timestamp(raw, "appeal_deadline", "final", required=False),
        formula=_formula(p, raw.get("formula")),
        aggregation=str(aggregation),
        trim_min_judges=p.integer(raw, "trim_min_judges", "final", low=3, high=1000, default=5) or 5,
        missing_rule=str(missing),
        blind=p.boolean(raw, "blind", "final", False),
        tolerance=float(tolerance),
        report_max_bytes=(p.integer(raw, "report_max_mb", "final", low=1, high=1024, default=20) or 20) * 1024 * 1024,
        rubric=_rubric(p, raw.get("rubric")),
        sealed=_sealed(p, raw.get("sealed"), tracks, sources, data_root),
    )


def _sealed(
    p: Problems, value: Any, tracks: list[TrackSpec], sources: list[tuple[str, str]], data_root: Path | None
) -> list[SealedSpec]:
    """Read the sealed final test sets: one per code-track source, its key checked like a hidden key."""
    if value is None:
        return []
    if not isinstance(value, list) or data_root is None:
        p.add("final.sealed", "must be a list of sealed test sets, each with source, inputs and labels")
        return []
    by_slug = {t.slug: t for t in tracks}
    sealed: list[SealedSpec] = []
    for index, item in enumerate(value):
        where = f"final.sealed[{index}]"
        before = len(p.items)
        raw = p.mapping(item, where)
        p.unknown_keys(raw, SEALED_KEYS, where)
        source = raw.get("source")
        track_slug, _, phase_slug = source.partition("/") if isinstance(source, str) else ("", "", "")
        track = by_slug.get(track_slug)
        if (track_slug, phase_slug) not in sources or track is None:
            p.add(f"{where}.source", f"{source!r} must name one of the final's sources as 'track/phase'")
        elif track.kind != "code":
            p.add(f"{where}.source", "a sealed test set is for a code track, whose code runs on its inputs")
        elif track.scorer == PROGRAM_SCORER:
            p.add(f"{where}.source", "a sealed test set is scored by a built-in scorer; this track has a program")
        elif any(s.track == track_slug for s in sealed):
            p.add(f"{where}.source", f"track {track_slug!r} already has a sealed test set")
        inputs = p.relative_path(raw, "inputs", where, data_root, kind="dir")
        labels = p.relative_path(raw, "labels", where, data_root)
        if track is None or inputs is None or labels is None or len(p.items) > before:
            continue
        try:
            check_key(labels.read_bytes(), track, track.targets)
        except InvalidKey as exc:
            p.add(f"{where}.labels", exc.message)
            continue
        sealed.append(SealedSpec(track=track_slug, phase=phase_slug, inputs=inputs, labels=labels))
    return sealed


def check_sealed_not_public(p: Problems, files: list[FileSpec], final: FinalSpec | None) -> None:
    """Refuse a public file that is, lies inside, or has the content of a sealed test set."""
    if final is None:
        return
    hidden = {s.labels.resolve(): f"final.sealed[{i}].labels" for i, s in enumerate(final.sealed)}
    hidden.update({s.inputs.resolve(): f"final.sealed[{i}].inputs" for i, s in enumerate(final.sealed)})
    hashes = {sha256_file(s.labels) for s in final.sealed}
    for index, spec in enumerate(files):
        source = spec.source.resolve()
        for secret, field in hidden.items():
            if source == secret or source.is_relative_to(secret):
                p.add(f"public_files[{index}].path", f"{spec.path!r} is hidden data ({field}); it can never be public")
        if sha256_file(source) in hashes:
            p.add(f"public_files[{index}].path", f"{spec.path!r} has the same content as a sealed key")


def _sources(p: Problems, raw: dict[str, Any], tracks: list[TrackSpec]) -> list[tuple[str, str]]:
    items = raw.get("sources")
    if not isinstance(items, list) or not items:
        p.add("final.sources", "must list at least one phase as 'track/phase', whose private board feeds the final")
        return []
    known = {(t.slug, ph.slug) for t in tracks for ph in t.phases}
    sources: list[tuple[str, str]] = []
    for index, item in enumerate(items):
        where = f"final.sources[{index}]"
        track, _, phase = item.partition("/") if isinstance(item, str) else ("", "", "")
        if (track, phase) not in known:
            p.add(where, f"{item!r} must name a phase of this bundle as 'track/phase'")
        elif any(t == track for t, _ in sources):
            p.add(where, f"track {track!r} already feeds the final; give one phase per track")
        else:
            sources.append((track, phase))
    return sources


def _names(p: Problems, value: Any, where: str, allowed: tuple[str, ...]) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        p.add(where, "must be a list of component names")
        return []
    for name in value:
        if name not in allowed:
            p.add(where, f"unknown component {name!r}; use {', '.join(allowed)}")
    return list(value)


def _formula(p: Problems, value: Any) -> dict[str, Any]:
    if value is None:
        p.add("final.formula", "is required: the weights of online, judges and reproduction, declared in advance")
        return {}
    spec = p.mapping(value, "final.formula")
    p.unknown_keys(spec, FORMULA_KEYS, "final.formula")
    weights = p.mapping(spec.get("weights"), "final.formula.weights")
    clean: dict[str, float] = {}
    for name, weight in weights.items():
        if name not in COMPONENTS:
            p.add("final.formula.weights", f"unknown component {name!r}; use {', '.join(COMPONENTS)}")
        elif isinstance(weight, bool) or not isinstance(weight, int | float) or not weight >= 0:
            p.add(f"final.formula.weights.{name}", f"must be a number of at least 0, got {weight!r}")
        else:
            clean[name] = float(weight)
    if clean and len(clean) == len(weights) and abs(sum(clean.values()) - 1.0) > 1e-9:
        p.add("final.formula.weights", f"must sum to 1 (they sum to {round(sum(clean.values()), 12)})")
    normalization = spec.get("normalization", "rank")
    if normalization not in NORMALIZATIONS:
        p.add("final.formula.normalization", f"must be one of {', '.join(NORMALIZATIONS)}, got {normalization!r}")
    return {
        "weights": clean,
        "normalization": normalization,
        "gates": _names(p, spec.get("gates"), "final.formula.gates", GATES),
        "tie_break": _names(p, spec.get("tie_break"), "final.formula.tie_break", COMPONENTS),
    }


def _number(p: Problems, raw: dict[str, Any], key: str, where: str, default: float) -> float:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        p.add(f"{where}.{key}", f"must be a number, got {value!r}")
        return default
    return float(value)


def _rubric(p: Problems, value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not value:
        p.add("final.rubric", "must list at least one criterion with a name in 'en' and 'zh'")
        return []
    criteria: list[dict[str, Any]] = []
    for index, item in enumerate(value):
        where = f"final.rubric[{index}]"
        raw = p.mapping(item, where)
        p.unknown_keys(raw, CRITERION_KEYS, where)
        weight = _number(p, raw, "weight", where, 1.0)
        low, high = _number(p, raw, "min", where, 0.0), _number(p, raw, "max", where, 10.0)
        step = _number(p, raw, "step", where, 1.0)
        if weight <= 0:
            p.add(f"{where}.weight", "must be more than 0")
        if not low < high:
            p.add(f"{where}.max", "must be above min")
        elif step <= 0 or abs((high - low) / step - round((high - low) / step)) > 1e-9:
            p.add(f"{where}.step", f"must divide the range {low:g} to {high:g}")
        criteria.append(
            {
                "name": p.translated(raw, "name", where),
                "description": p.translated(raw, "description", where, required=False),
                "weight": weight,
                "min": low,
                "max": high,
                "step": step,
            }
        )
    total = sum(c["weight"] for c in criteria)
    if abs(total - 1.0) > 1e-9:
        p.add("final.rubric", f"the criteria's weights must sum to 1 (they sum to {round(total, 9)})")
    return criteria
