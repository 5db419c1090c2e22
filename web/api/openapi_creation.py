"""The OpenAPI operation that creates a challenge from fields (creators and site admins), as JSON or multipart."""

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
    "kind": {"type": "string", "enum": ["result", "code"], "description": "default result; code needs multipart"},
    "resource_class": {
        "type": "string",
        "enum": ["cpu", "gpu", "large-memory"],
        "description": "code tracks: only workers serving the class take the runs (default cpu)",
    },
    "wall_seconds": {**NUMBER_OR_TEXT, "description": "code tracks: time limit of one run, > 0 (default 600)"},
    "memory_mb": {**NUMBER_OR_TEXT, "description": "code tracks: memory limit, at least 8 (default 2048)"},
    "cpus": {**NUMBER_OR_TEXT, "description": "code tracks: CPUs, > 0, may be a fraction (default 1)"},
    "pids": {**NUMBER_OR_TEXT, "description": "code tracks: processes and threads, > 0 (default 256)"},
    "output_mb": {**NUMBER_OR_TEXT, "description": "code tracks: what the code may write to /output (default 256)"},
    "labels_csv": {**STR, "description": "the hidden key's CSV text"},
    "sample_csv": {**STR, "description": "the sample submission's CSV text"},
    "baseline_csv": {**STR, "description": "optional: a baseline's predictions, scored by the dry run"},
    "check_only": {"type": "boolean", "description": "true: answer 200 with the problems and create nothing"},
}


JSON_ONLY = {"labels_csv", "sample_csv", "baseline_csv", "check_only"}
BINARY = {"type": "string", "format": "binary"}
MULTIPART_FIELDS: dict[str, Any] = {
    **{name: STR for name in FIELDS if name not in JSON_ONLY},
    "scorer_options": {**STR, "description": "YAML text"},
    "target_columns": {**STR, "description": "comma-separated"},
    "check_only": {**STR, "description": "true: answer 200 with the problems and create nothing"},
    "labels": {**BINARY, "description": "the hidden key (CSV)"},
    "sample": {**BINARY, "description": "the public sample submission (CSV)"},
    "baseline": {**BINARY, "description": "result tracks, optional: a baseline's predictions (CSV)"},
    "inputs": {**BINARY, "description": "code tracks: the hidden inputs, a zip or tar.gz mounted at /data"},
    "baseline_program": {
        **BINARY,
        "description": "code tracks, optional: a zip or tar.gz with main.py (or arena.yaml), run by the dry run",
    },
    "sample_program": {**BINARY, "description": "code tracks, optional: a zip or tar.gz, run by the dry run"},
}


def creation_paths() -> dict[str, Any]:
    """Return the operations to merge into the path items (``POST /challenges``)."""
    operation = op(
        "Create an unpublished challenge with one track and one phase, organized by the caller (creators and site "
        "admins); problems come with the bundle field they concern (error.problems), in the bundle importer's words. "
        "A code track needs its hidden inputs archive, so it is created with a multipart form whose parts are named "
        "as the creation form's fields and files",
        "201",
        CREATED,
        (400, 401, 403, 413),
        body=json_body(FIELDS, []),
    )
    body = operation["requestBody"]
    body["content"]["multipart/form-data"] = {
        "schema": {"type": "object", "properties": MULTIPART_FIELDS, "required": []}
    }
    operation["responses"]["200"] = {
        "description": "With check_only: every problem found, nothing created",
        "content": {"application/json": {"schema": CHECKED}},
    }
    return {"/challenges": {"post": operation}}
