"""Sending export bytes as a file download."""

from __future__ import annotations

from flask import Response

from arena import boards


def download(data: bytes, fmt: str, name: str) -> Response:
    """Send export bytes as an attachment named ``<name>.<fmt>`` with the format's media type."""
    response = Response(data, mimetype=boards.MEDIA_TYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
