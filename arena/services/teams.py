"""Teams: creating, joining and looking them up."""

from __future__ import annotations

import secrets

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from arena import audit
from arena.db import utcnow
from arena.enums import TeamStatus
from arena.errors import Conflict, Forbidden, InvalidInput, NotFound
from arena.models import Challenge, Membership, Team, User

INVITE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _invite_code() -> str:
    return "".join(secrets.choice(INVITE_ALPHABET) for _ in range(10))


def _check_can_enter(session: Session, user: User, challenge: Challenge) -> None:
    if not challenge.is_published:
        raise NotFound("no such challenge")
    if challenge.entry_deadline is not None and utcnow() >= challenge.entry_deadline:
        raise Forbidden(f"the entry deadline ({challenge.entry_deadline.isoformat()}) has passed")
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
        raise Conflict(f"a team named {name!r} already exists in this challenge", field="name")
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
        raise Conflict(f"the team is full (at most {challenge.team_size_max} members)")
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


def list_teams(session: Session, challenge_id: int) -> list[Team]:
    """Return a challenge's teams by name."""
    return list(session.scalars(select(Team).where(Team.challenge_id == challenge_id).order_by(Team.name)))
