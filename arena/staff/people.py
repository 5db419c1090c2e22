"""A challenge's people: its organizers and judges, added and removed by its organizers, with audit entries."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from arena import accounts, audit, finals
from arena.enums import ChallengeRoleKind
from arena.errors import Conflict, InvalidInput, NotFound
from arena.models import (
    Challenge,
    ChallengeRole,
    ConflictOfInterest,
    Final,
    FinalJudge,
    JudgeScore,
    PanelAssignment,
    User,
)
from arena.permissions import Action, actor_for, require


@dataclass(frozen=True)
class Person:
    """One organizer or judge of a challenge."""

    user_id: int
    username: str
    display_name: str
    email: str
    role: ChallengeRoleKind
    judges_final: bool


def find_person(session: Session, who: str) -> User:
    """Return the user with this username or e-mail address, or raise a message saying neither matched."""
    who = who.strip()
    if not who:
        raise InvalidInput("give a username or an e-mail address", field="who")
    user = session.scalar(select(User).where((User.username == who) | (func.lower(User.email) == who.lower())))
    if user is None:
        raise NotFound("no account has the username or e-mail address %(who)s", params={"who": who})
    return user


def _check(session: Session, actor: User, challenge: Challenge) -> None:
    require(actor_for(session, actor, challenge.id), Action.MANAGE_CHALLENGE, hide=True)


def _final(session: Session, challenge_id: int) -> Final | None:
    return session.scalar(select(Final).where(Final.challenge_id == challenge_id).order_by(Final.id).limit(1))


def challenge_people(session: Session, actor: User, challenge: Challenge) -> list[Person]:
    """Return the challenge's organizers, then its judges, each by username (organizers and site admins)."""
    _check(session, actor, challenge)
    final = _final(session, challenge.id)
    judging = (
        set(session.scalars(select(FinalJudge.user_id).where(FinalJudge.final_id == final.id))) if final else set()
    )
    rows = session.execute(
        select(ChallengeRole.role, User)
        .join(User, User.id == ChallengeRole.user_id)
        .where(ChallengeRole.challenge_id == challenge.id)
        .order_by(ChallengeRole.role.desc(), User.username)
    ).all()
    return [
        Person(user.id, user.username, user.display_name, user.email or "", ChallengeRoleKind(role), user.id in judging)
        for role, user in rows
    ]


def parse_role(value: str) -> ChallengeRoleKind:
    """Return the role named by ``value`` or raise InvalidInput naming the choices."""
    try:
        return ChallengeRoleKind(value)
    except ValueError:
        raise InvalidInput(
            "unknown role %(value)s; use organizer or judge", field="role", params={"value": value}
        ) from None


def add_person(session: Session, actor: User, challenge: Challenge, who: str, role: ChallengeRoleKind) -> User:
    """Make a user (by username or e-mail) an organizer or a judge; judges also judge the challenge's final."""
    _check(session, actor, challenge)
    user = find_person(session, who)
    final = _final(session, challenge.id)
    if role is ChallengeRoleKind.JUDGE and final is not None:
        finals.invite_judge(session, actor, final.id, user.username)
    else:
        accounts.grant_role(session, challenge.id, user, role, actor_id=actor.id)
    return user


def _organizer_count(session: Session, challenge_id: int) -> int:
    query = select(func.count()).where(
        ChallengeRole.challenge_id == challenge_id, ChallengeRole.role == ChallengeRoleKind.ORGANIZER.value
    )
    return session.scalar(query) or 0


def remove_person(session: Session, actor: User, challenge: Challenge, user_id: int, role: ChallengeRoleKind) -> User:
    """Take a role away; the last organizer stays, and a judge who has saved marks in the final stays."""
    _check(session, actor, challenge)
    row = session.scalar(
        select(ChallengeRole).where(
            ChallengeRole.challenge_id == challenge.id,
            ChallengeRole.user_id == user_id,
            ChallengeRole.role == role.value,
        )
    )
    if row is None:
        raise NotFound("this user is not a %(role)s of the challenge", params={"role": role.value})
    user = row.user
    if role is ChallengeRoleKind.ORGANIZER and _organizer_count(session, challenge.id) <= 1:
        raise Conflict("%(name)s is the last organizer; add another organizer first", params={"name": user.username})
    if role is ChallengeRoleKind.JUDGE:
        _remove_final_judge(session, actor, challenge, user)
    session.delete(row)
    audit.record(
        session,
        "role.revoked",
        actor_id=actor.id,
        challenge_id=challenge.id,
        target_type="user",
        target_id=user.id,
        role=role.value,
    )
    session.flush()
    return user


def _remove_final_judge(session: Session, actor: User, challenge: Challenge, user: User) -> None:
    final = _final(session, challenge.id)
    if final is None:
        return
    judge = session.scalar(select(FinalJudge).where(FinalJudge.final_id == final.id, FinalJudge.user_id == user.id))
    if judge is None:
        return
    marks = session.scalar(select(func.count()).select_from(JudgeScore).where(JudgeScore.judge_id == user.id))
    if marks:
        raise Conflict(
            "%(name)s has saved marks in the final; a judge with marks cannot be removed",
            params={"name": user.username},
        )
    session.execute(delete(ConflictOfInterest).where(ConflictOfInterest.final_id == final.id,
                                                     ConflictOfInterest.judge_id == user.id))  # fmt: skip
    session.execute(delete(PanelAssignment).where(PanelAssignment.judge_id == judge.id))
    session.delete(judge)
    audit.record(
        session,
        "final.judge_removed",
        actor_id=actor.id,
        challenge_id=challenge.id,
        target_type="final",
        target_id=final.id,
        judge_id=user.id,
    )
