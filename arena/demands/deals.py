"""Contracts signed after selection (技术开发/转让/许可/服务), their milestones, and the brokers who brokered them."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from arena import audit
from arena.demands.access import has_site_role, is_reviewer, sponsored_demand
from arena.demands.forms import FieldReader
from arena.demands.lifecycle import move
from arena.enums import DealKind, DemandStatus, ResponseStatus, SiteRoleKind
from arena.errors import InvalidInput, NotFound
from arena.models import Deal, Demand, DemandResponse, Milestone, User


def _day(reader: FieldReader, name: str, *, required: bool) -> date | None:
    moment = reader.moment(name, required=required)
    return moment.date() if moment is not None else None


def record_deal(session: Session, user: User, demand_id: int, raw: dict[str, str]) -> Deal:
    """The sponsor (or a reviewer) records the contract signed with a selected respondent; the demand is contracted."""
    demand = session.get(Demand, demand_id)
    if demand is None:
        raise NotFound("no such demand")
    if not is_reviewer(session, user):
        demand = sponsored_demand(session, user, demand_id)
    reader = FieldReader(raw)
    kind = reader.choice("kind", {k.value for k in DealKind}, required=True)
    value = reader.money("value", required=True)
    signed_on = _day(reader, "signed_on", required=True)
    parties = reader.text("parties", limit=2000)
    response_id = (raw.get("response_id") or "").strip()
    response = session.get(DemandResponse, int(response_id)) if response_id.isdigit() else None
    if response is None or response.demand_id != demand.id or response.status != ResponseStatus.SELECTED:
        reader.problems.append(("response_id", "choose one of the selected responses", {}))
    broker_name = (raw.get("broker") or "").strip()
    broker = session.scalar(select(User).where(User.username == broker_name)) if broker_name else None
    if broker_name and (broker is None or not has_site_role(session, broker, SiteRoleKind.BROKER)):
        reader.problems.append(("broker", "no technology broker has this username", {}))
    reader.raise_if_any()
    assert response is not None and value is not None and signed_on is not None
    deal = Deal(
        demand_id=demand.id,
        response_id=response.id,
        kind=kind,
        value=value,
        signed_on=signed_on,
        parties=parties,
        broker_id=broker.id if broker is not None else demand.broker_id,
        recorded_by_id=user.id,
    )
    session.add(deal)
    session.flush()
    audit.record(session, "deal.recorded", actor_id=user.id, target_type="deal", target_id=deal.id, value=value)
    if demand.status == DemandStatus.SELECTED:
        move(session, demand, DemandStatus.CONTRACTED, actor_id=user.id, reason=f"deal {deal.id}")
    return deal


def _deal_for(session: Session, user: User, deal_id: int) -> Deal:
    deal = session.get(Deal, deal_id)
    if deal is None:
        raise NotFound("no such deal")
    if not is_reviewer(session, user):
        sponsored_demand(session, user, deal.demand_id)
    return deal


def add_milestone(session: Session, user: User, deal_id: int, raw: dict[str, str]) -> Milestone:
    """Add a milestone (title, due date, amount) to a deal."""
    deal = _deal_for(session, user, deal_id)
    reader = FieldReader(raw)
    title = reader.text("title", limit=200, required=True)
    due_on = _day(reader, "due_on", required=False)
    amount = reader.money("amount")
    reader.raise_if_any()
    position = len(milestones(session, deal.id))
    milestone = Milestone(deal_id=deal.id, title=title, due_on=due_on, amount=amount, position=position)
    session.add(milestone)
    session.flush()
    return milestone


def complete_milestone(session: Session, user: User, milestone_id: int, done_on: date) -> Milestone:
    """Mark a milestone done on a date."""
    milestone = session.get(Milestone, milestone_id)
    if milestone is None:
        raise NotFound("no such milestone")
    _deal_for(session, user, milestone.deal_id)
    if milestone.done_on is not None:
        raise InvalidInput("the milestone is already done")
    milestone.done_on = done_on
    audit.record(session, "deal.milestone_done", actor_id=user.id, target_type="deal", target_id=milestone.deal_id)
    return milestone


def milestones(session: Session, deal_id: int) -> list[Milestone]:
    """A deal's milestones in order."""
    return list(session.scalars(select(Milestone).where(Milestone.deal_id == deal_id).order_by(Milestone.position)))


def deals_of_demand(session: Session, demand_id: int) -> list[Deal]:
    """The deals signed for a demand."""
    return list(session.scalars(select(Deal).where(Deal.demand_id == demand_id).order_by(Deal.signed_on)))


def deals_brokered_by(session: Session, broker_id: int) -> list[Deal]:
    """The deals a technology broker brokered, newest first."""
    return list(session.scalars(select(Deal).where(Deal.broker_id == broker_id).order_by(Deal.signed_on.desc())))
