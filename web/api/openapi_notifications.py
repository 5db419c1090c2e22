"""The OpenAPI paths of the caller's notifications."""

from __future__ import annotations

from typing import Any

from web.api.openapi_common import ID, INT, STR, json_body, op, ref

NOTIFICATION = {
    "type": "object",
    "required": ["id", "kind", "subject", "subject_id", "params", "link", "created_at", "read_at"],
    "properties": {
        "id": ID,
        "kind": STR,
        "subject": STR,
        "body": STR,
        "subject_id": STR,
        "body_id": STR,
        "params": {"type": "object"},
        "link": STR,
        "created_at": ref("Timestamp"),
        "read_at": {"oneOf": [ref("Timestamp"), {"type": "null"}]},
    },
}


def notification_paths() -> dict[str, Any]:
    """Return the paths of the caller's inbox."""
    listing = {
        "type": "object",
        "required": ["notifications", "unread"],
        "properties": {"notifications": {"type": "array", "items": NOTIFICATION}, "unread": INT},
    }
    marked = {"type": "object", "required": ["marked", "unread"], "properties": {"marked": INT, "unread": INT}}
    before = {"name": "before_id", "in": "query", "required": False, "schema": ID}
    return {
        "/me/notifications": {
            "get": op(
                "The caller's notifications, newest first, and the unread count",
                "200",
                listing,
                (400, 401, 422),
                params=[before],
            )
        },
        "/me/notifications/read": {
            "post": op(
                "Mark the caller's notifications read (those in ids, or all)",
                "200",
                marked,
                (400, 401, 422),
                body=json_body({"ids": {"type": "array", "items": ID, "maxItems": 1000}}, []),
            )
        },
    }
