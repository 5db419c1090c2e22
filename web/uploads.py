"""Accepting a submission upload: store it, commit the queued submission, ring the queue's doorbell."""

from __future__ import annotations

import logging
from typing import BinaryIO, cast

from redis.exceptions import RedisError
from werkzeug.datastructures import FileStorage

from arena.errors import InvalidInput
from arena.models import Phase, Submission, User
from arena.queueing import enqueue_evaluation
from arena.services import submissions as submission_service
from web import state

log = logging.getLogger(__name__)


def accept_upload(user: User, phase: Phase, upload: FileStorage | None, description: str = "") -> Submission:
    """Create a queued submission from an uploaded file and enqueue its evaluation.

    The database is the source of truth: if Redis is down the submission stays queued and the
    reconciler enqueues it later, so the upload is never lost.
    """
    if upload is None or not upload.filename:
        raise InvalidInput("no file was uploaded; choose a file to submit", field="file")
    session = state.session()
    try:
        submission = submission_service.submit(
            session, state.store(), user=user, phase=phase, stream=cast(BinaryIO, upload.stream),
            filename=upload.filename, description=description,
        )
        session.commit()
    except BaseException:
        session.rollback()
        raise
    try:
        submission.job_id = enqueue_evaluation(state.settings(), submission)
        session.commit()
    except RedisError:
        session.rollback()
        log.warning("could not enqueue submission %s; the reconciler will retry", submission.id)
    return submission
