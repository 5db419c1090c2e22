"""Accepting a submission upload from a form or the API."""

from __future__ import annotations

from typing import BinaryIO, cast

from werkzeug.datastructures import FileStorage

from arena.errors import InvalidInput
from arena.models import Phase, Submission, User
from arena.services import intake
from web import state


def accept_upload(user: User, phase: Phase, upload: FileStorage | None, description: str = "") -> Submission:
    """Create a queued submission from an uploaded file and enqueue its evaluation."""
    if upload is None or not upload.filename:
        raise InvalidInput("no file was uploaded; choose a file to submit", field="file")
    return intake.accept(
        state.session(),
        state.settings(),
        state.store(),
        user=user,
        phase=phase,
        stream=cast(BinaryIO, upload.stream),
        filename=upload.filename,
        description=description,
    )
