"""Judges of a final: invitations, panels, and conflicts of interest, declared and detected."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from arena import accounts, audit
from arena.enums import ChallengeRoleKind, ConflictSource, FinalistStatus
from arena.errors import InvalidInput, NotFound
from arena.finals.access import check, get_final, get_finalist
from arena.models import ConflictOfInterest, Final, Finalist, FinalJudge, Membership, PanelAssignment, Team, User
from arena.permissions import Action

# Addresses at these domains say nothing about where a person works.
PUBLIC_MAIL_DOMAINS = frozenset(
    {
        "126.com", "139.com", "163.com", "aliyun.com", "foxmail.com", "gmail.com", "hotmail.com", "icloud.com",
        "live.com", "mail.com", "me.com", "msn.com", "outlook.com", "proton.me", "protonmail.com", "qq.com",
        "sina.com", "sina.cn", "sohu.com", "yahoo.com", "yeah.net", "yandex.com",
    }
)  # fmt: skip


def invite_judge(session: Session, user: User, final_id: int, username: str, *, panel: str | None = None) -> FinalJudge:
    """Make a user a judge of a final (organizers): grants the challenge's judge role and detects conflicts."""
    final = get_final(session, final_id)
    check(session, user, Action.MANAGE_FINAL, final)
    judge = accounts.get_user_by_name(session, username)
    row = session.scalar(select(FinalJudge).where(FinalJudge.final_id == final.id, FinalJudge.user_id == judge.id))
    if row is None:
        row = FinalJudge(final_id=final.id, user_id=judge.id, panel=(panel or "").strip() or None)
        session.add(row)
        session.flush()
        accounts.grant_role(session, final.challenge_id, judge, ChallengeRoleKind.JUDGE, actor_id=user.id)
        audit.record(
            session,
            "final.judge_invited",
            actor_id=user.id,
            challenge_id=final.challenge_id,
            target_type="final",
            target_id=final.id,
            judge_id=judge.id,
            panel=row.panel,
        )
    detect_conflicts(session, final)
    return row


def _judge_row(session: Session, final: Final, judge_id: int) -> FinalJudge:
    row = session.scalar(select(FinalJudge).where(FinalJudge.final_id == final.id, FinalJudge.user_id == judge_id))
    if row is None:
        raise NotFound("this user does not judge the final")
    return row


def assign_panel(
    session: Session, user: User, final_id: int, judge_id: int, finalist_ids: list[int] | None, panel: str | None = None
) -> FinalJudge:
    """Set which finalists a judge scores (None: every finalist) and the judge's panel name (organizers)."""
    final = get_final(session, final_id)
    check(session, user, Action.MANAGE_FINAL, final)
    row = _judge_row(session, final, judge_id)
    session.execute(delete(PanelAssignment).where(PanelAssignment.judge_id == row.id))
    for finalist_id in finalist_ids or []:
        if get_finalist(session, finalist_id).final_id != final.id:
            raise InvalidInput("finalist %(id)s is not in this final", field="finalist_ids", params={"id": finalist_id})
        session.add(PanelAssignment(judge_id=row.id, finalist_id=finalist_id))
    row.panel = (panel or "").strip() or None
    audit.record(
        session,
        "final.panel_assigned",
        actor_id=user.id,
        challenge_id=final.challenge_id,
        target_type="final",
        target_id=final.id,
        judge_id=judge_id,
        finalist_ids=sorted(finalist_ids) if finalist_ids else None,
        panel=row.panel,
    )
    return row


def declare_conflict(session: Session, user: User, final_id: int, team_id: int, reason: str) -> ConflictOfInterest:
    """A judge declares a conflict of interest with a team of the final."""
    final = get_final(session, final_id)
    check(session, user, Action.JUDGE_FINAL, final)
    _judge_row(session, final, user.id)
    team = session.get(Team, team_id)
    if team is None or team.challenge_id != final.challenge_id:
        raise NotFound("no team %(id)s", params={"id": team_id})
    row = _conflict(session, final, user.id, team.id, ConflictSource.DECLARED, reason.strip())
    audit.record(
        session,
        "final.conflict_declared",
        actor_id=user.id,
        challenge_id=final.challenge_id,
        target_type="final",
        target_id=final.id,
        team_id=team.id,
        reason=reason.strip(),
    )
    return row


