"""The OpenAPI operations that edit a challenge (its organizers): pages, a phase's settings, scorer options,
a track's fields, and adding and removing tracks and phases."""

from __future__ import annotations

from typing import Any

from web.api.openapi_common import INT, OBJ, SLUG, STR, json_body, op, path_id

NULLABLE_INT = {"type": ["integer", "null"]}
NULLABLE_TIME = {"type": ["string", "null"], "description": "ISO 8601 with a zone, e.g. 2027-01-31T23:59:59Z"}
LANGS = {"type": "object", "properties": {"en": STR, "zh": STR}, "description": "Markdown in each language"}
PROBLEMS = {
    "type": "array",
    "items": {"type": "object", "required": ["field", "message"], "properties": {"field": STR, "message": STR}},
}
REASON = {**STR, "description": "why; required for changes unfair to teams of a phase that has opened"}
PHASE_FIELDS: dict[str, Any] = {
    "opens": {**STR, "description": "ISO 8601 with a zone"},
    "closes": {**STR, "description": "ISO 8601 with a zone"},
    "daily_quota": INT,
    "total_quota": NULLABLE_INT,
    "public_fraction": {"type": "number"},
    "split_seed": STR,
    "freeze_at": NULLABLE_TIME,
    "final_selection_max": NULLABLE_INT,
    "use_ladder": {"type": "boolean"},
}
PHASE_EDITED = {
    "type": "object",
    "properties": {
        "phase": {"type": "object", "properties": {"id": INT, **PHASE_FIELDS}},
        "changed": {
            "type": "object",
            "description": "each changed setting with its value before and after",
            "additionalProperties": {"type": "object", "properties": {"before": {}, "after": {}}},
        },
        "unfair": {"type": "array", "items": STR, "description": "the changes that needed a reason"},
        "rescore_run_id": NULLABLE_INT,
        "problems": PROBLEMS,
    },
}
TEXTS_EDITED = {
    "type": "object",
    "required": ["changed", "text"],
    "properties": {"changed": {"type": "array", "items": STR}, "text": OBJ},
}
OPTIONS_EDITED = {
    "type": "object",
    "required": ["track_id", "before", "after", "rescore_run_ids"],
    "properties": {"track_id": INT, "before": OBJ, "after": OBJ, "rescore_run_ids": {"type": "array", "items": INT}},
}
CODES = (400, 401, 404)
TRANSLATED = {"type": "object", "properties": {"en": STR, "zh": STR}, "description": "a text in each language"}
TRACK_BODY: dict[str, Any] = {
    "title": TRANSLATED,
    "kind": {"type": "string", "enum": ["result", "code"], "description": "changes only without submissions"},
    "scorer": {**STR, "description": "a registered scorer's name"},
    "scorer_options": OBJ,
    "direction": {"type": "string", "enum": ["max", "min"], "description": "default: the scorer's own"},
    "id_column": STR,
    "target_columns": {"type": "array", "items": STR},
    "targets": {**OBJ, "description": "by predictions column: {labels: [...]} or {type, min, max}, as in a bundle"},
}
TRACK = {"type": "object", "properties": {"id": INT, "slug": STR, **TRACK_BODY}}
TRACK_EDITED = {
    "type": "object",
    "properties": {
        "track": TRACK,
        "changed": {
            "type": "object",
            "description": "each changed field with its value before and after",
            "additionalProperties": {"type": "object", "properties": {"before": {}, "after": {}}},
        },
        "rescore_run_ids": {"type": "array", "items": INT},
        "problems": PROBLEMS,
        "scoring": {"type": "array", "items": STR, "description": "with check_only: the changes that alter scores"},
    },
}
NEW_PHASE_BODY: dict[str, Any] = {
    "slug": STR,
    "title": TRANSLATED,
    **PHASE_FIELDS,
    "concurrent_quota": NULLABLE_INT,
    "hide_logs": {"type": "boolean"},
    "count_participant_failures": {"type": "boolean"},
    "advancement": {**OBJ, "description": "{from: <earlier phase slug>, top | threshold, split}, as in a bundle"},
    "labels_csv": {**STR, "description": "the hidden key's CSV text; required once the challenge is published"},
    "check_only": {"type": "boolean"},
}
PHASE = {
    "type": "object",
    "properties": {"id": INT, "slug": STR, "title": TRANSLATED, "position": INT, "has_key": {"type": "boolean"},
                   "advancement": OBJ, **PHASE_FIELDS},
}  # fmt: skip
REMOVED = {"type": "object", "required": ["removed"], "properties": {"removed": {**STR, "description": "its slug"}}}
STRUCTURE_CODES = (400, 401, 404, 409)


