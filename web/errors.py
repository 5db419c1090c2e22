"""Every error a request can meet, mapped to an HTTP status and response in one place.

Under ``/api/v1`` errors are JSON ``{"error": {"code", "message", ...}}``; elsewhere a page is rendered.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, after_this_request, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, RequestedRangeNotSatisfiable

from arena.errors import (
    ArenaError,
    BundleError,
    Conflict,
    FileTooLarge,
    Forbidden,
    FormErrors,
    InvalidArchive,
    InvalidInput,
    InvalidTransition,
    NotFound,
    PhaseClosed,
    QuotaExceeded,
    StorageFull,
    StorageUnavailable,
    Unauthenticated,
)
from arena.submissions import InvalidPredictionsFile
from web.i18n import localized, localized_message
from web.numbers import InvalidNumber
from web.times import iso_utc

API_PREFIX = "/api/v1"


class UnacceptableFile(InvalidInput):
    """An uploaded file is not of the kind asked for (a report that is not a PDF): answered 422."""

    code = "unacceptable_file"


# PhaseClosed is 409: the caller may submit in general, but the phase's state rejects it now.
_STATUS: list[tuple[type[ArenaError], int]] = [
    (NotFound, 404),
    (Unauthenticated, 401),
    (Forbidden, 403),
    (QuotaExceeded, 429),
    (PhaseClosed, 409),
    (BundleError, 400),
    (InvalidTransition, 409),
    (Conflict, 409),
    (FileTooLarge, 413),
    (StorageUnavailable, 503),
    (StorageFull, 507),
    (InvalidNumber, 422),
    (InvalidArchive, 422),
    (InvalidPredictionsFile, 422),
    (UnacceptableFile, 422),
    (InvalidInput, 400),
]

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    416: "range_not_satisfiable",
    429: "quota_exceeded",
    500: "internal_error",
}


def status_for(error: ArenaError) -> int:
    """Return the HTTP status for a domain error (an explicit ``status`` attribute wins)."""
    explicit = getattr(error, "status", None)
    if isinstance(explicit, int):
        return explicit
    for cls, status in _STATUS:
        if isinstance(error, cls):
            return status
    return 400


def title_for(status: int) -> str:
    """Return a short translated title for an error status."""
    titles = {
        400: _("The request could not be processed"),
        401: _("Please log in"),
        403: _("Not allowed"),
        404: _("Not found"),
        405: _("Method not allowed"),
        409: _("Conflict"),
        413: _("The upload is too large"),
        422: _("The request could not be processed"),
        429: _("Submission quota used up"),
        503: _("Temporarily unavailable"),
        507: _("Not enough storage space"),
    }
    return str(titles.get(status, _("Something went wrong")))


def wants_json() -> bool:
    """Whether the current request is an API request and gets JSON errors."""
    return request.path == API_PREFIX or request.path.startswith(API_PREFIX + "/")


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    """Return the JSON error envelope."""
    inner: dict[str, Any] = {"code": code, "message": message}
    inner.update({key: value for key, value in extra.items() if value is not None})
    return {"error": inner}


def retry_after_seconds(retry_at: datetime | None) -> int | None:
    """Return whole seconds from now until ``retry_at`` (at least 1), or None."""
    if retry_at is None:
        return None
    return max(1, int((retry_at - datetime.now(UTC)).total_seconds() + 0.999))


def _respond(status: int, code: str, message: str, **extra: Any) -> Response:
    if wants_json():
        response = jsonify(error_body(code, message, **extra))
    else:
        html = render_template("error.html", status=status, title=title_for(status), message=message, **extra)
        response = Response(html, mimetype="text/html")
    response.status_code = status
    return response


def handle_arena_error(error: ArenaError) -> Response:
    """Answer a domain error."""
    status = status_for(error)
    extra: dict[str, Any] = {"field": error.field}
    if isinstance(error, BundleError):
        extra["problems"] = [{"field": field, "message": message} for field, message in error.problems]
    rows = getattr(error, "rows", None)
    if isinstance(rows, list):
        extra["rows"] = rows

    if isinstance(error, FormErrors):
        extra["problems"] = [{"field": f, "message": t % p if p else t} for f, t, p in error.problems]
    retry_at = getattr(error, "retry_at", None)
    if isinstance(error, QuotaExceeded):
        extra["retry_at"] = iso_utc(retry_at)
    # The API answers in the message's own (English) words; pages in the viewer's language.
    message = error.message if wants_json() else localized(error)
    response = _respond(status, error.code, message, **extra)
    seconds = retry_after_seconds(retry_at)
    if status == 429 and seconds is not None:
        response.headers["Retry-After"] = str(seconds)
    if isinstance(error, StorageUnavailable):
        # Nothing was stored (the upload was staged aside and dropped); the store reconnects by itself.
        current_app.logger.warning("storage unavailable: %s", error.detail)
        response.headers["Retry-After"] = str(error.retry_seconds)
    return response


def retry_after_storage(error: ArenaError) -> None:
    """For a page that re-renders its form on ``error``: when the store was out of reach, send Retry-After too."""
    if not isinstance(error, StorageUnavailable):
        return
    current_app.logger.warning("storage unavailable: %s", error.detail)

    @after_this_request
    def _retry(response: Response) -> Response:
        response.headers["Retry-After"] = str(error.retry_seconds)
        return response


def handle_csrf_error(error: CSRFError) -> Response:
    """Answer a form post whose CSRF token is missing or wrong."""
    message = _("The form expired or was not sent by this site (CSRF check failed). Reload the page and try again.")
    return _respond(400, "csrf_failed", message)


HTTP_MESSAGES = {
    404: "There is nothing at this address.",
    405: "This address does not accept the %(method)s method.",
    413: "The request is larger than the site accepts: at most %(megabytes)s MiB (%(bytes)s bytes).",
    416: "The requested byte range starts past the end of the file; download it again from the start.",
    500: "Something went wrong on our side; the error was logged.",
}


def _say(template: str, params: dict[str, Any]) -> str:
    """Fill ``template``: in English for the API (which promises English), in the viewer's language on pages."""
    english = template % params if params else template
    return english if wants_json() else localized_message(template, params, english)


