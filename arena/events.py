"""What happens after a submission is accepted or scored: the one place follow-up work is wired in.

Each function calls the domain modules that react to the event, in order, inside the caller's
transaction. Keeping the calls here (rather than in every caller) means web, worker and CLI all
trigger the same follow-ups.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from arena.models import Submission


def submission_accepted(session: Session, submission: Submission) -> None:
    """React to a new queued submission (after it is committed)."""


def submission_scored(session: Session, submission: Submission) -> None:
    """React to a submission that has just been scored (before the transaction commits)."""
