"""Taking in an upload: create the queued submission, commit it, then ring the queue's doorbell."""

from __future__ import annotations

import logging
from typing import BinaryIO

from redis.exceptions import RedisError
from sqlalchemy.orm import Session

from arena import events
from arena.models import Phase, Submission, User
from arena.queueing import enqueue_evaluation
from arena.services.submissions import submit
from arena.settings import Settings
from arena.storage import BlobStore

log = logging.getLogger(__name__)


def accept(
    session: Session,
    settings: Settings,
    store: BlobStore,
    *,
    user: User,
    phase: Phase,
    stream: BinaryIO,
    filename: str,
    description: str = "",
) -> Submission:
    """Record a submission and enqueue its evaluation.

    The database is the source of truth: if Redis is down the submission stays queued and the
    reconciler enqueues it later, so an accepted upload is never lost.
    """
    try:
        submission = submit(
            session, store, user=user, phase=phase, stream=stream, filename=filename, description=description
        )
        session.commit()
    except BaseException:
        session.rollback()
        raise
    events.submission_accepted(session, submission)
    session.commit()
    try:
        submission.job_id = enqueue_evaluation(settings, submission)
        session.commit()
    except RedisError:
        session.rollback()
        log.warning("could not enqueue submission %s; the reconciler will retry", submission.id)
    return submission
