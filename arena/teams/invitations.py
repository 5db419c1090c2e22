"""Team invitations: a captain invites a user by username; the user accepts or declines."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from arena import audit
from arena.db import utcnow
from arena.enums import RequestStatus, check_request_transition
from arena.errors import Conflict, Forbidden, InvalidInput, NotFound
from arena.models import Challenge, Membership, Team, TeamInvitation, User
from arena.permissions import Action, Resource, actor_for, require
from arena.teams.membership import check_composition_open, require_active, require_captain, team_of
from arena.timestamps import rfc3339


def _challenge(session: Session, team: Team) -> Challenge:
    challenge = session.get(Challenge, team.challenge_id)
    assert challenge is not None
    return challenge


def _check_can_join(session: Session, team: Team, user: User) -> Challenge:
    challenge = _challenge(session, team)
    require_active(team)
    if challenge.entry_deadline is not None and utcnow() >= challenge.entry_deadline:
        raise Forbidden(
            "the entry deadline (%(deadline)s) has passed", params={"deadline": rfc3339(challenge.entry_deadline)}
        )
    check_composition_open(challenge, "joining a team")
    if team_of(session, user.id, challenge.id) is not None:
        raise Conflict(
            "%(name)s is already in a team for this challenge", field="username", params={"name": user.username}
        )
    if len(team.members) >= challenge.team_size_max:
        raise Conflict("the team is full (at most %(size)s members)", params={"size": challenge.team_size_max})
    return challenge


def invite(session: Session, captain: User, team: Team, username: str) -> TeamInvitation:
    """Invite the user called ``username`` to ``team`` (the captain only)."""
    require_captain(session, captain, team)
    name = username.strip()
    if not name:
        raise InvalidInput("give the username of the person to invite", field="username")
    user = session.scalar(select(User).where(func.lower(User.username) == name.lower()))
    if user is None or not user.is_active:
        raise NotFound(
            "there is no user %(name)s; ask them for the exact username", field="username", params={"name": repr(name)}
        )
    _check_can_join(session, team, user)
    pending = session.scalar(
        select(TeamInvitation).where(
            TeamInvitation.team_id == team.id,
            TeamInvitation.user_id == user.id,
            TeamInvitation.status == RequestStatus.PENDING,
        )
    )
    if pending is not None:
        raise Conflict(
            "%(name)s already has a pending invitation from this team", field="username", params={"name": user.username}
        )
    invitation = TeamInvitation(
        team_id=team.id, user_id=user.id, invited_by_id=captain.id, status=RequestStatus.PENDING, created_at=utcnow()
    )
    session.add(invitation)
    session.flush()
    audit.record(
        session,
        "team.invited",
        actor_id=captain.id,
        challenge_id=team.challenge_id,
        target_type="team",
        target_id=team.id,
        user_id=user.id,
        invitation_id=invitation.id,
    )
    return invitation


def get_invitation(session: Session, invitation_id: int) -> TeamInvitation:
    """Return an invitation by id or raise NotFound."""
    invitation = session.get(TeamInvitation, invitation_id)
    if invitation is None:
        raise NotFound("no such invitation")
    return invitation


def _set_status(invitation: TeamInvitation, status: RequestStatus) -> None:
    check_request_transition(RequestStatus(invitation.status), status)
    invitation.status = status
    invitation.responded_at = utcnow()


def respond_to_invitation(session: Session, user: User, invitation: TeamInvitation, *, accept: bool) -> Team:
    """Accept (join the team) or decline an invitation addressed to ``user``; return the inviting team."""
    team = session.get(Team, invitation.team_id)
    if team is None:
        raise NotFound("no such invitation")
    actor = actor_for(session, user, team.challenge_id)
    require(actor, Action.RESPOND_INVITATION, Resource(invitee_id=invitation.user_id), hide=True)
    if accept:
        challenge = _check_can_join(session, team, user)
        _set_status(invitation, RequestStatus.ACCEPTED)
        session.add(Membership(team_id=team.id, challenge_id=challenge.id, user_id=user.id))
        # Other teams' invitations to this person in this challenge lapse: one team per person.
        others = session.scalars(
            select(TeamInvitation)
            .join(Team, Team.id == TeamInvitation.team_id)
            .where(
                Team.challenge_id == challenge.id,
                TeamInvitation.user_id == user.id,
                TeamInvitation.status == RequestStatus.PENDING,
                TeamInvitation.id != invitation.id,
            )
        )
        for other in others:
            _set_status(other, RequestStatus.CANCELLED)
    else:
        _set_status(invitation, RequestStatus.DECLINED)
    session.flush()
    session.refresh(team)
    audit.record(
        session,
        "team.invitation_accepted" if accept else "team.invitation_declined",
        actor_id=user.id,
        challenge_id=team.challenge_id,
        target_type="team",
        target_id=team.id,
        invitation_id=invitation.id,
    )
    return team


def cancel_invitation(session: Session, captain: User, invitation: TeamInvitation) -> None:
    """Withdraw a pending invitation (the inviting team's captain only)."""
    team = session.get(Team, invitation.team_id)
    if team is None:
        raise NotFound("no such invitation")
    require_captain(session, captain, team)
    _set_status(invitation, RequestStatus.CANCELLED)
    session.flush()
    audit.record(
        session,
        "team.invitation_cancelled",
        actor_id=captain.id,
        challenge_id=team.challenge_id,
        target_type="team",
        target_id=team.id,
        invitation_id=invitation.id,
    )


def pending_invitations_for_user(session: Session, user_id: int, challenge_id: int) -> list[TeamInvitation]:
    """Return the pending invitations ``user_id`` has in a challenge, newest first."""
    query = (
        select(TeamInvitation)
        .join(Team, Team.id == TeamInvitation.team_id)
        .where(
            Team.challenge_id == challenge_id,
            TeamInvitation.user_id == user_id,
            TeamInvitation.status == RequestStatus.PENDING,
        )
        .order_by(TeamInvitation.created_at.desc(), TeamInvitation.id.desc())
    )
    return list(session.scalars(query))


def pending_invitations_for_team(session: Session, team_id: int) -> list[TeamInvitation]:
    """Return a team's pending invitations, oldest first."""
    query = (
        select(TeamInvitation)
        .where(TeamInvitation.team_id == team_id, TeamInvitation.status == RequestStatus.PENDING)
        .order_by(TeamInvitation.created_at, TeamInvitation.id)
    )
    return list(session.scalars(query))