def _conflict(
    session: Session, final: Final, judge_id: int, team_id: int, source: ConflictSource, reason: str
) -> ConflictOfInterest:
    row = session.scalar(
        select(ConflictOfInterest).where(
            ConflictOfInterest.final_id == final.id,
            ConflictOfInterest.judge_id == judge_id,
            ConflictOfInterest.team_id == team_id,
            ConflictOfInterest.source == source.value,
        )
    )
    if row is None:
        row = ConflictOfInterest(final_id=final.id, judge_id=judge_id, team_id=team_id, source=source.value)
        session.add(row)
        if source is not ConflictSource.DECLARED:
            audit.record(
                session,
                "final.conflict_detected",
                challenge_id=final.challenge_id,
                target_type="final",
                target_id=final.id,
                judge_id=judge_id,
                team_id=team_id,
                source=source.value,
                reason=reason,
            )
    row.reason = reason
    session.flush()
    return row


def _domain(email: str | None) -> str:
    return email.rsplit("@", 1)[1].strip().lower() if email and "@" in email else ""


def _same_institution(a: str, b: str) -> bool:
    return bool(a.strip()) and a.strip().casefold() == b.strip().casefold()


def detect_conflicts(session: Session, final: Final) -> list[ConflictOfInterest]:
    """Add the automatic conflicts: a judge of the same institution as a finalist's team, with the email domain
    of one of its members (public webmail aside), or who is a member of one of the challenge's teams."""
    judges = list(
        session.scalars(
            select(User).join(FinalJudge, FinalJudge.user_id == User.id).where(FinalJudge.final_id == final.id)
        )
    )
    finalists = list(session.scalars(select(Finalist).where(Finalist.final_id == final.id)))
    found: list[ConflictOfInterest] = []
    for judge in judges:
        membership = session.scalar(
            select(Membership).where(Membership.user_id == judge.id, Membership.challenge_id == final.challenge_id)
        )
        if membership is not None:
            found.append(
                _conflict(
                    session,
                    final,
                    judge.id,
                    membership.team_id,
                    ConflictSource.MEMBER,
                    "",
                )
            )
        for finalist in finalists:
            if not FinalistStatus(finalist.status).takes_part:
                continue
            team = session.get(Team, finalist.team_id)
            assert team is not None
            for institution in {team.institution, finalist.institution}:
                if _same_institution(judge.institution, institution):
                    found.append(
                        _conflict(
                            session,
                            final,
                            judge.id,
                            team.id,
                            ConflictSource.INSTITUTION,
                            institution.strip(),
                        )
                    )
            domain = _domain(judge.email)
            members = [m.user for m in team.members]
            if domain and domain not in PUBLIC_MAIL_DOMAINS and any(_domain(m.email) == domain for m in members):
                found.append(_conflict(session, final, judge.id, team.id, ConflictSource.EMAIL_DOMAIN, domain))
    return found


@dataclass(frozen=True)
class ConflictView:
    """One conflict as the organizer sees it."""

    judge_id: int
    judge: str
    team_id: int
    team: str
    source: str
    reason: str


def conflicts(session: Session, user: User, final_id: int) -> list[ConflictView]:
    """Every conflict of a final with its source (organizers)."""
    final = get_final(session, final_id)
    check(session, user, Action.MANAGE_FINAL, final)
    rows = session.execute(
        select(ConflictOfInterest, User.username, Team.name)
        .join(User, User.id == ConflictOfInterest.judge_id)
        .join(Team, Team.id == ConflictOfInterest.team_id)
        .where(ConflictOfInterest.final_id == final.id)
        .order_by(User.username, Team.name, ConflictOfInterest.source)
    ).all()
    return [ConflictView(c.judge_id, name, c.team_id, team, c.source, c.reason) for c, name, team in rows]
