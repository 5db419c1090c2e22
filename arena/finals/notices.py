"""Telling finalists, judges and organizers what changed in a final, through the inbox (and mail)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from arena import notifications
from arena.enums import ChallengeRoleKind, FinalistStatus
from arena.finals.access import final_challenge, judge_ids
from arena.models import ChallengeRole, Final, Finalist, Membership, Team, User

# Message ids (translated when read); params hold the final's title in both languages.
FORMULA_CHANGED = "The formula of the final %(final)s changed"
FORMULA_CHANGED_BODY = "Reason on the record: %(reason)s"
NAMED = "Your team %(team)s is a finalist of %(final)s"
NAMED_BODY = (
    "Confirm your real names and institution, upload the technical report and choose the submission to reproduce."
)
SUBSTITUTED = "Your team %(team)s moves up into the final %(final)s"
DECLINED = "Your team %(team)s no longer takes part in the final %(final)s"
APPEAL_ANSWERED = "Your appeal to the final %(final)s has an answer"
MESSAGES = (FORMULA_CHANGED, FORMULA_CHANGED_BODY, NAMED, NAMED_BODY, SUBSTITUTED, DECLINED, APPEAL_ANSWERED)


def _users(session: Session, ids: Iterable[int]) -> list[User]:
    wanted = sorted(set(ids))
    if not wanted:
        return []
    return list(session.scalars(select(User).where(User.id.in_(wanted)).order_by(User.id)))


def _members(session: Session, team_ids: Iterable[int]) -> list[int]:
    wanted = list(team_ids)
    if not wanted:
        return []
    return list(session.scalars(select(Membership.user_id).where(Membership.team_id.in_(wanted))))


def _params(final: Final, **more: Any) -> dict[str, Any]:
    return {"final": dict(final.title), **more}


def _link(session: Session, final: Final, suffix: str = "") -> str:
    return f"/c/{final_challenge(session, final).slug}/final{suffix}"


def formula_changed(session: Session, final: Final, reason: str) -> None:
    """Tell the finalists' members, the judges and the organizers that the formula changed, and why."""
    teams = session.scalars(
        select(Finalist.team_id).where(
            Finalist.final_id == final.id, Finalist.status.in_([FinalistStatus.NAMED, FinalistStatus.SUBSTITUTE])
        )
    )
    organizers = session.scalars(
        select(ChallengeRole.user_id).where(
            ChallengeRole.challenge_id == final.challenge_id, ChallengeRole.role == ChallengeRoleKind.ORGANIZER
        )
    )
    ids = [*_members(session, teams), *judge_ids(session, final.id), *organizers]
    notifications.notify(
        session,
        _users(session, ids),
        "final.formula_changed",
        FORMULA_CHANGED,
        body=FORMULA_CHANGED_BODY,
        params=_params(final, reason=reason),
        link=_link(session, final) + "#formula-changes",
    )


def _team_notice(session: Session, final: Final, finalist: Finalist, kind: str, subject: str, body: str = "") -> None:
    team = session.get(Team, finalist.team_id)
    notifications.notify(
        session,
        _users(session, _members(session, [finalist.team_id])),
        kind,
        subject,
        body=body,
        params=_params(final, team=team.name if team else ""),
        link=_link(session, final, "/me"),
    )


def named(session: Session, final: Final, finalists: Iterable[Finalist]) -> None:
    """Tell each named team's members that they are finalists and what to provide."""
    for finalist in finalists:
        _team_notice(session, final, finalist, "final.finalist_named", NAMED, NAMED_BODY)


def substituted(session: Session, final: Final, declined: Finalist, substitute: Finalist | None) -> None:
    """Tell the declining team it is out and the substitute's team that it moved up."""
    _team_notice(session, final, declined, "final.finalist_declined", DECLINED)
    if substitute is not None:
        _team_notice(session, final, substitute, "final.substitute_named", SUBSTITUTED, NAMED_BODY)


def appeal_answered(session: Session, final: Final, finalist: Finalist) -> None:
    """Tell a finalist's members that the organizer answered their appeal."""
    _team_notice(session, final, finalist, "final.appeal_answered", APPEAL_ANSWERED)
