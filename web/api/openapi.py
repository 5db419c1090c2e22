"""The OpenAPI 3.1 description of ``/api/v1``, written by hand and checked against the routes in tests."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from web.api.openapi_rules import rules_paths

bp = Blueprint("openapi", __name__)

ERROR = {"$ref": "#/components/schemas/Error"}
AUTH: list[dict[str, list[str]]] = [{"bearer": []}]
OPTIONAL_AUTH: list[dict[str, list[str]]] = [{}, {"bearer": []}]


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict[str, Any]:
    names = {
        400: "Invalid input",
        401: "Missing or invalid token",
        403: "Not allowed",
        404: "Not found",
        409: "Conflict with the current state (taken name, already in a team, phase closed)",
        413: "Upload too large (the message states the limit)",
        422: "Code archive refused (unsafe, too large unpacked, damaged or nothing to run)",
        429: "Quota used up; see Retry-After and error.retry_at",
    }
    return {str(code): _json(ERROR, names[code]) for code in codes}


def _path_id(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}


def _op(
    summary: str,
    ok: str,
    ok_schema: dict[str, Any],
    errors: tuple[int, ...],
    *,
    auth: bool = True,
    params: list[dict[str, Any]] | None = None,
    body: dict[str, Any] | None = None,
) -> dict[str, Any]:
    op: dict[str, Any] = {
        "summary": summary,
        "security": AUTH if auth else OPTIONAL_AUTH,
        "responses": {ok: _json(ok_schema, summary), **_errors(*errors)},
    }
    if params:
        op["parameters"] = params
    if body:
        op["requestBody"] = body
    return op


def _json_body(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    schema = {"type": "object", "properties": properties, "required": required}
    return {"required": True, "content": {"application/json": {"schema": schema}}}


OBJ: dict[str, Any] = {"type": "object"}
STR = {"type": "string"}
STATUSES = ["queued", "running", "scoring", "scored", "failed", "cancelled"]
SLUG = {"name": "slug", "in": "path", "required": True, "schema": STR}
SPLIT = {
    "name": "split",
    "in": "query",
    "schema": {"type": "string", "enum": ["public", "private"], "default": "public"},
}
EXPORT_FORMAT = {
    "name": "format",
    "in": "query",
    "schema": {"type": "string", "enum": ["csv", "parquet"], "default": "csv"},
}


PAGING = [
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "default": 1}},
    {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}},
]


def document() -> dict[str, Any]:
    """Return the OpenAPI document."""
    submission = {"$ref": "#/components/schemas/Submission"}
    team = {"$ref": "#/components/schemas/Team"}
    upload = {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}, "description": STR},
                }
            }
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "Arena API", "version": "1"},
        "servers": [{"url": "/api/v1"}],
        "paths": {
            "/tokens": {
                "post": _op(
                    "Create an API token from a username and password",
                    "201",
                    OBJ,
                    (400, 401),
                    auth=False,
                    body=_json_body({"username": STR, "password": STR, "name": STR}, ["username", "password"]),
                )
            },
            "/me": {"get": _op("The caller's account", "200", OBJ, (401,))},
            "/challenges": {"get": _op("List challenges", "200", OBJ, (401,), auth=False)},
            "/challenges/{slug}": {
                "get": _op(
                    "A challenge with tracks, phases (UTC windows, quotas) and public files",
                    "200",
                    OBJ,
                    (401, 404),
                    auth=False,
                    params=[SLUG],
                )
            },
            "/challenges/{slug}/teams": {
                "post": _op(
                    "Create a team",
                    "201",
                    team,
                    (400, 401, 403, 404, 409),
                    params=[SLUG],
                    body=_json_body({"name": STR, "institution": STR}, ["name"]),
                )
            },
            "/teams/join": {
                "post": _op(
                    "Join a team with its invite code",
                    "200",
                    team,
                    (400, 401, 403, 404, 409),
                    body=_json_body({"invite_code": STR}, ["invite_code"]),
                )
            },
            "/phases/{phase_id}/submissions": {
                "post": _op(
                    "Upload a submission; evaluation is queued",
                    "202",
                    OBJ,
                    (400, 401, 403, 404, 409, 413, 422, 429),
                    params=[_path_id("phase_id")],
                    body=upload,
                ),
                "get": _op(
                    "The caller's team's submissions in the phase",
                    "200",
                    OBJ,
                    (401, 404),
                    params=[_path_id("phase_id")],
                ),
            },
            "/submissions/{submission_id}": {
                "get": _op(
                    "A submission's status, failure and visible scores",
                    "200",
                    submission,
                    (401, 404),
                    params=[_path_id("submission_id")],
                )
            },
            "/phases/{phase_id}/leaderboard": {
                "get": _op(
                    "One page of a phase's leaderboard (materialized; frozen for participants during a freeze); "
                    "private only for organizers until the phase ends, with 95% bootstrap intervals, rank "
                    "intervals and statistical ties. `revision` grows with every change to the board, "
                    "`statistics_pending` is true while the private board's statistics are being recomputed after "
                    "a new score, and the response carries an ETag (send If-None-Match to get 304 when unchanged)",
                    "200",
                    OBJ,
                    (400, 401, 403, 404),
                    auth=False,
                    params=[_path_id("phase_id"), SPLIT, *PAGING],
                )
            },
            "/submissions/{submission_id}/selection": {
                "post": _op(
                    "Select a scored submission for the private board (up to the phase's limit; locks at the end)",
                    "200",
                    OBJ,
                    (400, 401, 403, 404, 409),
                    params=[_path_id("submission_id")],
                ),
                "delete": _op(
                    "Remove a submission from the final selection",
                    "200",
                    OBJ,
                    (400, 401, 403, 404, 409),
                    params=[_path_id("submission_id")],
                ),
            },
            "/submissions/{submission_id}/hidden": {
                "post": _op(
                    "Hide a submission from every leaderboard; organizers only; the reason is audited",
                    "200",
                    OBJ,
                    (400, 401, 403, 404, 409),
                    params=[_path_id("submission_id")],
                    body=_json_body({"reason": STR}, ["reason"]),
                ),
                "delete": _op(
                    "Show a hidden submission again; organizers only",
                    "200",
                    OBJ,
                    (401, 403, 404, 409),
                    params=[_path_id("submission_id")],
                ),
            },
            "/submissions/{submission_id}/baseline": {
                "put": _op(
                    "Mark a submission as a baseline; organizers only",
                    "200",
                    OBJ,
                    (401, 403, 404),
                    params=[_path_id("submission_id")],
                ),
                "delete": _op(
                    "Unmark a baseline submission; organizers only",
                    "200",
                    OBJ,
                    (401, 403, 404),
                    params=[_path_id("submission_id")],
                ),
            },
            "/teams/{team_id}/disqualification": {
                "post": _op(
                    "Disqualify a team; organizers only; the reason is audited",
                    "200",
                    OBJ,
                    (400, 401, 403, 404, 409),
                    params=[_path_id("team_id")],
                    body=_json_body({"reason": STR}, ["reason"]),
                ),
                "delete": _op(
                    "Reinstate a disqualified team; organizers only",
                    "200",
                    OBJ,
                    (401, 403, 404, 409),
                    params=[_path_id("team_id")],
                ),
            },
            "/teams/{team_id}/baseline": {
                "put": _op(
                    "Mark a team as a baseline team; organizers only",
                    "200",
                    OBJ,
                    (401, 403, 404),
                    params=[_path_id("team_id")],
                ),
                "delete": _op(
                    "Unmark a baseline team; organizers only",
                    "200",
                    OBJ,
                    (401, 403, 404),
                    params=[_path_id("team_id")],
                ),
            },
            "/phases/{phase_id}/quota": {
                "get": _op(
                    "The caller's team's quota: daily, total, concurrent runs and the caller's own daily cap; "
                    "remaining, reset time (UTC), next allowed time, the limit that blocks, and admission",
                    "200",
                    OBJ,
                    (401, 403, 404),
                    params=[_path_id("phase_id")],
                )
            },
            "/challenges/{slug}/integrity-signals": {
                "get": _op(
                    "Integrity signals of a challenge, open ones (``?all=1``: dismissed too); organizers only",
                    "200",
                    OBJ,
                    (401, 403, 404),
                    params=[SLUG, {"name": "all", "in": "query", "schema": {"type": "string", "enum": ["0", "1"]}}],
                )
            },
            "/integrity-signals/{signal_id}/dismiss": {
                "post": _op(
                    "Dismiss an integrity signal with a reason (audited); organizers only",
                    "200",
                    OBJ,
                    (400, 401, 404, 409),
                    params=[_path_id("signal_id")],
                    body=_json_body({"reason": STR}, ["reason"]),
                )
            },
            "/phases/{phase_id}/rescores": {
                "get": _op(
                    "The phase's score version and each rescore's progress (total, done, failed); organizers only",
                    "200",
                    OBJ,
                    (401, 403, 404),
                    params=[_path_id("phase_id")],
                ),
                "post": _op(
                    "Rescore every scored submission of the phase under a new score version; organizers only",
                    "202",
                    OBJ,
                    (400, 401, 403, 404),
                    params=[_path_id("phase_id")],
                    body=_json_body({"reason": STR}, ["reason"]),
                ),
            },
            "/submissions/{submission_id}/provenance": {
                "get": _op(
                    "Every recorded score with its provenance (file, scorer, hidden data and image hashes); organizers",
                    "200",
                    OBJ,
                    (401, 404),
                    params=[_path_id("submission_id")],
                )
            },
            "/submissions/{submission_id}/reruns": {
                "get": _op(
                    "A submission's re-runs, newest first; organizers only",
                    "200",
                    OBJ,
                    (401, 404),
                    params=[_path_id("submission_id")],
                ),
                "post": _op(
                    "Re-run a submission without changing its status or scores; organizers only",
                    "202",
                    OBJ,
                    (401, 404, 409),
                    params=[_path_id("submission_id")],
                ),
            },
            "/reruns/{rerun_id}": {
                "get": _op(
                    "A re-run: status and whether the recorded scores were reproduced; organizers only",
                    "200",
                    OBJ,
                    (401, 404),
                    params=[_path_id("rerun_id")],
                )
            },
            "/phases/{phase_id}/exports/submissions": {
                "get": _op(
                    "Every submission of the phase as CSV or Parquet; organizers only",
                    "200",
                    {"type": "string", "format": "binary"},
                    (400, 401, 403, 404),
                    params=[_path_id("phase_id"), EXPORT_FORMAT],
                )
            },
            "/phases/{phase_id}/exports/leaderboard": {
                "get": _op(
                    "A leaderboard split as CSV or Parquet; organizers only",
                    "200",
                    {"type": "string", "format": "binary"},
                    (400, 401, 403, 404),
                    params=[_path_id("phase_id"), SPLIT, EXPORT_FORMAT],
                )
            },
            "/phases/{phase_id}/charts": {
                "get": _op(
                    "Chart data: leading teams' best score over time and the score histogram, as the caller may see",
                    "200",
                    OBJ,
                    (400, 401, 403, 404),
                    auth=False,
                    params=[_path_id("phase_id"), SPLIT],
                )
            },
            "/openapi.json": {"get": _op("This document", "200", OBJ, (), auth=False)},
            **rules_paths(_op, _json_body),
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {
                        "error": {
                            "type": "object",
                            "required": ["code", "message"],
                            "properties": {
                                "code": STR,
                                "message": STR,
                                "field": STR,
                                "retry_at": {"type": "string", "format": "date-time"},
                            },
                        }
                    },
                },
                "Team": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "name": STR,
                        "institution": STR,
                        "invite_code": STR,
                        "members": {"type": "array", "items": OBJ},
                    },
                },
                "Submission": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "status": {"type": "string", "enum": STATUSES},
                        "failure_class": {"type": ["string", "null"]},
                        "error": {"type": ["string", "null"]},
                        "scores": OBJ,
                    },
                },
            },
        },
    }


@bp.get("/openapi.json")
def openapi_json() -> dict[str, Any]:
    """Serve the OpenAPI document."""
    return document()
