"""The OpenAPI paths of tokens, the caller's account, challenges, creating and joining teams, this document."""

from __future__ import annotations

from typing import Any

from web.api.openapi_common import (
    INT,
    OBJ,
    SLUG,
    STR,
    TEAM,
    errors,
    json_body,
    op,
    path_id,
)

FILE = {
    "type": "object",
    "required": ["id", "name", "size", "sha256", "download_url", "api_download_url"],
    "properties": {
        "id": INT,
        "name": STR,
        "title": {"type": "object", "additionalProperties": STR, "description": "by language (en, zh)"},
        "size": INT,
        "sha256": STR,
        "download_url": STR,
        "api_download_url": STR,
    },
}
FILE_LIST = {
    "type": "object",
    "required": ["challenge", "files"],
    "properties": {"challenge": STR, "files": {"type": "array", "items": FILE}},
}
BYTES = {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}


def _file_download() -> dict[str, Any]:
    operation = op(
        "One public file, as bytes. Resumable: send `Range: bytes=N-` (with `If-Range: <ETag>` so a changed file "
        "comes whole) to get `206` with the rest; the strong ETag is the file's sha256 (`If-None-Match` gives `304`)",
        "200",
        OBJ,
        (401, 404),
        auth=False,
        params=[SLUG, path_id("file_id")],
        content=BYTES,
    )
    operation["responses"]["206"] = {"description": "The requested byte range (Content-Range)", "content": BYTES}
    operation["responses"]["304"] = {"description": "Unchanged (If-None-Match names the current ETag)"}
    operation["responses"].update(errors(416))
    return operation


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
        "/challenges/{slug}/files": {
            "get": op(
                "The challenge's public files the caller may download now: size, sha256 and download URLs",
                "200",
                FILE_LIST,
                (401, 404),
                auth=False,
                params=[SLUG],
            )
        },
        "/challenges/{slug}/files/{file_id}": {"get": _file_download()},
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
