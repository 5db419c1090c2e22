"""Final selection: which submissions of a team are ranked on the private board.

A team selects up to ``Phase.final_selection_max`` scored submissions; if it selects none, its best public
submissions (as many as the limit) are used. Selection locks when the phase closes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from arena import audit, boards
from arena.boards import Board, higher_is_better
from arena.enums import Split, SubmissionStatus
from arena.errors import Conflict, InvalidInput, PhaseClosed
from arena.models import Phase, Score, Submission
from arena.permissions import Action, Actor, phase_resource, require
from arena.storage import BlobStore


@dataclass(frozen=True)
class Selection:
    """A team's final selection in one phase, as the team sees it."""

    limit: int | None
    locked: bool
    selected_ids: frozenset[int]
    counted_ids: frozenset[int]
    defaulted: bool

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-safe dict."""
        return {
            "limit": self.limit,
            "locked": self.locked,
            "selected": sorted(self.selected_ids),
            "counted": sorted(self.counted_ids),
            "defaulted": self.defaulted,
        }


def selection_locked(phase: Phase, now: datetime) -> bool:
    """Whether the phase's deadline has passed, after which selections cannot change."""
    return now >= phase.closes_at


def _eligible(submission: Submission) -> bool:
    return submission.status == SubmissionStatus.SCORED and not submission.is_hidden


def team_selection(session: Session, phase: Phase, team_id: int, now: datetime) -> Selection:
    """Return which submissions the team selected and which will be ranked on the private board."""
    limit = phase.final_selection_max
    rows = list(
        session.scalars(
            select(Submission).where(
                Submission.phase_id == phase.id,
                Submission.team_id == team_id,
                Submission.is_selected.is_(True),
                Submission.status == SubmissionStatus.SCORED,
                Submission.is_hidden.is_(False),
            )
        )
    )
    selected = frozenset(s.id for s in rows)
    if not limit:
        return Selection(limit, selection_locked(phase, now), selected, frozenset(), False)
    if selected:
        return Selection(limit, selection_locked(phase, now), selected, selected, False)
    order = Score.primary.desc() if higher_is_better(phase) else Score.primary.asc()
    defaults = session.scalars(
        select(Submission.id)
        .join(Score, Score.submission_id == Submission.id)
        .where(
            Submission.phase_id == phase.id,
            Submission.team_id == team_id,
            Submission.status == SubmissionStatus.SCORED,
            Submission.is_hidden.is_(False),
            Score.split == Split.PUBLIC.value,
            Score.version == phase.score_version,
        )
        .order_by(order, Submission.created_at, Submission.id)
        .limit(limit)
    )
    return Selection(limit, selection_locked(phase, now), selected, frozenset(defaults), True)


def _check(actor: Actor, submission: Submission, now: datetime) -> Phase:
    phase = submission.phase
    resource = phase_resource(phase, now, owner_team_id=submission.team_id)
    # Another team's submission does not exist for the caller: 404, never 403, so ids reveal nothing.
    require(actor, Action.VIEW_SUBMISSION, resource, hide=True)
    require(actor, Action.SELECT_FINAL_SUBMISSIONS, resource)
    if not phase.final_selection_max:
        raise InvalidInput("this phase has no final selection: every submission counts")
    if selection_locked(phase, now):
        raise PhaseClosed("the phase has ended; final selections are locked")
    return phase


def select_submission(
    session: Session, store: BlobStore, actor: Actor, submission: Submission, now: datetime
) -> Selection:
    """Select a scored submission for the private board; Conflict if the team already selected the maximum."""
    phase = _check(actor, submission, now)
    if not _eligible(submission):
        raise InvalidInput("only scored, visible submissions can be selected")
    limit = phase.final_selection_max or 0
    if not submission.is_selected:
        count = session.scalar(
            select(func.count()).where(
                Submission.phase_id == phase.id,
                Submission.team_id == submission.team_id,
                Submission.is_selected.is_(True),
            )
        )
        if (count or 0) >= limit:
            raise Conflict(
                "your team has already selected %(limit)s submissions; unselect one first", params={"limit": limit}
            )
        submission.is_selected = True
        _changed(session, store, actor, submission, "submission.selected")
    return team_selection(session, phase, submission.team_id, now)


def unselect_submission(
    session: Session, store: BlobStore, actor: Actor, submission: Submission, now: datetime
) -> Selection:
    """Remove a submission from the team's final selection."""
    phase = _check(actor, submission, now)
    if submission.is_selected:
        submission.is_selected = False
        _changed(session, store, actor, submission, "submission.unselected")
    return team_selection(session, phase, submission.team_id, now)


def _changed(session: Session, store: BlobStore, actor: Actor, submission: Submission, action: str) -> None:
    phase = submission.phase
    audit.record(
        session,
        action,
        actor_id=actor.user_id,
        challenge_id=phase.track.challenge_id,
        target_type="submission",
        target_id=submission.id,
    )
    session.flush()
    boards.update_team(session, store, phase, Board.PRIVATE, submission.team_id)
