"""A track's ``targets:``: what each predictions column may hold, checked against every phase's key.

``labels`` is a list, or ``{file: <public file>, column: <name>, extra: [...]}`` to take the labels from a
public CSV (the training identities, say) plus a few more (``new_individual``). Columns left undeclared
take the scorer's default, with a label set derived from the keys where that shows only the task's classes.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pandas as pd

import scorers
from arena.challenges.bundles.fields import Problems
from arena.challenges.keys import PROGRAM_SCORER, track_scorer


def _labels_from(p: Problems, raw: dict[str, Any], at: str, data_root: Path) -> list[str] | None:
    p.unknown_keys(raw, {"file", "column", "extra"}, at)
    path = p.relative_path(raw, "file", at, data_root)
    column = p.string(raw, "column", at)
    if path is None or not column:
        return None
    try:
        frame = pd.read_csv(io.BytesIO(path.read_bytes()), usecols=[column], dtype=str, keep_default_na=False)
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        p.add(f"{at}.column", f"could not read column {column!r} of {path.name}: {exc}")
        return None
    labels = [str(v).strip() for v in pd.unique(frame[column]) if str(v).strip()]
    extra = raw.get("extra") or []
    if not isinstance(extra, list):
        p.add(f"{at}.extra", "must be a list of labels")
        extra = []
    try:
        more = [scorers.label_text(v) for v in extra]
    except scorers.ScorerConfigError as exc:
        p.add(f"{at}.extra", exc.message)
        more = []
    return list(dict.fromkeys([*labels, *more]))


def _expanded(p: Problems, declared: dict[str, Any], where: str, data_root: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for column, raw in declared.items():
        if isinstance(raw, dict) and isinstance(raw.get("labels"), dict):
            labels = _labels_from(p, raw["labels"], f"{where}.targets.{column}.labels", data_root)
            raw = {**raw, "labels": labels or ["?"]}
        out[str(column)] = raw
    return out


def read_targets(
    p: Problems,
    item: dict[str, Any],
    where: str,
    data_root: Path,
    *,
    id_column: str,
    target_columns: list[str],
    keys: list[Path],
) -> dict[str, Any]:
    """Resolve a track's targets, check every phase's key against them and return their stored form."""
    declared = item.get("targets") or {}
    if not isinstance(declared, dict):
        p.add(f"{where}.targets", "must be a mapping of predictions column to {labels: [...]} or {type, min, max}")
        return {}
    scorer_name = str(item.get("scorer") or "")
    try:
        scorer = track_scorer(scorer_name, item.get("scorer_options") or {})
        targets = scorers.track_targets(scorer, target_columns, _expanded(p, declared, where, data_root))
    except scorers.ScorerConfigError as exc:
        field = "targets" if scorer_name == PROGRAM_SCORER or "targets" in exc.message else "scorer"
        p.add(f"{where}.{field}", exc.message)
        return {}
    parsed = []
    for index, path in enumerate(keys):
        try:
            data = path.read_bytes()
            parsed.append(scorers.check_key(data, id_column=id_column, target_columns=target_columns, targets=targets))
        except scorers.ScorerConfigError as exc:
            p.add(f"{where}.phases[{index}].labels", exc.message)
    if len(parsed) == len(keys):
        targets = scorers.derive_labels(targets, parsed)
    return scorers.targets_dict(targets)
