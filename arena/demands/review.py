"""Reviewers screen demands (authenticity, completeness, feasibility), ask for changes, approve, reject, publish."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from arena.db import utcnow
from arena.demands.access import is_reviewer, reviewable_demand
from arena.demands.lifecycle import move
from arena.demands.matching import push_matches
from arena.demands.vocabulary import CHECKLIST
from arena.enums import DemandStatus
from arena.errors import InvalidInput
from arena.models import Demand, DemandResponse, DemandReview, Organization, User

REVIEW_STATES = (DemandStatus.SUBMITTED, DemandStatus.IN_REVIEW, DemandStatus.APPROVED)


def review_queue(session: Session, user: User) -> list[Demand]:
    """Demands waiting for a reviewer: submitted, in review, or approved and not yet published; oldest first."""
    if not is_reviewer(session, user):
        return []
    return list(
        session.scalars(
            select(Demand)
            .where(Demand.status.in_([s.value for s in REVIEW_STATES]))
            .order_by(Demand.submitted_at, Demand.id)
        )
    )


def start_review(session: Session, user: User, demand_id: int) -> Demand:
    """A reviewer takes a submitted demand into review."""
    demand = reviewable_demand(session, user, demand_id)
    move(session, demand, DemandStatus.IN_REVIEW, actor_id=user.id)
    return demand


def _checklist(values: dict[str, bool]) -> dict[str, bool]:
    unknown = set(values) - set(CHECKLIST)
    if unknown:
        raise InvalidInput("unknown checklist item %(item)s", field="checklist", params={"item": sorted(unknown)[0]})
    return {key: bool(values.get(key, False)) for key in CHECKLIST}


def _record(
    session: Session, user: User, demand: Demand, decision: str, checklist: dict[str, bool], comment: str
) -> None:
    session.add(
        DemandReview(
            demand_id=demand.id, reviewer_id=user.id, checklist=checklist, decision=decision, comment=comment.strip()
        )
    )


def request_changes(
    session: Session, user: User, demand_id: int, comment: str, checklist: dict[str, bool] | None = None
) -> Demand:
    """Send the demand back to its sponsor with what to change; the sponsor edits and submits again."""
    demand = reviewable_demand(session, user, demand_id)
    if not comment.strip():
        raise InvalidInput("tell the sponsor what to change", field="comment")
    marks = _checklist(checklist or {})
    move(session, demand, DemandStatus.CHANGES_REQUESTED, actor_id=user.id, reason=comment.strip())
    _record(session, user, demand, "changes_requested", marks, comment)
    return demand


def approve(
    session: Session,
    user: User,
    demand_id: int,
    checklist: dict[str, bool],
    comment: str = "",
    *,
    now: datetime | None = None,
) -> Demand:
    """Approve a demand whose checklist is complete; its sponsor's contact counts as verified from now on."""
    demand = reviewable_demand(session, user, demand_id)
    marks = _checklist(checklist)
    missing = [key for key, ok in marks.items() if not ok]
    if missing:
        raise InvalidInput(
            "every checklist item must hold before approval; not yet: %(items)s",
            field="checklist",
            params={"items": ", ".join(missing)},
        )
    move(session, demand, DemandStatus.APPROVED, actor_id=user.id, reason=comment.strip(), now=now)
    _record(session, user, demand, "approved", marks, comment)
    sponsor = session.get(Organization, demand.sponsor_id)
    if sponsor is not None and sponsor.verified_at is None:
        sponsor.verified_at = now or utcnow()
    return demand


def reject(
    session: Session, user: User, demand_id: int, reason: str, checklist: dict[str, bool] | None = None
) -> Demand:
    """Reject a demand in review, with the reason the sponsor will read."""
    demand = reviewable_demand(session, user, demand_id)
    if not reason.strip():
        raise InvalidInput("say why the demand is rejected", field="reason")
    marks = _checklist(checklist or {})
    move(session, demand, DemandStatus.REJECTED, actor_id=user.id, reason=reason.strip())
    _record(session, user, demand, "rejected", marks, reason)
    return demand


def publish(session: Session, user: User, demand_id: int, *, now: datetime | None = None) -> Demand:
    """Publish an approved demand whose deadline is still ahead: it is listed, and pushed to matching respondents."""
    now = now or utcnow()
    demand = reviewable_demand(session, user, demand_id)
    if demand.deadline is not None and demand.deadline <= now:
        raise InvalidInput("the demand's deadline has passed; ask the sponsor for a new one", field="deadline")
    move(session, demand, DemandStatus.PUBLISHED, actor_id=user.id, now=now)
    push_matches(session, demand.id, now=now)
    return demand


def reviews(session: Session, demand_id: int) -> list[DemandReview]:
    """The demand's reviews, oldest first."""
    return list(
        session.scalars(select(DemandReview).where(DemandReview.demand_id == demand_id).order_by(DemandReview.at))
    )


def close_overdue(session: Session, *, now: datetime | None = None) -> list[int]:
    """Close published demands whose deadline passed: to selection if someone answered, else expired."""
    now = now or utcnow()
    overdue = session.scalars(
        select(Demand).where(
            Demand.status == DemandStatus.PUBLISHED.value, Demand.deadline.is_not(None), Demand.deadline < now
        )
    ).all()
    for demand in overdue:
        answered = session.scalar(
            select(DemandResponse.id).where(
                DemandResponse.demand_id == demand.id,
                DemandResponse.status != "draft",
                DemandResponse.status != "withdrawn",
            )
        )
        target = DemandStatus.RESPONSES_CLOSED if answered is not None else DemandStatus.EXPIRED
        move(session, demand, target, actor_id=None, reason="deadline passed", now=now)
    return [demand.id for demand in overdue]
