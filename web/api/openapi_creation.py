"""The OpenAPI operation that creates a challenge from fields (creators and site admins)."""

from __future__ import annotations

from typing import Any

from web.api.openapi_common import INT, STR, json_body, op

NUMBER_OR_TEXT = {"type": ["number", "string"]}
CREATED = {
    "type": "object",
    "required": ["id", "slug", "published", "url", "console_url"],
    "properties": {"id": INT, "slug": STR, "published": {"type": "boolean"}, "url": STR, "console_url": STR},
}
CHECKED = {
    "type": "object",
    "required": ["problems"],
    "properties": {
        "problems": {
            "type": "array",
            "items": {"type": "object", "required": ["field", "message"], "properties": {"field": STR, "message": STR}},
        }
    },
}
FIELDS: dict[str, Any] = {
    "slug": STR,
    "title_en": STR,
    "title_zh": STR,
    "track_slug": STR,
    "track_title_en": STR,
    "track_title_zh": STR,
    "scorer": {**STR, "description": "a built-in scorer (docs/scorers.md)"},
    "scorer_options": {"type": ["object", "string"], "description": "an object, or its YAML text"},
    "id_column": STR,
    "target_columns": {"type": ["array", "string"], "items": STR, "description": "a list, or comma-separated"},
    "phase_slug": STR,
    "phase_title_en": STR,
    "phase_title_zh": STR,
    "opens": {**STR, "description": "ISO 8601; UTC when it names no zone"},
    "closes": {**STR, "description": "ISO 8601; UTC when it names no zone"},
    "daily_quota": NUMBER_OR_TEXT,
    "public_fraction": NUMBER_OR_TEXT,
    "labels_csv": {**STR, "description": "the hidden key's CSV text"},
    "sample_csv": {**STR, "description": "the sample submission's CSV text"},
    "baseline_csv": {**STR, "description": "optional: a baseline's predictions, scored by the dry run"},
    "check_only": {"type": "boolean", "description": "true: answer 200 with the problems and create nothing"},
}


def creation_paths() -> dict[str, Any]:
    """Return the operations to merge into the path items (``POST /challenges``)."""
    operation = op(
        "Create an unpublished challenge with one track and one phase, organized by the caller (creators and site "
        "admins); problems come with the bundle field they concern (error.problems), in the bundle importer's words",
        "201",
        CREATED,
        (400, 401, 403, 413),
        body=json_body(FIELDS, []),
    )
    operation["responses"]["200"] = {
        "description": "With check_only: every problem found, nothing created",
        "content": {"application/json": {"schema": CHECKED}},
    }
    return {"/challenges": {"post": operation}}
