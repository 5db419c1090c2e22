"""Sending scored submissions back through evaluation after a key or scorer change."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from arena.enums import SubmissionStatus
from arena.models import Submission
from arena.queueing import enqueue_evaluation
from arena.services.submissions import transition
from arena.settings import Settings


def requeue_for_rescoring(session: Session, settings: Settings, submission_ids: Iterable[int]) -> int:
    """Queue each scored submission again (its old scores stay, under their version); return how many."""
    count = 0
    for submission_id in submission_ids:
        submission = session.get(Submission, submission_id)
        if submission is None or submission.status != SubmissionStatus.SCORED:
            continue
        transition(session, submission, SubmissionStatus.QUEUED)
        session.commit()
        submission.job_id = enqueue_evaluation(settings, submission)
        session.commit()
        count += 1
    return count
