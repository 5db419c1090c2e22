"""Teams: creating, joining, leaving, the captain's settings, and looking them up."""

from __future__ import annotations

import secrets

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from arena import audit
from arena.db import utcnow
from arena.enums import TeamStatus
from arena.errors import Conflict, Forbidden, InvalidInput, NotFound
from arena.models import Challenge, Membership, MergeRequest, PhaseEntry, Submission, Team, TeamInvitation, User
from arena.permissions import Action, Resource, actor_for, require
from arena.timestamps import rfc3339

INVITE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _invite_code() -> str:
    return "".join(secrets.choice(INVITE_ALPHABET) for _ in range(10))


def _check_can_enter(session: Session, user: User, challenge: Challenge) -> None:
    if not challenge.is_published:
        raise NotFound("no such challenge")
    if challenge.entry_deadline is not None and utcnow() >= challenge.entry_deadline:
        raise Forbidden("the entry deadline (%(at)s) has passed", params={"at": rfc3339(challenge.entry_deadline)})
    if team_of(session, user.id, challenge.id) is not None:
        raise Conflict("you are already in a team for this challenge; leave it first")


def create_team(session: Session, user: User, challenge: Challenge, name: str, institution: str = "") -> Team:
    """Create a team with ``user`` as its captain and only member."""
    name = " ".join(name.split())
    if not 2 <= len(name) <= 100:
        raise InvalidInput("the team name must have 2–100 characters", field="name")
    _check_can_enter(session, user, challenge)
    taken = session.scalar(
        select(Team.id).where(Team.challenge_id == challenge.id, func.lower(Team.name) == name.lower())
    )
    if taken is not None:
        raise Conflict("a team named %(name)r already exists in this challenge", field="name", params={"name": name})
    team = Team(
        challenge_id=challenge.id,
        name=name,
        invite_code=_invite_code(),
        captain_id=user.id,
        institution=institution.strip()[:200] or user.institution,
    )
    session.add(team)
    session.flush()
    session.add(Membership(team_id=team.id, challenge_id=challenge.id, user_id=user.id))
    session.flush()
    audit.record(
        session,
        "team.created",
        actor_id=user.id,
        challenge_id=challenge.id,
        target_type="team",
        target_id=team.id,
        name=name,
    )
    return team


def join_team(session: Session, user: User, invite_code: str) -> Team:
    """Add ``user`` to the team with this invite code, within the challenge's size cap."""
    code = invite_code.strip().upper()
    team = session.scalar(select(Team).where(Team.invite_code == code)) if code else None
    if team is None:
        raise NotFound("no team has this invite code; check it with your captain")
    if team.status != TeamStatus.ACTIVE:
        raise Forbidden("this team can no longer take members")
    challenge = session.get(Challenge, team.challenge_id)
    assert challenge is not None
    _check_can_enter(session, user, challenge)
    if len(team.members) >= challenge.team_size_max:
        raise Conflict("the team is full (at most %(size)s members)", params={"size": challenge.team_size_max})
    session.add(Membership(team_id=team.id, challenge_id=challenge.id, user_id=user.id))
    session.flush()
    session.refresh(team)
    audit.record(
        session,
        "team.joined",
        actor_id=user.id,
        challenge_id=challenge.id,
        target_type="team",
        target_id=team.id,
    )
    return team


def team_of(session: Session, user_id: int, challenge_id: int) -> Team | None:
    """Return the user's team in a challenge, if any."""
    return session.scalar(
        select(Team)
        .join(Membership, Membership.team_id == Team.id)
        .where(Membership.user_id == user_id, Membership.challenge_id == challenge_id)
    )


def get_team(session: Session, team_id: int) -> Team:
    """Return a team by id or raise NotFound."""
    team = session.get(Team, team_id)
    if team is None:
        raise NotFound("no such team")
    return team


def find_team(session: Session, challenge_id: int, name: str) -> Team:
    """Return the team of a challenge with this name (case-insensitive), or raise NotFound."""
    team = session.scalar(
        select(Team).where(Team.challenge_id == challenge_id, func.lower(Team.name) == " ".join(name.split()).lower())
    )
    if team is None:
        raise NotFound("no team called %(name)s in this challenge", field="team", params={"name": repr(name.strip())})
    return team


def list_teams(session: Session, challenge_id: int) -> list[Team]:
    """Return a challenge's teams by name."""
    return list(session.scalars(select(Team).where(Team.challenge_id == challenge_id).order_by(Team.name)))


