"""The OpenAPI operations on a challenge's data (its organizers): public files and each phase's hidden key."""

from __future__ import annotations

from typing import Any

from web.api.openapi_challenges import FILE
from web.api.openapi_common import BINARY, INT, SLUG, STR, multipart_body, op, path_id

NULLABLE_INT = {"type": ["integer", "null"]}
FILE_UPLOAD = multipart_body({"file": BINARY, "title_en": STR, "title_zh": STR}, ["file", "title_en", "title_zh"])
KEY_UPLOAD = multipart_body(
    {
        "file": {**BINARY, "description": "the hidden key (CSV: the id column and the target columns)"},
        "reason": {**STR, "description": "why; required once the phase has opened"},
    },
    ["file"],
)
KEY_FACTS = {
    "type": "object",
    "required": ["phase_id", "rows", "sha256", "needs_reason"],
    "properties": {"phase_id": INT, "rows": INT, "sha256": STR, "needs_reason": {"type": "boolean"}},
}
KEY_REPLACED = {
    "type": "object",
    "required": ["phase_id", "rows", "sha256", "rescore_run_id"],
    "properties": {"phase_id": INT, "rows": INT, "sha256": STR, "rescore_run_id": NULLABLE_INT},
}
REMOVED = {
    "type": "object",
    "required": ["removed", "id", "path"],
    "properties": {"removed": {"type": "boolean"}, "id": INT, "path": STR},
}
WRITE = (400, 401, 404, 409, 413, 503, 507)


def data_paths() -> dict[str, Any]:
    """Return the data operations (public files, hidden keys) by path."""
    file_id = [SLUG, path_id("file_id")]
    phase_id = [path_id("phase_id")]
    return {
        "/challenges/{slug}/files": {
            "post": op(
                "Add a public file with its titles in both languages (organizers)",
                "201",
                FILE,
                WRITE,
                params=[SLUG],
                body=FILE_UPLOAD,
            )
        },
        "/challenges/{slug}/files/{file_id}": {
            "put": op(
                "Upload a new version of a public file and its titles; its name stays (organizers)",
                "200",
                FILE,
                WRITE,
                params=file_id,
                body=FILE_UPLOAD,
            ),
            "delete": op(
                "Remove a public file; the last sample submission cannot be removed (organizers)",
                "200",
                REMOVED,
                (401, 404, 409),
                params=file_id,
            ),
        },
        "/phases/{phase_id}/key": {
            "get": op(
                "The phase's hidden key: rows and sha256, never its content (organizers)",
                "200",
                KEY_FACTS,
                (401, 404),
                params=phase_id,
            ),
            "put": op(
                "Replace the phase's hidden key, checked against the track's scorer at once (ids unique, labels in "
                "the declared set; the first offending rows are named); once the phase has opened it needs a "
                "reason, starts a rescore and tells the participants (organizers)",
                "200",
                KEY_REPLACED,
                WRITE,
                params=phase_id,
                body=KEY_UPLOAD,
            ),
        },
    }
