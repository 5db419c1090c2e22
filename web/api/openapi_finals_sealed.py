"""OpenAPI path items of a final's sealed test sets (organizers only; inputs and key are never served)."""

from __future__ import annotations

from typing import Any

from web.api.openapi_common import BINARY, INT, OBJ, STR, multipart_body, op, path_id, ref

SEALED_SET = {
    "type": "object",
    "required": ["phase_id", "cases", "source", "created_at"],
    "properties": {"phase_id": INT, "cases": INT, "source": STR, "created_at": ref("Timestamp")},
}
SEALED_UPLOAD = multipart_body(
    {
        "phase_id": {"type": "integer", "minimum": 1},
        "inputs": {**BINARY, "description": "zip or tar.gz of the inputs"},
        "labels": {**BINARY, "description": "the sealed key (CSV)"},
    },
    ["phase_id", "inputs", "labels"],
)
READ = (401, 404)
WRITE = (400, 401, 403, 404, 409, 413, 422)


def sealed_paths() -> dict[str, Any]:
    """Return the path items of the sealed test set routes."""
    final_id = [path_id("final_id")]
    listing = {
        "type": "object",
        "required": ["sealed_sets"],
        "properties": {"sealed_sets": {"type": "array", "items": SEALED_SET}},
    }
    return {
        "/finals/{final_id}/sealed-sets": {
            "get": op("List the final's sealed test sets (organizers)", "200", listing, READ, params=final_id),
            "post": op(
                "Provide or replace a source phase's sealed test set, checked against its scorer (organizers)",
                "201",
                SEALED_SET,
                WRITE,
                params=final_id,
                body=SEALED_UPLOAD,
            ),
        },
        "/finals/{final_id}/sealed-sets/{phase_id}": {
            "delete": op(
                "Remove a source phase's sealed test set (organizers)",
                "200",
                OBJ,
                WRITE,
                params=[*final_id, path_id("phase_id")],
            )
        },
    }