def editing_paths() -> dict[str, Any]:
    """Return the editing operations (``PATCH``) by path."""
    texts = op(
        "Replace the challenge's pages that are given (organizers); problems in the bundle importer's words",
        "200",
        TEXTS_EDITED,
        CODES,
        params=[SLUG],
        body=json_body({"description": LANGS, "rules": LANGS, "data": LANGS}, []),
    )
    phase = op(
        "Change a phase's window, quotas, split, freeze, selection K or Ladder (organizers); null clears an "
        "optional setting; check_only reports problems and unfair changes without changing anything",
        "200",
        PHASE_EDITED,
        CODES,
        params=[path_id("phase_id")],
        body=json_body({**PHASE_FIELDS, "reason": REASON, "check_only": {"type": "boolean"}}, []),
    )
    options = op(
        "Replace a track's scorer options, checked by its scorer (organizers); a change rescores its phases",
        "200",
        OPTIONS_EDITED,
        CODES,
        params=[path_id("track_id")],
        body=json_body({"scorer_options": {"type": ["object", "string"]}, "reason": REASON}, ["scorer_options"]),
    )
    track = op(
        "Change a track's title, kind, scorer and options, direction, columns or targets (organizers), checked by "
        "the bundle importer and against every stored key; a scoring change after opening needs a reason and "
        "rescores; check_only reports problems and the scoring changes without changing anything",
        "200",
        TRACK_EDITED,
        CODES,
        params=[path_id("track_id")],
        body=json_body({**TRACK_BODY, "reason": REASON, "check_only": {"type": "boolean"}}, []),
    )
    new_track = op(
        "Add a result track at the end of the challenge (organizers); check_only reports problems only",
        "201",
        {"type": "object", "properties": {"track": TRACK, "problems": PROBLEMS}},
        CODES,
        params=[SLUG],
        body=json_body({"slug": STR, **TRACK_BODY, "check_only": {"type": "boolean"}}, ["slug", "title", "scorer"]),
    )
    new_phase = op(
        "Add a phase at the end of a track, with its hidden key (organizers); check_only reports problems only",
        "201",
        {"type": "object", "properties": {"phase": PHASE, "problems": PROBLEMS}},
        CODES,
        params=[path_id("track_id")],
        body=json_body(NEW_PHASE_BODY, ["slug", "title", "opens", "closes", "public_fraction"]),
    )
    remove_track = op(
        "Remove a track whose phases have no submissions (organizers); never a published challenge's last track",
        "200",
        REMOVED,
        STRUCTURE_CODES,
        params=[path_id("track_id")],
    )
    remove_phase = op(
        "Remove a phase without submissions and without phases admitting teams from it (organizers)",
        "200",
        REMOVED,
        STRUCTURE_CODES,
        params=[path_id("phase_id")],
    )
    return {
        "/challenges/{slug}/texts": {"patch": texts},
        "/phases/{phase_id}": {"patch": phase, "delete": remove_phase},
        "/tracks/{track_id}/scorer-options": {"patch": options},
        "/tracks/{track_id}": {"patch": track, "delete": remove_track},
        "/challenges/{slug}/tracks": {"post": new_track},
        "/tracks/{track_id}/phases": {"post": new_phase},
    }
