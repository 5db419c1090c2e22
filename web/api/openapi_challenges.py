"""The OpenAPI paths of tokens, the caller's account, challenges, creating and joining teams, this document."""

from __future__ import annotations

from typing import Any

from web.api.openapi_common import (
    OBJ,
    SLUG,
    STR,
    TEAM,
    json_body,
    op,
)


def challenge_paths() -> dict[str, Any]:
    """Return the path items of tokens, the caller's account, challenges, creating and joining teams, this document."""
    return {
        "/tokens": {
            "post": op(
                "Create an API token from a username and password",
                "201",
                OBJ,
                (400, 401, 429),
                auth=False,
                body=json_body({"username": STR, "password": STR, "name": STR}, ["username", "password"]),
            )
        },
        "/me": {"get": op("The caller's account", "200", OBJ, (401,))},
        "/challenges": {"get": op("List challenges", "200", OBJ, (401,), auth=False)},
        "/challenges/{slug}": {
            "get": op(
                "A challenge with tracks, phases (UTC windows, quotas) and public files",
                "200",
                OBJ,
                (401, 404),
                auth=False,
                params=[SLUG],
            )
        },
        "/challenges/{slug}/teams": {
            "post": op(
                "Create a team",
                "201",
                TEAM,
                (400, 401, 403, 404, 409),
                params=[SLUG],
                body=json_body({"name": STR, "institution": STR}, ["name"]),
            )
        },
        "/teams/join": {
            "post": op(
                "Join a team with its invite code",
                "200",
                TEAM,
                (400, 401, 403, 404, 409),
                body=json_body({"invite_code": STR}, ["invite_code"]),
            )
        },
        "/openapi.json": {"get": op("This document", "200", OBJ, (), auth=False)},
    }
