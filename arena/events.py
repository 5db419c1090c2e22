"""What happens after a submission is accepted or scored: the one place follow-up work is wired in.

Each function calls the domain modules that react to the event, in order, inside the caller's
transaction. Keeping the calls here (rather than in every caller) means web, worker and CLI all
trigger the same follow-ups.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from arena import boards, integrity
from arena.models import Phase, Submission, Track
from arena.storage import BlobStore


def submission_accepted(session: Session, submission: Submission) -> None:
    """React to a new queued submission (after it is committed)."""
    integrity.check_accepted(session, submission)


def submission_scored(
    session: Session,
    submission: Submission,
    *,
    store: BlobStore,
    probing: integrity.ProbingRule | None = None,
) -> None:
    """React to a submission that has just been scored (before the transaction commits)."""
    integrity.check_scored(session, store, submission, probing)
    window = (probing or integrity.ProbingRule()).window
    integrity.check_adaptive_probing(session, store, submission, integrity.AdaptiveRule(window=window))
    boards.record_score(session, store, submission)


def scores_committed(session: Session, store: BlobStore, phase: Phase) -> None:
    """React after a scoring transaction committed: settle the statistics it left stale, in a transaction of its own."""
    if boards.settle_statistics(session, store, phase):
        session.commit()


def settle_all(session: Session, store: BlobStore) -> int:
    """Settle the phases whose statistics a dead worker left stale; return how many."""
    phases = boards.stale_phases(session)
    for phase in phases:
        scores_committed(session, store, phase)
    return len(phases)


def teams_merged(session: Session, store: BlobStore, challenge_id: int) -> None:
    """Rebuild the challenge's boards after a merge moved one team's submissions and scores to another."""
    phases = session.scalars(
        select(Phase).join(Track, Track.id == Phase.track_id).where(Track.challenge_id == challenge_id)
    )
    boards.rebuild_phases(session, store, list(phases))
