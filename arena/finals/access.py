"""Looking up finals and finalists, and the facts the permission policy needs about them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from arena.enums import FinalStatus
from arena.errors import NotFound
from arena.models import Challenge, ConflictOfInterest, Final, Finalist, FinalJudge, PanelAssignment, User
from arena.permissions import Action, Actor, Resource, actor_for, require


def get_final(session: Session, final_id: int) -> Final:
    """Return a final by id or raise NotFound."""
    final = session.get(Final, final_id)
    if final is None:
        raise NotFound("no final %(id)s", params={"id": final_id})
    return final


def get_finalist(session: Session, finalist_id: int) -> Finalist:
    """Return a finalist by id or raise NotFound."""
    finalist = session.get(Finalist, finalist_id)
    if finalist is None:
        raise NotFound("no finalist %(id)s", params={"id": finalist_id})
    return finalist


def judge_ids(session: Session, final_id: int) -> frozenset[int]:
    """The user ids of a final's judges."""
    return frozenset(session.scalars(select(FinalJudge.user_id).where(FinalJudge.final_id == final_id)))


def conflicted_ids(session: Session, final_id: int, team_id: int) -> frozenset[int]:
    """The judges (user ids) with any conflict of interest with a team in a final."""
    query = select(ConflictOfInterest.judge_id).where(
        ConflictOfInterest.final_id == final_id, ConflictOfInterest.team_id == team_id
    )
    return frozenset(session.scalars(query))


def assigned_ids(session: Session, final_id: int, finalist_id: int) -> frozenset[int]:
    """The judges (user ids) who score a finalist: those assigned it, plus those assigned nothing at all."""
    judges = session.execute(select(FinalJudge.id, FinalJudge.user_id).where(FinalJudge.final_id == final_id)).all()
    rows = session.execute(
        select(PanelAssignment.judge_id, PanelAssignment.finalist_id)
        .join(FinalJudge, FinalJudge.id == PanelAssignment.judge_id)
        .where(FinalJudge.final_id == final_id)
    ).all()
    with_panel = {judge for judge, _ in rows}
    mine = {judge for judge, finalist in rows if finalist == finalist_id}
    return frozenset(user for judge, user in judges if judge not in with_panel or judge in mine)


def final_resource(session: Session, final: Final, finalist: Finalist | None = None) -> Resource:
    """Describe a final (and optionally one finalist) for the permission policy."""
    revealed = final.status == FinalStatus.REVEALED
    judges = judge_ids(session, final.id)
    published = final_challenge(session, final).is_published
    if finalist is None:
        return Resource(challenge_published=published, final_judge_ids=judges, final_revealed=revealed)
    return Resource(
        challenge_published=published,
        owner_team_id=finalist.team_id,
        final_judge_ids=judges,
        conflicted_judge_ids=conflicted_ids(session, final.id, finalist.team_id),
        assigned_judge_ids=assigned_ids(session, final.id, finalist.id),
        final_revealed=revealed,
    )


def final_challenge(session: Session, final: Final) -> Challenge:
    """The final's challenge."""
    challenge = session.get(Challenge, final.challenge_id)
    if challenge is None:
        raise NotFound("no challenge %(id)s", params={"id": final.challenge_id})
    return challenge


def check(session: Session, user: User | None, action: Action, final: Final, finalist: Finalist | None = None) -> Actor:
    """Raise unless ``user`` may do ``action`` on the final (or finalist); hidden as NotFound. Return the actor."""
    actor = actor_for(session, user, final.challenge_id)
    require(actor, action, final_resource(session, final, finalist), hide=True)
    return actor
