"""Accepting a submission upload from a form or the API.

The order matters: everything that does not need the body (the team, the permission, the phase window, the
quota and the track's size limit against ``Content-Length``) is checked by :func:`open_upload` before the
request body is touched, and the body is then read only up to the track's limit (:func:`reading_body`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, BinaryIO, cast

from flask import Request, request
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import RequestEntityTooLarge

from arena import evaluation
from arena.errors import InvalidInput
from arena.models import Phase, Submission, User
from arena.submissions import file_too_large
from web import state
from web.config import UPLOAD_MARGIN_BYTES


class UploadRequest(Request):
    """Flask's request, able to close the files of a form whose body was cut off (Werkzeug leaves them open)."""

    _form_files: list[IO[bytes]] | None = None

    def _get_file_stream(
        self,
        total_content_length: int | None,
        content_type: str | None,
        filename: str | None = None,
        content_length: int | None = None,
    ) -> IO[bytes]:
        stream = super()._get_file_stream(total_content_length, content_type, filename, content_length)
        if self._form_files is None:
            self._form_files = []
        self._form_files.append(stream)
        return stream

    def close_form_files(self) -> None:
        """Close every file the form parser opened for this request."""
        for stream in self._form_files or []:
            stream.close()
        self._form_files = None


def open_upload(user: User, phase: Phase) -> int:
    """Refuse an upload before its body is read and bound how much of it may be read; return the file limit."""
    limit = evaluation.open_upload(state.session(), state.settings(), user=user, phase=phase, now=state.now())
    if "stream" in request.__dict__:
        # Werkzeug fixes the body's limit when it first opens the stream; past that, the limit would not hold.
        raise RuntimeError("the request body was opened before its limit was set")
    # The body holds the file plus multipart boundaries and the other form fields.
    body_limit = limit + UPLOAD_MARGIN_BYTES
    if request.content_length is not None and request.content_length > body_limit:
        raise file_too_large(limit)
    request.max_content_length = body_limit
    return limit


@contextmanager
def reading_body(limit: int) -> Iterator[None]:
    """Parse the request's form inside this block; a body that runs past the limit is cut off with a 413."""
    try:
        yield
    except RequestEntityTooLarge:
        current = cast(Request, request._get_current_object())  # type: ignore[attr-defined]
        if isinstance(current, UploadRequest):
            current.close_form_files()
        raise file_too_large(limit) from None


def accept_upload(user: User, phase: Phase, upload: FileStorage | None, description: str = "") -> Submission:
    """Create a queued submission from an uploaded file and enqueue its evaluation."""
    if upload is None or not upload.filename:
        raise InvalidInput("no file was uploaded; choose a file to submit", field="file")
    return evaluation.accept_upload(
        state.session(),
        state.settings(),
        state.store(),
        user=user,
        phase=phase,
        stream=cast(BinaryIO, upload.stream),
        filename=upload.filename,
        description=description,
    )
