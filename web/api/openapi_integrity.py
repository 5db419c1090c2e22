"""The OpenAPI paths of integrity signals, rescores, re-runs, exports and charts."""

from __future__ import annotations

from typing import Any

from web.api.openapi_common import (
    BINARY_EXPORT,
    EXPORT_FORMAT,
    OBJ,
    SLUG,
    SPLIT,
    STR,
    json_body,
    op,
    path_id,
)


def integrity_paths() -> dict[str, Any]:
    """Return the path items of integrity signals, rescores, re-runs, exports and charts."""
    return {
        "/challenges/{slug}/integrity-signals": {
            "get": op(
                "Integrity signals of a challenge, open ones (``?all=1``: dismissed too); organizers only",
                "200",
                OBJ,
                (401, 403, 404),
                params=[SLUG, {"name": "all", "in": "query", "schema": {"type": "string", "enum": ["0", "1"]}}],
            )
        },
        "/integrity-signals/{signal_id}/dismiss": {
            "post": op(
                "Dismiss an integrity signal with a reason (audited); organizers only",
                "200",
                OBJ,
                (400, 401, 404, 409),
                params=[path_id("signal_id")],
                body=json_body({"reason": STR}, ["reason"]),
            )
        },
        "/phases/{phase_id}/rescores": {
            "get": op(
                "The phase's score version and each rescore's progress (total, done, failed); organizers only",
                "200",
                OBJ,
                (401, 403, 404),
                params=[path_id("phase_id")],
            ),
            "post": op(
                "Rescore every scored submission of the phase under a new score version; organizers only",
                "202",
                OBJ,
                (400, 401, 403, 404),
                params=[path_id("phase_id")],
                body=json_body({"reason": STR}, ["reason"]),
            ),
        },
        "/submissions/{submission_id}/provenance": {
            "get": op(
                "Every recorded score with its provenance (file, scorer, hidden data and image hashes); organizers",
                "200",
                OBJ,
                (401, 404),
                params=[path_id("submission_id")],
            )
        },
        "/submissions/{submission_id}/reruns": {
            "get": op(
                "A submission's re-runs, newest first; organizers only",
                "200",
                OBJ,
                (401, 404),
                params=[path_id("submission_id")],
            ),
            "post": op(
                "Re-run a submission without changing its status or scores; organizers only",
                "202",
                OBJ,
                (401, 404, 409),
                params=[path_id("submission_id")],
            ),
        },
        "/reruns/{rerun_id}": {
            "get": op(
                "A re-run: status and whether the recorded scores were reproduced; organizers only",
                "200",
                OBJ,
                (401, 404),
                params=[path_id("rerun_id")],
            )
        },
        "/phases/{phase_id}/exports/submissions": {
            "get": op(
                "Every submission of the phase as CSV or Parquet; organizers only",
                "200",
                STR,
                (400, 401, 403, 404),
                params=[path_id("phase_id"), EXPORT_FORMAT],
                content=BINARY_EXPORT,
            )
        },
        "/phases/{phase_id}/exports/leaderboard": {
            "get": op(
                "A leaderboard split as CSV or Parquet; organizers only",
                "200",
                STR,
                (400, 401, 403, 404),
                params=[path_id("phase_id"), SPLIT, EXPORT_FORMAT],
                content=BINARY_EXPORT,
            )
        },
        "/phases/{phase_id}/charts": {
            "get": op(
                "Chart data: leading teams' best score over time and the score histogram, as the caller may see",
                "200",
                OBJ,
                (400, 401, 403, 404),
                auth=False,
                params=[path_id("phase_id"), SPLIT],
            )
        },
    }
