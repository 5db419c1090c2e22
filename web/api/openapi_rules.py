"""The OpenAPI paths of the competition-rule routes: invitations, leaving, captaincy, merges and staged phases."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

TEAM = {"$ref": "#/components/schemas/Team"}
INT = {"type": "integer"}
STR = {"type": "string"}
OBJ: dict[str, Any] = {"type": "object"}
SLUG = {"name": "slug", "in": "path", "required": True, "schema": STR}
Builder = Callable[..., dict[str, Any]]


def _path_id(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": INT}


def rules_paths(_op: Builder, _json_body: Builder) -> dict[str, Any]:
    """Return the path items of the team, merge and stage routes, built with the document's own helpers."""
    team_id = [_path_id("team_id")]
    invitation_id = [_path_id("invitation_id")]
    request_id = [_path_id("request_id")]
    phase_id = [_path_id("phase_id")]
    return {
        "/teams/{team_id}": {
            "get": _op(
                "A team; members also get the invite code",
                "200",
                TEAM,
                (401, 404),
                auth=False,
                params=team_id,
            ),
            "patch": _op(
                "Change the team's institution (captain)",
                "200",
                TEAM,
                (400, 401, 403, 404, 409),
                params=team_id,
                body=_json_body({"institution": STR}, ["institution"]),
            ),
        },
        "/teams/{team_id}/captain": {
            "post": _op(
                "Hand the captaincy to another member (captain)",
                "200",
                TEAM,
                (400, 401, 403, 404, 409),
                params=team_id,
                body=_json_body({"username": STR}, ["username"]),
            )
        },
        "/teams/{team_id}/leave": {
            "post": _op(
                "Leave the team; a captain alone dissolves it. Refused after submitting for the team, for a captain "
                "with teammates, and after the merge deadline",
                "200",
                OBJ,
                (401, 403, 404, 409),
                params=team_id,
            )
        },
        "/teams/{team_id}/invitations": {
            "post": _op(
                "Invite a user by username (captain); refused after the entry or merge deadline or when full",
                "201",
                OBJ,
                (400, 401, 403, 404, 409),
                params=team_id,
                body=_json_body({"username": STR}, ["username"]),
            ),
            "get": _op("The team's pending invitations (members)", "200", OBJ, (401, 403, 404), params=team_id),
        },
        "/challenges/{slug}/invitations": {
            "get": _op("The caller's unanswered invitations in a challenge", "200", OBJ, (401, 404), params=[SLUG])
        },
        "/invitations/{invitation_id}/accept": {
            "post": _op(
                "Accept an invitation and join the team", "200", TEAM, (401, 403, 404, 409), params=invitation_id
            )
        },
        "/invitations/{invitation_id}/decline": {
            "post": _op("Decline an invitation", "200", OBJ, (401, 404, 409), params=invitation_id)
        },
        "/invitations/{invitation_id}/cancel": {
            "post": _op("Withdraw an invitation (captain)", "200", OBJ, (401, 403, 404, 409), params=invitation_id)
        },
        "/teams/{team_id}/merge-requests": {
            "post": _op(
                "Ask to merge this team into another (captain); refused with the rule broken: size cap, combined "
                "submissions over one team's allowance in a phase, or the merge deadline",
                "201",
                OBJ,
                (400, 401, 403, 404, 409),
                params=team_id,
                body=_json_body({"into_team_id": INT, "into_team": STR}, []),
            ),
            "get": _op(
                "The team's pending merge requests, sent and received", "200", OBJ, (401, 403, 404), params=team_id
            ),
        },
        "/merge-requests/{request_id}/accept": {
            "post": _op(
                "Carry out the merge (receiving captain); the rules are checked again",
                "200",
                TEAM,
                (401, 403, 404, 409),
                params=request_id,
            )
        },
        "/merge-requests/{request_id}/decline": {
            "post": _op(
                "Refuse a merge request (receiving captain)",
                "200",
                OBJ,
                (400, 401, 403, 404, 409),
                params=request_id,
                body={"content": {"application/json": {"schema": {"type": "object", "properties": {"reason": STR}}}}},
            )
        },
        "/merge-requests/{request_id}/cancel": {
            "post": _op(
                "Withdraw a merge request (requesting captain)", "200", OBJ, (401, 403, 404, 409), params=request_id
            )
        },
        "/phases/{phase_id}/entries": {
            "get": _op(
                "Whether the phase is staged, its advancement rule and the admitted teams",
                "200",
                OBJ,
                (401, 404),
                auth=False,
                params=phase_id,
            ),
            "post": _op(
                "Admit a team by hand with a reason (organizers; audited)",
                "201",
                OBJ,
                (400, 401, 403, 404, 409),
                params=phase_id,
                body=_json_body({"team_id": INT, "reason": STR}, ["team_id", "reason"]),
            ),
        },
        "/phases/{phase_id}/advance": {
            "post": _op(
                "Admit the teams that qualify on the previous phase's board (organizers; after it closed)",
                "200",
                OBJ,
                (401, 403, 404, 409),
                params=phase_id,
            )
        },
    }
