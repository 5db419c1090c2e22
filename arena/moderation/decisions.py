"""Moderation by organizers: hiding submissions, disqualifying teams and marking baselines.

Every change is written to the audit log with its reason and rebuilds the affected boards.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from arena import audit, boards
from arena.enums import TeamStatus
from arena.errors import Conflict, InvalidInput
from arena.models import Phase, Score, Submission, Team, Track
from arena.permissions import Action, Actor, phase_resource, require
from arena.storage import BlobStore

REASON_MAX = 2000


def _reason(reason: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise InvalidInput("give a reason; it is kept in the audit log", field="reason")
    return text[:REASON_MAX]


def _require(actor: Actor, phase: Phase, now: datetime) -> None:
    require(actor, Action.MODERATE, phase_resource(phase, now))


def _require_for(actor: Actor, submission: Submission, now: datetime) -> None:
    # A submission the caller may not see does not exist for them (404), so ids reveal nothing.
    resource = phase_resource(submission.phase, now, owner_team_id=submission.team_id)
    require(actor, Action.VIEW_SUBMISSION, resource, hide=True)
    _require(actor, submission.phase, now)


def _challenge_phases(session: Session, challenge_id: int) -> list[Phase]:
    return list(
        session.scalars(select(Phase).join(Track, Track.id == Phase.track_id).where(Track.challenge_id == challenge_id))
    )


def set_submission_hidden(
    session: Session,
    store: BlobStore,
    actor: Actor,
    submission: Submission,
    hidden: bool,
    reason: str,
    now: datetime,
) -> Submission:
    """Hide a submission from every board (a reason is required) or show it again."""
    _require_for(actor, submission, now)
    text = _reason(reason) if hidden else (reason or "").strip()[:REASON_MAX]
    if submission.is_hidden == hidden:
        raise Conflict("the submission is already hidden" if hidden else "the submission is not hidden")
    submission.is_hidden = hidden
    submission.hidden_reason = text if hidden else ""
    audit.record(
        session,
        "submission.hidden" if hidden else "submission.shown",
        actor_id=actor.user_id,
        challenge_id=submission.phase.track.challenge_id,
        target_type="submission",
        target_id=submission.id,
        reason=text,
    )
    boards.rebuild_phases(session, store, [submission.phase])
    return submission


def set_team_disqualified(
    session: Session,
    store: BlobStore,
    actor: Actor,
    team: Team,
    disqualified: bool,
    reason: str,
    now: datetime,
) -> Team:
    """Disqualify a team (a reason is required) or reinstate it; its rows leave or rejoin every board."""
    phases = _challenge_phases(session, team.challenge_id)
    for phase in phases[:1]:
        _require(actor, phase, now)
    text = _reason(reason) if disqualified else (reason or "").strip()[:REASON_MAX]
    if disqualified and team.status == TeamStatus.DISQUALIFIED:
        raise Conflict("the team is already disqualified")
    if not disqualified and team.status != TeamStatus.DISQUALIFIED:
        raise Conflict("the team is not disqualified")
    team.status = TeamStatus.DISQUALIFIED if disqualified else TeamStatus.ACTIVE
    team.status_reason = text if disqualified else ""
    audit.record(
        session,
        "team.disqualified" if disqualified else "team.reinstated",
        actor_id=actor.user_id,
        challenge_id=team.challenge_id,
        target_type="team",
        target_id=team.id,
        reason=text,
    )
    boards.rebuild_phases(session, store, phases)
    return team


def set_submission_baseline(
    session: Session, store: BlobStore, actor: Actor, submission: Submission, baseline: bool, now: datetime
) -> Submission:
    """Mark a submission as an organizer's baseline (shown with a badge) or unmark it."""
    _require_for(actor, submission, now)
    submission.is_baseline = baseline
    audit.record(
        session,
        "submission.baseline" if baseline else "submission.not_baseline",
        actor_id=actor.user_id,
        challenge_id=submission.phase.track.challenge_id,
        target_type="submission",
        target_id=submission.id,
    )
    session.flush()
    boards.team_boards(session, store, submission.phase, [submission.team_id])
    return submission


def set_team_baseline(
    session: Session, store: BlobStore, actor: Actor, team: Team, baseline: bool, now: datetime
) -> Team:
    """Mark a whole team as a baseline team (every row shows the badge) or unmark it."""
    phases = _challenge_phases(session, team.challenge_id)
    for phase in phases[:1]:
        _require(actor, phase, now)
    team.is_baseline = baseline
    audit.record(
        session,
        "team.baseline" if baseline else "team.not_baseline",
        actor_id=actor.user_id,
        challenge_id=team.challenge_id,
        target_type="team",
        target_id=team.id,
    )
    session.flush()
    for phase in phases:
        boards.team_boards(session, store, phase, [team.id])
    return team


@dataclass(frozen=True)
class RemovedItem:
    """A submission or team kept off the boards, as organizers see it."""

    kind: str
    id: int
    team_id: int
    team_name: str
    reason: str
    public_score: float | None
    private_score: float | None


def removed_items(session: Session, phase: Phase) -> list[RemovedItem]:
    """List the phase's hidden submissions and the challenge's disqualified teams, with their reasons."""
    items: list[RemovedItem] = []
    scores: dict[tuple[int, str], float] = {}
    hidden = list(
        session.execute(
            select(Submission, Team.name)
            .join(Team, Team.id == Submission.team_id)
            .where(Submission.phase_id == phase.id, Submission.is_hidden.is_(True))
            .order_by(Submission.id)
        )
    )
    if hidden:
        for row in session.scalars(
            select(Score).where(
                Score.submission_id.in_([s.id for s, _ in hidden]), Score.version == phase.score_version
            )
        ):
            scores[(row.submission_id, row.split)] = row.primary
    for submission, team_name in hidden:
        items.append(
            RemovedItem(
                "submission",
                submission.id,
                submission.team_id,
                team_name,
                submission.hidden_reason,
                scores.get((submission.id, "public")),
                scores.get((submission.id, "private")),
            )
        )
    for team in session.scalars(
        select(Team).where(Team.challenge_id == phase.track.challenge_id, Team.status == TeamStatus.DISQUALIFIED)
    ):
        items.append(RemovedItem("team", team.id, team.id, team.name, team.status_reason, None, None))
    return items
