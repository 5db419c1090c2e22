"""The OpenAPI paths of the competition-rule routes: invitations, leaving, captaincy, merges and staged phases."""

from __future__ import annotations

from typing import Any

from web.api.openapi_common import ID, OBJ, SLUG, STR, TEAM, json_body, op, path_id


def rules_paths() -> dict[str, Any]:
    """Return the path items of the team, merge and stage routes."""
    team_id = [path_id("team_id")]
    invitation_id = [path_id("invitation_id")]
    request_id = [path_id("request_id")]
    phase_id = [path_id("phase_id")]
    return {
        "/teams/{team_id}": {
            "get": op(
                "A team; members also get the invite code",
                "200",
                TEAM,
                (401, 404),
                auth=False,
                params=team_id,
            ),
            "patch": op(
                "Change the team's institution (captain)",
                "200",
                TEAM,
                (400, 401, 403, 404, 409),
                params=team_id,
                body=json_body({"institution": STR}, ["institution"]),
            ),
        },
        "/teams/{team_id}/captain": {
            "post": op(
                "Hand the captaincy to another member (captain)",
                "200",
                TEAM,
                (400, 401, 403, 404, 409),
                params=team_id,
                body=json_body({"username": STR}, ["username"]),
            )
        },
        "/teams/{team_id}/leave": {
            "post": op(
                "Leave the team; a captain alone dissolves it. Refused after submitting for the team, for a captain "
                "with teammates, and after the merge deadline",
                "200",
                OBJ,
                (401, 403, 404, 409),
                params=team_id,
            )
        },
        "/teams/{team_id}/invitations": {
            "post": op(
                "Invite a user by username (captain); refused after the entry or merge deadline or when full",
                "201",
                OBJ,
                (400, 401, 403, 404, 409),
                params=team_id,
                body=json_body({"username": STR}, ["username"]),
            ),
            "get": op("The team's pending invitations (members)", "200", OBJ, (401, 403, 404), params=team_id),
        },
        "/challenges/{slug}/invitations": {
            "get": op("The caller's unanswered invitations in a challenge", "200", OBJ, (401, 404), params=[SLUG])
        },
        "/invitations/{invitation_id}/accept": {
            "post": op(
                "Accept an invitation and join the team", "200", TEAM, (401, 403, 404, 409), params=invitation_id
            )
        },
        "/invitations/{invitation_id}/decline": {
            "post": op("Decline an invitation", "200", OBJ, (401, 404, 409), params=invitation_id)
        },
        "/invitations/{invitation_id}/cancel": {
            "post": op("Withdraw an invitation (captain)", "200", OBJ, (401, 403, 404, 409), params=invitation_id)
        },
        "/teams/{team_id}/merge-requests": {
            "post": op(
                "Ask to merge this team into another (captain); refused with the rule broken: size cap, combined "
                "submissions over one team's allowance in a phase, or the merge deadline",
                "201",
                OBJ,
                (400, 401, 403, 404, 409, 422),
                params=team_id,
                body=json_body({"into_team_id": ID, "into_team": STR}, []),
            ),
            "get": op(
                "The team's pending merge requests, sent and received", "200", OBJ, (401, 403, 404), params=team_id
            ),
        },
        "/merge-requests/{request_id}/accept": {
            "post": op(
                "Carry out the merge (receiving captain); the rules are checked again",
                "200",
                TEAM,
                (401, 403, 404, 409),
                params=request_id,
            )
        },
        "/merge-requests/{request_id}/decline": {
            "post": op(
                "Refuse a merge request (receiving captain)",
                "200",
                OBJ,
                (400, 401, 403, 404, 409),
                params=request_id,
                body={"content": {"application/json": {"schema": {"type": "object", "properties": {"reason": STR}}}}},
            )
        },
        "/merge-requests/{request_id}/cancel": {
            "post": op(
                "Withdraw a merge request (requesting captain)", "200", OBJ, (401, 403, 404, 409), params=request_id
            )
        },
        "/phases/{phase_id}/entries": {
            "get": op(
                "Whether the phase is staged, its advancement rule and the admitted teams",
                "200",
                OBJ,
                (401, 404),
                auth=False,
                params=phase_id,
            ),
            "post": op(
                "Admit a team by hand with a reason (organizers; audited)",
                "201",
                OBJ,
                (400, 401, 403, 404, 409, 422),
                params=phase_id,
                body=json_body({"team_id": ID, "reason": STR}, ["team_id", "reason"]),
            ),
        },
        "/phases/{phase_id}/advance": {
            "post": op(
                "Admit the teams that qualify on the previous phase's board (organizers; after it closed)",
                "200",
                OBJ,
                (401, 403, 404, 409),
                params=phase_id,
            )
        },
    }
