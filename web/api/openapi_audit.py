"""The OpenAPI path of a challenge's audit log."""

from __future__ import annotations

from typing import Any

from arena.audit import ACTIONS, AuditKind
from web.api.openapi_common import INT, OBJ, PAGING, SLUG, STR, op


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "schema": schema, "description": description}


ENTRY = {
    "type": "object",
    "required": ["id", "at", "kind", "action", "actor", "target_type", "target_id", "reason", "details"],
    "properties": {
        "id": INT,
        "at": {"type": "string", "format": "date-time"},
        "kind": {"type": ["string", "null"]},
        "action": STR,
        "actor": {"type": ["string", "null"]},
        "target_type": {"type": ["string", "null"]},
        "target_id": {"type": ["integer", "null"]},
        "reason": STR,
        "details": OBJ,
    },
}

AUDIT_PAGE = {
    "type": "object",
    "required": ["entries", "total", "page", "per_page", "pages"],
    "properties": {"entries": {"type": "array", "items": ENTRY}, "total": INT, "page": INT, "per_page": INT,
                   "pages": INT},
}  # fmt: skip


def audit_paths() -> dict[str, Any]:
    """Return the path item of a challenge's audit log."""
    day = {"type": "string", "description": "a day (YYYY-MM-DD, UTC) or an RFC 3339 time"}
    return {
        "/challenges/{slug}/audit": {
            "get": op(
                "The challenge's audit log, newest first, with filters; organizers and site admins only",
                "200",
                AUDIT_PAGE,
                (400, 401, 404),
                params=[
                    SLUG,
                    _query("kind", {"type": "string", "enum": [k.value for k in AuditKind]}, "kind of action"),
                    _query("action", {"type": "string", "enum": sorted(ACTIONS)}, "one action"),
                    _query("actor", STR, "who acted: a username or an e-mail address"),
                    _query("target_type", STR, "the kind of object acted on (team, submission, final…)"),
                    _query("target_id", {"type": "integer", "minimum": 1}, "the id of the object acted on"),
                    _query("since", day, "from this day or time on"),
                    _query("until", day, "until this day (inclusive) or time"),
                    *PAGING,
                ],
            )
        },
    }