def handle_http_error(error: HTTPException) -> Response:
    """Answer werkzeug's HTTP errors (404, 405, 413, 500, bad form data…) in the right format."""
    status = error.code or 500
    params: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    if status == 405:
        params["method"] = request.method
    elif status == 413:
        limit = int(current_app.config.get("MAX_CONTENT_LENGTH") or 0)
        params.update(bytes=limit, megabytes=f"{limit / 2**20:.1f}")
        extra["max_bytes"] = limit
    template = HTTP_MESSAGES.get(status)
    message = _say(template, params) if template else str(error.description or error.name)
    response = _respond(status, _HTTP_CODES.get(status, "http_error"), message, **extra)
    if status == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    if isinstance(error, RequestedRangeNotSatisfiable) and error.length is not None:
        # Tells a resuming client the file's full length, as RFC 9110 asks.
        response.headers["Content-Range"] = f"bytes */{error.length}"
    return response


DATABASE_RETRY_SECONDS = 30


def handle_database_unavailable(error: OperationalError) -> Response:
    """Answer 503 with a retry hint while the database cannot be reached; the pool reconnects by itself."""
    current_app.logger.warning("database unavailable: %s", error.orig or error)
    template = "The database cannot be reached at the moment and nothing was saved. Try again in %(seconds)s seconds."
    params = {"seconds": DATABASE_RETRY_SECONDS}
    message = _say(template, params)
    if wants_json():
        response = _respond(503, "database_unavailable", message)
    else:
        # The usual error page reads the signed-in user from the database: answer in plain text instead.
        response = Response(message, status=503, mimetype="text/plain")
    response.headers["Retry-After"] = str(DATABASE_RETRY_SECONDS)
    return response


def register_error_handlers(app: Flask) -> None:
    """Install the handlers on ``app``."""
    app.register_error_handler(ArenaError, handle_arena_error)
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(OperationalError, handle_database_unavailable)
