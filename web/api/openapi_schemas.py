"""The component schemas of the OpenAPI document: errors, timestamps and the main objects."""

from __future__ import annotations

from typing import Any

from web.api.openapi_common import ID, INT, OBJ, STR, ref

STATUSES = ["queued", "running", "scoring", "scored", "failed", "cancelled"]
# RFC 3339 in UTC with whole seconds, the one form every timestamp of the API has (arena.timestamps).
TIMESTAMP = {"type": "string", "format": "date-time", "pattern": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"}
NULLABLE_STR = {"type": ["string", "null"]}
NULLABLE_INT = {"type": ["integer", "null"]}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"oneOf": [schema, {"type": "null"}]}


def schemas() -> dict[str, Any]:
    """Return the ``components.schemas`` of the document."""
    return {
        "Timestamp": TIMESTAMP,
        "Error": {
            "type": "object",
            "required": ["error"],
            "additionalProperties": False,
            "properties": {
                "error": {
                    "type": "object",
                    "required": ["code", "message"],
                    "properties": {
                        "code": STR,
                        "message": STR,
                        "field": STR,
                        "retry_at": ref("Timestamp"),
                        "max_bytes": INT,
                        "problems": {"type": "array", "items": OBJ},
                    },
                }
            },
        },
        "Team": {
            "type": "object",
            "required": ["id", "name", "members"],
            "properties": {
                "id": ID,
                "challenge_id": ID,
                "name": STR,
                "institution": NULLABLE_STR,
                "status": STR,
                "captain": NULLABLE_STR,
                "merged_into_id": NULLABLE_INT,
                "invite_code": STR,
                "members": {"type": "array", "items": OBJ},
            },
        },
        "Submission": {
            "type": "object",
            "required": ["id", "status", "created_at", "scores"],
            "properties": {
                "id": ID,
                "phase_id": ID,
                "status": {"type": "string", "enum": STATUSES},
                "created_at": ref("Timestamp"),
                "started_at": _nullable(ref("Timestamp")),
                "finished_at": _nullable(ref("Timestamp")),
                "failure_class": NULLABLE_STR,
                "error": NULLABLE_STR,
                "scores": OBJ,
                "queue": _nullable(
                    {
                        "type": "object",
                        "description": "While queued: its place (1 = next), resource class, live workers of the"
                        " class and the estimated seconds until it starts (null while no estimate can be made)",
                        "required": ["position", "resource_class", "workers", "eta_seconds"],
                        "properties": {
                            "position": {"type": "integer", "minimum": 1},
                            "resource_class": {"type": "string"},
                            "workers": {"type": "integer", "minimum": 0},
                            "eta_seconds": {"type": ["number", "null"], "minimum": 0},
                        },
                    }
                ),
            },
        },
        "SubmissionList": {
            "type": "object",
            "required": ["submissions"],
            "properties": {"submissions": {"type": "array", "items": ref("Submission")}},
        },
        "Quota": {
            "type": "object",
            "required": ["phase_id", "allowed_now", "resets_at", "next_allowed_at", "blocked_by"],
            "properties": {
                "phase_id": ID,
                "allowed_now": {"type": "boolean"},
                "resets_at": ref("Timestamp"),
                # Null while nothing blocks, and when no further submission is possible in the phase.
                "next_allowed_at": _nullable(ref("Timestamp")),
                "blocked_by": {"enum": ["daily", "total", "concurrent", "person_daily", None]},
                "remaining_today": INT,
                "remaining_total": NULLABLE_INT,
            },
        },
        "Leaderboard": {
            "type": "object",
            "required": ["phase_id", "split", "page", "per_page", "total", "pages", "rows"],
            "properties": {
                "phase_id": ID,
                "split": {"type": "string", "enum": ["public", "private"]},
                "frozen_at": _nullable(ref("Timestamp")),
                "page": INT,
                "per_page": INT,
                "total": INT,
                "pages": INT,
                "rows": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {"submitted_at": ref("Timestamp"), "last_submitted_at": ref("Timestamp")},
                    },
                },
            },
        },
    }
