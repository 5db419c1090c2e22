"""Team merges under Kaggle's rule: within the size cap, within one team's submission allowance, before the deadline.

The captain of team A asks to merge into team B; B's captain accepts or declines. On acceptance
A's members, submissions (with their scores) and phase admissions move to B, and A is marked
``merged`` with ``merged_into_id`` pointing at B.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from arena import audit, events
from arena.challenges import allowance_by, used_in_phase
from arena.enums import RequestStatus, TeamStatus, check_request_transition
from arena.errors import Conflict, Forbidden, NotFound
from arena.models import (
    Challenge,
    LeaderboardEntry,
    Membership,
    MergeRequest,
    Phase,
    PhaseEntry,
    Score,
    Submission,
    Team,
    TeamInvitation,
    Track,
    User,
)
from arena.storage import BlobStore
from arena.teams.membership import require_active, require_captain
from arena.timestamps import rfc3339


@dataclass(frozen=True)
class PhaseAllowance:
    """One phase's check of the merge rule: both teams' counted submissions against one team's allowance."""

    phase_id: int
    phase_slug: str
    used_from: int
    used_into: int
    allowance: int

    @property
    def ok(self) -> bool:
        """Whether the combined submissions fit the allowance."""
        return self.used_from + self.used_into <= self.allowance


def merge_deadline(challenge: Challenge) -> datetime | None:
    """Return the moment after which teams may not merge: the merge deadline, else the entry deadline."""
    return challenge.merge_deadline or challenge.entry_deadline


def allowances(session: Session, from_team: Team, into_team: Team, now: datetime) -> list[PhaseAllowance]:
    """Return, for every phase of the challenge, both teams' counted submissions and one team's allowance by now."""
    phases = session.scalars(
        select(Phase)
        .join(Track, Track.id == Phase.track_id)
        .where(Track.challenge_id == from_team.challenge_id)
        .order_by(Track.position, Phase.position)
    )
    return [
        PhaseAllowance(
            phase_id=phase.id,
            phase_slug=f"{phase.track.slug}/{phase.slug}",
            used_from=used_in_phase(session, from_team.id, phase),
            used_into=used_in_phase(session, into_team.id, phase),
            allowance=allowance_by(phase, now),
        )
        for phase in phases
    ]


def check_merge(session: Session, from_team: Team, into_team: Team, now: datetime) -> None:
    """Raise Conflict or Forbidden naming the first rule that a merge of ``from_team`` into ``into_team`` breaks."""
    if from_team.id == into_team.id:
        raise Conflict("a team cannot merge with itself")
    if from_team.challenge_id != into_team.challenge_id:
        raise NotFound("no such team in this challenge")
    require_active(from_team)
    require_active(into_team)
    challenge = session.get(Challenge, from_team.challenge_id)
    assert challenge is not None
    deadline = merge_deadline(challenge)
    if deadline is not None and now >= deadline:
        raise Forbidden("the team merge deadline (%(deadline)s) has passed", params={"deadline": rfc3339(deadline)})
    size = len(from_team.members) + len(into_team.members)
    if size > challenge.team_size_max:
        raise Conflict(
            "the merged team would have %(size)s members, more than the %(limit)s this challenge allows",
            params={"size": size, "limit": challenge.team_size_max},
        )
    for check in allowances(session, from_team, into_team, now):
        if not check.ok:
            raise Conflict(
                "in phase %(phase)s the two teams have made %(total)s counted submissions (%(used_from)s + "
                "%(used_into)s), more than the %(allowance)s one team could have made by now; a merged team may "
                "not have more",
                params={
                    "phase": check.phase_slug,
                    "total": check.used_from + check.used_into,
                    "used_from": check.used_from,
                    "used_into": check.used_into,
                    "allowance": check.allowance,
                },
            )


def _pending(session: Session, from_team_id: int, into_team_id: int) -> MergeRequest | None:
    return session.scalar(
        select(MergeRequest).where(
            MergeRequest.from_team_id == from_team_id,
            MergeRequest.into_team_id == into_team_id,
            MergeRequest.status == RequestStatus.PENDING,
        )
    )


def request_merge(session: Session, captain: User, from_team: Team, into_team: Team, now: datetime) -> MergeRequest:
    """Ask to merge ``from_team`` (the caller's) into ``into_team``; its captain decides."""
    require_captain(session, captain, from_team)
    check_merge(session, from_team, into_team, now)
    if _pending(session, from_team.id, into_team.id) is not None:
        raise Conflict("your team has already asked to merge into %(team)s", params={"team": repr(into_team.name)})
    if _pending(session, into_team.id, from_team.id) is not None:
        raise Conflict(
            "%(team)s has already asked to merge into your team; accept or decline that",
            params={"team": repr(into_team.name)},
        )
    request = MergeRequest(
        challenge_id=from_team.challenge_id,
        from_team_id=from_team.id,
        into_team_id=into_team.id,
        requested_by_id=captain.id,
        status=RequestStatus.PENDING,
        created_at=now,
    )
    session.add(request)
    session.flush()
    _audit(session, "team.merge_requested", captain, request)
    return request


def get_merge_request(session: Session, request_id: int) -> MergeRequest:
    """Return a merge request by id or raise NotFound."""
    request = session.get(MergeRequest, request_id)
    if request is None:
        raise NotFound("no such merge request")
    return request


