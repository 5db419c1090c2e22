"""Appeals: a finalist's objection to the result before the deadline, and the organizer's answer on the record."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from arena import audit
from arena.db import utcnow
from arena.errors import Conflict, InvalidInput, NotFound
from arena.finals import notices
from arena.finals.access import check, get_final, get_finalist
from arena.models import Appeal, Finalist, User
from arena.permissions import Action


def file_appeal(session: Session, user: User, finalist_id: int, text: str, *, now: datetime | None = None) -> Appeal:
    """A finalist's member files an appeal, before the final's appeal deadline."""
    finalist = get_finalist(session, finalist_id)
    final = get_final(session, finalist.final_id)
    check(session, user, Action.FILE_APPEAL, final, finalist)
    when = now or utcnow()
    if final.appeal_deadline is None or when >= final.appeal_deadline:
        raise Conflict("appeals for this final are closed")
    if not text.strip():
        raise InvalidInput("say what the appeal is about", field="text")
    appeal = Appeal(finalist_id=finalist.id, filed_by_id=user.id, text=text.strip(), filed_at=when)
    session.add(appeal)
    session.flush()
    audit.record(
        session,
        "final.appeal_filed",
        actor_id=user.id,
        challenge_id=final.challenge_id,
        target_type="appeal",
        target_id=appeal.id,
        finalist_id=finalist.id,
    )
    return appeal


def answer_appeal(session: Session, user: User, appeal_id: int, answer: str, *, now: datetime | None = None) -> Appeal:
    """The organizer answers an appeal on the record."""
    appeal = session.get(Appeal, appeal_id)
    if appeal is None:
        raise NotFound("no appeal %(id)s", params={"id": appeal_id})
    finalist = get_finalist(session, appeal.finalist_id)
    final = get_final(session, finalist.final_id)
    check(session, user, Action.MANAGE_FINAL, final)
    if not answer.strip():
        raise InvalidInput("an answer needs text", field="answer")
    appeal.answer, appeal.answered_by_id, appeal.answered_at = answer.strip(), user.id, now or utcnow()
    audit.record(
        session,
        "final.appeal_answered",
        actor_id=user.id,
        challenge_id=final.challenge_id,
        target_type="appeal",
        target_id=appeal.id,
        answer=appeal.answer,
    )
    notices.appeal_answered(session, final, finalist)
    return appeal


def appeals(session: Session, user: User, final_id: int) -> list[Appeal]:
    """Every appeal of a final (organizers)."""
    final = get_final(session, final_id)
    check(session, user, Action.MANAGE_FINAL, final)
    query = select(Appeal).join(Finalist, Finalist.id == Appeal.finalist_id).where(Finalist.final_id == final.id)
    return list(session.scalars(query.order_by(Appeal.filed_at)))


def own_appeals(session: Session, user: User, finalist_id: int) -> list[Appeal]:
    """A finalist's appeals with their answers, for the finalist's members (and organizers)."""
    finalist = get_finalist(session, finalist_id)
    check(session, user, Action.VIEW_FINALIST_RECORD, get_final(session, finalist.final_id), finalist)
    query = select(Appeal).where(Appeal.finalist_id == finalist.id)
    return list(session.scalars(query.order_by(Appeal.filed_at)))
