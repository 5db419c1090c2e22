"""Sending files as downloads: export bytes, and public challenge files with Range and ETag support."""

from __future__ import annotations

from flask import Response, send_file

from arena import boards
from arena.challenges import Download


def download(data: bytes, fmt: str, name: str) -> Response:
    """Send export bytes as an attachment named ``<name>.<fmt>`` with the format's media type."""
    response = Response(data, mimetype=boards.MEDIA_TYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def send_public_file(found: Download) -> Response:
    """Send a public file resumably: its sha256 is a strong ETag, and Range/If-Range/If-None-Match are honoured."""
    response = send_file(
        found.path,
        as_attachment=True,
        download_name=found.name,
        mimetype="application/octet-stream",
        conditional=True,
        etag=found.sha256 or True,
    )
    response.headers["Accept-Ranges"] = "bytes"
    # Who may see a file depends on the caller (organizers see files before they open), so caches keep it private.
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["Vary"] = "Authorization, Cookie"
    return response