def _teams(session: Session, request: MergeRequest) -> tuple[Team, Team]:
    from_team = session.get(Team, request.from_team_id)
    into_team = session.get(Team, request.into_team_id)
    if from_team is None or into_team is None:
        raise NotFound("no such merge request")
    return from_team, into_team


def _decide(request: MergeRequest, status: RequestStatus, now: datetime, reason: str = "") -> None:
    check_request_transition(RequestStatus(request.status), status)
    request.status = status
    request.decided_at = now
    if reason:
        request.reason = reason


def _audit(session: Session, action: str, actor: User, request: MergeRequest, **data: object) -> None:
    audit.record(
        session,
        action,
        actor_id=actor.id,
        challenge_id=request.challenge_id,
        target_type="merge_request",
        target_id=request.id,
        from_team_id=request.from_team_id,
        into_team_id=request.into_team_id,
        **data,
    )


def decline_merge(session: Session, captain: User, request: MergeRequest, now: datetime, reason: str = "") -> None:
    """Refuse a merge request (the receiving team's captain)."""
    _, into_team = _teams(session, request)
    require_captain(session, captain, into_team)
    _decide(request, RequestStatus.DECLINED, now, reason.strip()[:1000])
    session.flush()
    _audit(session, "team.merge_declined", captain, request)


def cancel_merge(session: Session, captain: User, request: MergeRequest, now: datetime) -> None:
    """Withdraw a merge request (the requesting team's captain)."""
    from_team, _ = _teams(session, request)
    require_captain(session, captain, from_team)
    _decide(request, RequestStatus.CANCELLED, now)
    session.flush()
    _audit(session, "team.merge_cancelled", captain, request)


def accept_merge(session: Session, store: BlobStore, captain: User, request: MergeRequest, now: datetime) -> Team:
    """Carry out a merge request (the receiving team's captain); the rules are checked again now."""
    from_team, into_team = _teams(session, request)
    require_captain(session, captain, into_team)
    if request.status != RequestStatus.PENDING:
        raise Conflict("this merge request is already %(status)s", params={"status": str(request.status)})
    check_merge(session, from_team, into_team, now)
    _decide(request, RequestStatus.ACCEPTED, now)
    moved = _move(session, from_team, into_team)
    from_team.status = TeamStatus.MERGED
    from_team.merged_into_id = into_team.id
    from_team.status_reason = f"merged into {into_team.name}"
    _close_other_requests(session, from_team.id, now)
    session.flush()
    events.teams_merged(session, store, into_team.challenge_id)
    session.refresh(into_team)
    _audit(session, "team.merged", captain, request, **moved)
    return into_team


def _move(session: Session, from_team: Team, into_team: Team) -> dict[str, object]:
    session.flush()
    members = [m.user_id for m in from_team.members]
    submissions = list(session.scalars(select(Submission.id).where(Submission.team_id == from_team.id)))
    session.execute(update(Membership).where(Membership.team_id == from_team.id).values(team_id=into_team.id))
    # Final choices are the merged team's to make again; the moved submissions keep their scores.
    session.execute(
        update(Submission)
        .where(Submission.team_id == from_team.id)
        .values(team_id=into_team.id, is_selected=False)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(Score)
        .where(Score.team_id == from_team.id)
        .values(team_id=into_team.id)
        .execution_options(synchronize_session=False)
    )
    session.execute(delete(LeaderboardEntry).where(LeaderboardEntry.team_id == from_team.id))
    held = set(session.scalars(select(PhaseEntry.phase_id).where(PhaseEntry.team_id == into_team.id)))
    for entry in session.scalars(select(PhaseEntry).where(PhaseEntry.team_id == from_team.id)):
        if entry.phase_id in held:
            session.delete(entry)
        else:
            entry.team_id = into_team.id
            entry.reason = f"{entry.reason} (brought by merged team {from_team.name})"
    session.flush()
    session.expire_all()
    return {"members": members, "submissions": submissions}


def _close_other_requests(session: Session, team_id: int, now: datetime) -> None:
    others = select(MergeRequest).where(
        (MergeRequest.from_team_id == team_id) | (MergeRequest.into_team_id == team_id),
        MergeRequest.status == RequestStatus.PENDING,
    )
    for request in session.scalars(others):
        _decide(request, RequestStatus.CANCELLED, now, "the team merged with another team")
    invitations = select(TeamInvitation).where(
        TeamInvitation.team_id == team_id, TeamInvitation.status == RequestStatus.PENDING
    )
    for invitation in session.scalars(invitations):
        check_request_transition(RequestStatus(invitation.status), RequestStatus.CANCELLED)
        invitation.status = RequestStatus.CANCELLED
        invitation.responded_at = now


def pending_merges_for_team(session: Session, team_id: int) -> tuple[list[MergeRequest], list[MergeRequest]]:
    """Return a team's pending merge requests: (sent by it, received by it), oldest first."""
    base = select(MergeRequest).where(MergeRequest.status == RequestStatus.PENDING).order_by(MergeRequest.created_at)
    sent = list(session.scalars(base.where(MergeRequest.from_team_id == team_id)))
    received = list(session.scalars(base.where(MergeRequest.into_team_id == team_id)))
    return sent, received
