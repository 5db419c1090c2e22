"""Taking in an upload: create the queued submission, commit it, then ring the queue's doorbell."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import BinaryIO

from redis.exceptions import RedisError
from sqlalchemy.orm import Session

from arena import events
from arena.db import utcnow
from arena.evaluation.queueing import enqueue_evaluation
from arena.models import Phase, Submission, User
from arena.settings import Settings
from arena.storage import BlobStore
from arena.submissions import check_submittable, submit, upload_limit

log = logging.getLogger(__name__)


def open_upload(session: Session, settings: Settings, *, user: User, phase: Phase, now: datetime | None = None) -> int:
    """Refuse an upload for everything that does not need its file; return the largest file accepted, in bytes.

    Called before the request body is read, so a refused upload costs neither reading nor disk.
    """
    check_submittable(session, user=user, phase=phase, now=now or utcnow())
    return upload_limit(phase, settings.max_upload_bytes)


def accept_upload(
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
            session,
            store,
            user=user,
            phase=phase,
            stream=stream,
            filename=filename,
            description=description,
            site_limit=settings.max_upload_bytes,
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
        log.warning(
            "could not enqueue submission %s; the reconciler will retry",
            submission.id,
            extra={"submission_id": submission.id},
        )
    return submission
