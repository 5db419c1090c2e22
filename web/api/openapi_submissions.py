"""The OpenAPI paths of submissions, leaderboards, final selection, moderation and quotas."""

from __future__ import annotations

from typing import Any

from web.api.openapi_common import (
    BINARY,
    OBJ,
    PAGING,
    SPLIT,
    STR,
    SUBMISSION,
    json_body,
    multipart_body,
    op,
    path_id,
    ref,
)

UPLOAD = multipart_body({"file": BINARY, "description": STR}, ["file"])


def submission_paths() -> dict[str, Any]:
    """Return the path items of submissions, leaderboards, final selection, moderation and quotas."""
    return {
        "/phases/{phase_id}/submissions": {
            "post": op(
                "Upload a submission; evaluation is queued",
                "202",
                OBJ,
                (400, 401, 403, 404, 409, 413, 422, 429, 503, 507),
                params=[path_id("phase_id")],
                body=UPLOAD,
            ),
            "get": op(
                "The caller's team's submissions in the phase",
                "200",
                ref("SubmissionList"),
                (401, 404),
                params=[path_id("phase_id")],
            ),
        },
        "/submissions/{submission_id}": {
            "get": op(
                "A submission's status, failure and visible scores",
                "200",
                SUBMISSION,
                (401, 404),
                params=[path_id("submission_id")],
            )
        },
        "/phases/{phase_id}/leaderboard": {
            "get": op(
                "One page of a phase's leaderboard (materialized; frozen for participants during a freeze); "
                "private only for organizers until the phase ends, with 95% bootstrap intervals, rank "
                "intervals and statistical ties. `revision` grows with every change to the board, "
                "`statistics_pending` is true while the private board's statistics are being recomputed after "
                "a new score, and the response carries an ETag (send If-None-Match to get 304 when unchanged)",
                "200",
                ref("Leaderboard"),
                (400, 401, 403, 404, 422),
                auth=False,
                params=[path_id("phase_id"), SPLIT, *PAGING],
            )
        },
        "/submissions/{submission_id}/selection": {
            "post": op(
                "Select a scored submission for the private board (up to the phase's limit; locks at the end)",
                "200",
                OBJ,
                (400, 401, 403, 404, 409),
                params=[path_id("submission_id")],
            ),
            "delete": op(
                "Remove a submission from the final selection",
                "200",
                OBJ,
                (400, 401, 403, 404, 409),
                params=[path_id("submission_id")],
            ),
        },
        "/submissions/{submission_id}/hidden": {
            "post": op(
                "Hide a submission from every leaderboard; organizers only; the reason is audited",
                "200",
                OBJ,
                (400, 401, 403, 404, 409),
                params=[path_id("submission_id")],
                body=json_body({"reason": STR}, ["reason"]),
            ),
            "delete": op(
                "Show a hidden submission again; organizers only",
                "200",
                OBJ,
                (401, 403, 404, 409),
                params=[path_id("submission_id")],
            ),
        },
        "/submissions/{submission_id}/baseline": {
            "put": op(
                "Mark a submission as a baseline; organizers only",
                "200",
                OBJ,
                (401, 403, 404),
                params=[path_id("submission_id")],
            ),
            "delete": op(
                "Unmark a baseline submission; organizers only",
                "200",
                OBJ,
                (401, 403, 404),
                params=[path_id("submission_id")],
            ),
        },
        "/teams/{team_id}/disqualification": {
            "post": op(
                "Disqualify a team; organizers only; the reason is audited",
                "200",
                OBJ,
                (400, 401, 403, 404, 409),
                params=[path_id("team_id")],
                body=json_body({"reason": STR}, ["reason"]),
            ),
            "delete": op(
                "Reinstate a disqualified team; organizers only",
                "200",
                OBJ,
                (401, 403, 404, 409),
                params=[path_id("team_id")],
            ),
        },
        "/teams/{team_id}/baseline": {
            "put": op(
                "Mark a team as a baseline team; organizers only",
                "200",
                OBJ,
                (401, 403, 404),
                params=[path_id("team_id")],
            ),
            "delete": op(
                "Unmark a baseline team; organizers only",
                "200",
                OBJ,
                (401, 403, 404),
                params=[path_id("team_id")],
            ),
        },
        "/phases/{phase_id}/quota": {
            "get": op(
                "The caller's team's quota: daily, total, concurrent runs and the caller's own daily cap; "
                "remaining, reset time (UTC), next allowed time, the limit that blocks, and admission",
                "200",
                ref("Quota"),
                (401, 403, 404),
                params=[path_id("phase_id")],
            )
        },
    }