def require_captain(session: Session, user: User, team: Team) -> None:
    """Raise unless ``user`` is the captain of ``team``."""
    require(actor_for(session, user, team.challenge_id), Action.MANAGE_TEAM, Resource(owner_team_id=team.id))


def require_active(team: Team) -> None:
    """Raise Conflict unless the team is active (not merged or disqualified)."""
    if team.status != TeamStatus.ACTIVE:
        raise Conflict(
            "team %(team)s is %(status)s; it can no longer change",
            params={"team": repr(team.name), "status": str(team.status)},
        )


def check_composition_open(challenge: Challenge, what: str) -> None:
    """Raise Forbidden once the merge deadline has passed: from then on team membership is frozen."""
    if challenge.merge_deadline is not None and utcnow() >= challenge.merge_deadline:
        raise Forbidden(
            "%(what)s is not possible after the team merge deadline (%(deadline)s); teams are frozen from then on",
            params={"what": what, "deadline": rfc3339(challenge.merge_deadline)},
        )


def _submission_count(session: Session, team_id: int, user_id: int | None = None) -> int:
    query = select(func.count(Submission.id)).where(Submission.team_id == team_id)
    if user_id is not None:
        query = query.where(Submission.user_id == user_id)
    return session.scalar(query) or 0


def leave_team(session: Session, user: User, team: Team) -> Team | None:
    """Take ``user`` out of ``team``; a captain alone dissolves it. Return the team, or None if dissolved.

    A captain with teammates must hand the captaincy over first. Nobody may leave after making
    submissions for the team (they stay with the team), nor after the merge deadline.
    """
    require(actor_for(session, user, team.challenge_id), Action.LEAVE_TEAM, Resource(owner_team_id=team.id))
    require_active(team)
    challenge = session.get(Challenge, team.challenge_id)
    assert challenge is not None
    check_composition_open(challenge, "leaving a team")
    if _submission_count(session, team.id, user.id):
        raise Conflict("you have made submissions for this team; they stay with it, so you cannot leave it")
    others = [m for m in team.members if m.user_id != user.id]
    if team.captain_id == user.id and others:
        raise Conflict("you are the captain: hand the captaincy to a teammate before leaving")
    membership = next(m for m in team.members if m.user_id == user.id)
    if others:
        team.members.remove(membership)
        session.flush()
        audit.record(
            session,
            "team.left",
            actor_id=user.id,
            challenge_id=team.challenge_id,
            target_type="team",
            target_id=team.id,
        )
        return team
    if _submission_count(session, team.id):
        raise Conflict("the team has submissions, so it cannot be dissolved")
    team_id = team.id
    for model in (TeamInvitation, PhaseEntry):
        for row in session.scalars(select(model).where(model.team_id == team_id)):
            session.delete(row)
    merges = select(MergeRequest).where((MergeRequest.from_team_id == team_id) | (MergeRequest.into_team_id == team_id))
    for request in session.scalars(merges):
        session.delete(request)
    session.delete(team)
    session.flush()
    audit.record(
        session,
        "team.dissolved",
        actor_id=user.id,
        challenge_id=challenge.id,
        target_type="team",
        target_id=team_id,
        name=team.name,
    )
    return None


def transfer_captain(session: Session, user: User, team: Team, username: str) -> Team:
    """Make the member called ``username`` the captain of ``team`` (the captain only)."""
    require_captain(session, user, team)
    require_active(team)
    wanted = username.strip().lower()
    member = next((m for m in team.members if m.user.username.lower() == wanted), None)
    if member is None:
        raise InvalidInput(
            "%(name)s is not a member of this team", field="username", params={"name": repr(username.strip())}
        )
    if member.user_id == team.captain_id:
        raise Conflict("this member is already the captain", field="username")
    previous = team.captain_id
    team.captain_id = member.user_id
    session.flush()
    audit.record(
        session,
        "team.captain_transferred",
        actor_id=user.id,
        challenge_id=team.challenge_id,
        target_type="team",
        target_id=team.id,
        from_user_id=previous,
        to_user_id=member.user_id,
    )
    return team


def set_institution(session: Session, user: User, team: Team, institution: str) -> Team:
    """Set the university, institute or company the team represents (the captain only)."""
    require_captain(session, user, team)
    require_active(team)
    value = " ".join(institution.split())
    if len(value) > 200:
        raise InvalidInput("the institution must have at most 200 characters", field="institution")
    previous = team.institution
    team.institution = value
    session.flush()
    audit.record(
        session,
        "team.institution_changed",
        actor_id=user.id,
        challenge_id=team.challenge_id,
        target_type="team",
        target_id=team.id,
        before=previous,
        after=value,
    )
    return team
