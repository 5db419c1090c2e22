"""Building blocks of the OpenAPI document: operations, parameters, bodies and shared response shapes."""

from __future__ import annotations

from typing import Any

from web.numbers import MAX_ID, MAX_PAGE

AUTH: list[dict[str, list[str]]] = [{"bearer": []}]
OPTIONAL_AUTH: list[dict[str, list[str]]] = [{}, {"bearer": []}]

OBJ: dict[str, Any] = {"type": "object"}
STR: dict[str, Any] = {"type": "string"}
INT: dict[str, Any] = {"type": "integer"}
ID: dict[str, Any] = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
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
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}},
    {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}},
]
ERROR_NAMES = {
    400: "Invalid input",
    401: "Missing or invalid token",
    403: "Not allowed",
    404: "Not found",
    409: "Conflict with the current state (taken name, already in a team, phase closed)",
    413: "Request or file too large (the message states the limit); error.max_bytes gives the site's request limit",
    422: "A number (an id in the body, a page) is not an integer within its bounds (error.field names it), "
    "or a code archive is refused (unsafe, too large unpacked, damaged or nothing to run), "
    "or an uploaded file is not of the kind asked for (a report that is not a PDF)",
    416: "The requested byte range starts past the end of the file (Content-Range gives its length)",
    429: "Quota used up, or too many failed attempts (error.code rate_limited); see Retry-After",
    503: "The file storage cannot be reached (error.code storage_unavailable): nothing was saved and no quota "
    "was used; try again after Retry-After seconds",
    507: "The file storage is nearly full (error.code storage_full): uploads are refused for now, nothing was saved",
}


def ref(name: str) -> dict[str, str]:
    """Return a reference to a component schema."""
    return {"$ref": f"#/components/schemas/{name}"}


TEAM = ref("Team")
SUBMISSION = ref("Submission")
# Exports are files, not JSON: CSV text or Parquet bytes, by ``?format=``.
BINARY_EXPORT = {
    "text/csv": {"schema": STR},
    "application/vnd.apache.parquet": {"schema": {"type": "string", "format": "binary"}},
}


def json_content(schema: dict[str, Any], description: str) -> dict[str, Any]:
    """Return a response answered as JSON with ``schema``."""
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def errors(*codes: int) -> dict[str, Any]:
    """Return the documented error responses; every one has the Error shape."""
    return {str(code): json_content(ref("Error"), ERROR_NAMES[code]) for code in codes}


def path_id(name: str) -> dict[str, Any]:
    """Return a path parameter holding an object id (1..2^63−1; any other number is a 404)."""
    return {"name": name, "in": "path", "required": True, "schema": ID}


def op(
    summary: str,
    ok: str,
    ok_schema: dict[str, Any],
    codes: tuple[int, ...],
    *,
    auth: bool = True,
    params: list[dict[str, Any]] | None = None,
    body: dict[str, Any] | None = None,
    content: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Return an operation: its success response (JSON unless ``content`` says otherwise) and its errors."""
    success = {"description": summary, "content": content} if content else json_content(ok_schema, summary)
    operation: dict[str, Any] = {
        "summary": summary,
        "security": AUTH if auth else OPTIONAL_AUTH,
        "responses": {ok: success, **errors(*codes)},
    }
    if params:
        operation["parameters"] = params
    if body:
        operation["requestBody"] = body
    return operation


def multipart_body(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    """Return a required multipart/form-data request body (files as binary strings) with these fields."""
    schema = {"type": "object", "required": required, "properties": properties}
    return {"required": True, "content": {"multipart/form-data": {"schema": schema}}}


BINARY: dict[str, Any] = {"type": "string", "format": "binary"}


def json_body(properties: dict[str, Any], required: list[str], *, optional: bool = False) -> dict[str, Any]:
    """Return a JSON request body with these properties."""
    schema = {"type": "object", "properties": properties, "required": required}
    return {"required": not optional, "content": {"application/json": {"schema": schema}}}
