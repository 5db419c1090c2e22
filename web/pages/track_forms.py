"""The console's track and phase forms read as bundle entries, and a stored track shown as the form's inputs.

Which input shows a problem of which bundle field is decided here too, so the pages and their live checks agree.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

import scorers
from arena import publishing
from arena.errors import BundleError
from arena.models import Track
from web.times import viewer_zone_name

Problems = list[tuple[str, str]]
TRACK_INPUTS = ("title_en", "title_zh", "kind", "scorer", "scorer_options", "direction", "id_column",
                "target_columns", "targets", "reason")  # fmt: skip
PHASE_INPUTS = ("slug", "title_en", "title_zh", "opens", "closes", "freeze_at", "daily_quota", "total_quota",
                "public_fraction", "split_seed", "final_selection_max", "use_ladder", "advancement_from",
                "advancement_top")  # fmt: skip
NUMBERS = {"daily_quota": int, "total_quota": int, "final_selection_max": int, "public_fraction": float}
TIMES = ("opens", "closes", "freeze_at")
# Which input shows a problem of a field (the rest go to the box above the form).
INPUT_OF = {"title": "title", "advancement": "advancement_from", "phases": "keys", "labels": "labels"}


def input_for(field: str) -> str:
    """The form input beside which a problem of bundle field ``field`` is shown."""
    head, _dot, rest = field.partition(".")
    if head == "title" and rest in ("en", "zh"):
        return f"title_{rest}"
    if head == "advancement" and rest.startswith("top"):
        return "advancement_top"
    return INPUT_OF.get(head, head)


def yaml_text(value: dict[str, Any]) -> str:
    """A mapping as the YAML typed in a form field (empty for an empty mapping)."""
    return yaml.safe_dump(value, allow_unicode=True, sort_keys=False) if value else ""


def natural_direction(scorer: str) -> str:
    """The direction the scorer ranks by on its own (``max`` or ``min``; empty for an unknown scorer)."""
    try:
        return "max" if scorers.get_scorer(scorer, {}).higher_is_better else "min"
    except scorers.ScorerConfigError:
        return ""


def typed_track(track: Track) -> dict[str, str]:
    """A stored track as the track form's inputs."""
    return {
        "title_en": track.title.get("en", ""),
        "title_zh": track.title.get("zh", ""),
        "kind": track.kind,
        "scorer": track.scorer,
        "scorer_options": yaml_text(dict(track.scorer_options or {})),
        "direction": "" if track.direction == natural_direction(track.scorer) else track.direction,
        "id_column": track.id_column,
        "target_columns": ", ".join(track.target_columns),
        "targets": yaml_text(publishing.declared_targets(track.targets)),
        "reason": "",
    }


def track_changes(form: dict[str, str]) -> dict[str, Any]:
    """The track form's inputs as bundle values; BundleError names an input whose YAML does not read."""
    changes: dict[str, Any] = {
        "title": {"en": form.get("title_en", ""), "zh": form.get("title_zh", "")},
        "kind": form.get("kind", "result") or "result",
        "scorer": form.get("scorer", "").strip(),
        "id_column": form.get("id_column", "").strip(),
        "target_columns": [c.strip() for c in form.get("target_columns", "").split(",") if c.strip()],
    }
    problems: Problems = []
    for name in ("scorer_options", "targets"):
        try:
            changes[name] = publishing.parse_mapping(form.get(name, ""), name)
        except BundleError as error:
            problems.extend(error.problems)
    if form.get("direction", "").strip():
        changes["direction"] = form["direction"].strip()
    if problems:
        raise BundleError(problems)
    return changes


def new_track_entry(form: dict[str, str]) -> dict[str, Any]:
    """The new track form's inputs as a bundle track entry (a new track is a result track)."""
    changes = track_changes(form)
    changes.pop("kind", None)
    return {"slug": form.get("slug", "").strip(), **changes}


NEW_TRACK_INPUTS = ("slug", *[name for name in TRACK_INPUTS if name not in ("kind", "reason")])


def viewer_zone() -> ZoneInfo:
    """The viewer's time zone (UTC when it is unknown)."""
    try:
        return ZoneInfo(viewer_zone_name())
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_moment(value: str) -> str | None:
    """A ``datetime-local`` value in the viewer's zone as ISO 8601 (text that is no time goes to the check as is)."""
    if not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return value.strip()
    return (moment if moment.tzinfo else moment.replace(tzinfo=viewer_zone())).isoformat()


def typed_number(value: str, kind: type) -> Any:
    """A typed number as ``kind`` (None when empty; text that is no number goes to the check as is)."""
    if not value.strip():
        return None
    try:
        return kind(value.strip())
    except ValueError:
        return value.strip()


def phase_entry(form: dict[str, str]) -> dict[str, Any]:
    """The new phase form's inputs as a bundle phase entry (times from the viewer's zone; empty ones left out)."""
    entry: dict[str, Any] = {
        "slug": form.get("slug", "").strip(),
        "title": {"en": form.get("title_en", ""), "zh": form.get("title_zh", "")},
        "use_ladder": form.get("use_ladder") == "on",
    }
    for key in TIMES:
        entry[key] = local_moment(form.get(key, ""))
    for key, kind in NUMBERS.items():
        entry[key] = typed_number(form.get(key, ""), kind)
    entry["split_seed"] = form.get("split_seed", "").strip() or None
    source = form.get("advancement_from", "").strip()
    if source:
        top = typed_number(form.get("advancement_top", ""), int)
        entry["advancement"] = {"from": source, **({"top": top} if top is not None else {})}
    return {key: value for key, value in entry.items() if value is not None}
