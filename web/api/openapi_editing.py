"""The OpenAPI operations that edit a challenge (its organizers): pages, a phase's settings, scorer options."""

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
    return {
        "/challenges/{slug}/texts": {"patch": texts},
        "/phases/{phase_id}": {"patch": phase},
        "/tracks/{track_id}/scorer-options": {"patch": options},
    }
