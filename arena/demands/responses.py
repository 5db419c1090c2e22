"""Respondents answer published demands (应答/揭榜); sponsors compare, shortlist and select (选标) with reasons."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from arena import audit
from arena.db import utcnow
from arena.demands.access import (
    acts_for,
    organizations_of,
    own_response,
    response_for_sponsor,
    sponsored_demand,
    visible_demand,
)
from arena.demands.forms import FieldReader
from arena.demands.lifecycle import move
from arena.enums import DemandStatus, ResponseStatus, check_response_transition
from arena.errors import Conflict, FormErrors, InvalidInput, NotFound
from arena.models import Demand, DemandResponse, Organization, TermsAcceptance, User

TEXT_LIMITS = {"approach": 20000, "team": 5000, "track_record": 10000, "schedule": 5000}
OPEN_STATES = (ResponseStatus.DRAFT, ResponseStatus.SUBMITTED, ResponseStatus.SHORTLISTED)


def check_open_for_responses(demand: Demand, now: datetime) -> None:
    """Refuse changes to responses unless the demand is published and before its deadline."""
    if demand.status != DemandStatus.PUBLISHED or (demand.deadline is not None and demand.deadline <= now):
        raise InvalidInput("the demand no longer takes responses")


def accept_terms(session: Session, user: User, demand_id: int) -> None:
    """A signed-in respondent accepts a confidential demand's terms, which opens its details to them."""
    demand = visible_demand(session, user, demand_id)
    if not DemandStatus(demand.status).is_public:
        raise NotFound("no such demand")
    exists = session.scalar(
        select(TermsAcceptance.id).where(TermsAcceptance.demand_id == demand.id, TermsAcceptance.user_id == user.id)
    )
    if exists is None:
        session.add(TermsAcceptance(demand_id=demand.id, user_id=user.id))
        audit.record(session, "demand.terms_accepted", actor_id=user.id, target_type="demand", target_id=demand.id)


def _respondent(session: Session, user: User, respondent_id: int) -> Organization:
    organization = session.get(Organization, respondent_id)
    if organization is None or not acts_for(session, user, organization.id):
        raise InvalidInput("choose an organization you act for", field="respondent_id")
    return organization


def save_response(
    session: Session,
    user: User,
    demand_id: int,
    respondent_id: int,
    raw: dict[str, str],
    *,
    now: datetime | None = None,
) -> tuple[DemandResponse, list[tuple[str, str, dict[str, object]]]]:
    """Create or revise the organization's proposal while the demand is open; returns the problems of bad fields."""
    now = now or utcnow()
    demand = visible_demand(session, user, demand_id)
    check_open_for_responses(demand, now)
    respondent = _respondent(session, user, respondent_id)
    if respondent.id == demand.sponsor_id:
        raise InvalidInput("a sponsor cannot answer its own demand", field="respondent_id")
    response = session.scalar(
        select(DemandResponse).where(
            DemandResponse.demand_id == demand.id, DemandResponse.respondent_id == respondent.id
        )
    )
    if response is None:
        response = DemandResponse(demand_id=demand.id, respondent_id=respondent.id, filed_by_id=user.id)
        session.add(response)
    elif ResponseStatus(response.status) not in OPEN_STATES:
        raise Conflict("this response can no longer be changed")
    reader = FieldReader(raw)
    for name, limit in TEXT_LIMITS.items():
        if name in raw:
            value = reader.text(name, limit=limit)
            if len(value) <= limit:
                setattr(response, name, value)
    if "price" in raw:
        before = len(reader.problems)
        price = reader.money("price")
        if len(reader.problems) == before:
            response.price = price
    session.flush()
    if response.status != ResponseStatus.DRAFT:
        audit.record(session, "response.revised", actor_id=user.id, target_type="response", target_id=response.id)
    return response, reader.problems


def submit_response(session: Session, user: User, response_id: int, *, now: datetime | None = None) -> DemandResponse:
    """Send a complete draft to the sponsor; it stays revisable until the demand's deadline."""
    now = now or utcnow()
    response = own_response(session, user, response_id)
    demand = session.get(Demand, response.demand_id)
    assert demand is not None
    check_open_for_responses(demand, now)
    problems: list[tuple[str, str, dict[str, object]]] = [
        (name, "this field is required", {}) for name in ("approach", "team", "schedule") if not getattr(response, name)
    ]
    if response.price is None:
        problems.append(("price", "this field is required", {}))
    if problems:
        raise FormErrors(problems)
    _move(session, response, ResponseStatus.SUBMITTED, user)
    response.submitted_at = now
    return response


def withdraw_response(session: Session, user: User, response_id: int) -> DemandResponse:
    """The respondent withdraws its proposal."""
    response = own_response(session, user, response_id)
    _move(session, response, ResponseStatus.WITHDRAWN, user)
    return response


def _move(session: Session, response: DemandResponse, new: ResponseStatus, user: User, reason: str = "") -> None:
    old = ResponseStatus(response.status)
    check_response_transition(old, new)
    response.status = new.value
    audit.record(
        session,
        f"response.{new.value}",
        actor_id=user.id,
        target_type="response",
        target_id=response.id,
        old=old.value,
        new=new.value,
        reason=reason,
    )


def own_responses(session: Session, user: User) -> list[DemandResponse]:
    """Every response of the organizations the user acts for, newest first."""
    ids = [organization.id for organization in organizations_of(session, user.id)]
    if not ids:
        return []
    return list(
        session.scalars(
            select(DemandResponse)
            .where(DemandResponse.respondent_id.in_(ids))
            .order_by(DemandResponse.updated_at.desc(), DemandResponse.id.desc())
        )
    )


@dataclass(frozen=True)
class ComparedResponse:
    """One column of the sponsor's comparison table."""

    response: DemandResponse
    respondent: Organization


def compare(session: Session, user: User, demand_id: int) -> list[ComparedResponse]:
    """The sponsor's side-by-side view of every submitted response to its demand, by price then time."""
    demand = sponsored_demand(session, user, demand_id)
    rows = session.execute(
        select(DemandResponse, Organization)
        .join(Organization, Organization.id == DemandResponse.respondent_id)
        .where(
            DemandResponse.demand_id == demand.id,
            DemandResponse.status.not_in([ResponseStatus.DRAFT.value, ResponseStatus.WITHDRAWN.value]),
        )
        .order_by(DemandResponse.submitted_at, DemandResponse.id)
    ).all()
    return [ComparedResponse(response, organization) for response, organization in rows]


def shortlist(session: Session, user: User, response_id: int, on: bool = True) -> DemandResponse:
    """The sponsor puts a submitted response on (or off) its shortlist."""
    response = response_for_sponsor(session, user, response_id)
    _move(session, response, ResponseStatus.SHORTLISTED if on else ResponseStatus.SUBMITTED, user)
    return response


def close_responses(session: Session, user: User, demand_id: int, *, now: datetime | None = None) -> Demand:
    """The sponsor stops taking responses before the deadline to choose among them."""
    demand = sponsored_demand(session, user, demand_id)
    move(session, demand, DemandStatus.RESPONSES_CLOSED, actor_id=user.id, now=now)
    return demand


def select_responses(
    session: Session, user: User, demand_id: int, reasons: dict[int, str], *, now: datetime | None = None
) -> list[DemandResponse]:
    """Select one or more responses (选标) with a reason each; the others are told they were not selected."""
    demand = sponsored_demand(session, user, demand_id)
    if not reasons:
        raise InvalidInput("select at least one response", field="responses")
    for response_id, reason in reasons.items():
        if not reason.strip():
            raise InvalidInput("give a reason for each selected response", field=f"reason_{response_id}")
    if demand.status == DemandStatus.PUBLISHED:
        move(session, demand, DemandStatus.RESPONSES_CLOSED, actor_id=user.id, now=now)
    candidates = {c.response.id: c.response for c in compare(session, user, demand.id)}
    unknown = set(reasons) - set(candidates)
    if unknown:
        raise InvalidInput("response %(id)s is not one of this demand's responses", params={"id": sorted(unknown)[0]})
    chosen: list[DemandResponse] = []
    for response in candidates.values():
        if response.id in reasons:
            response.decision_reason = reasons[response.id].strip()
            _move(session, response, ResponseStatus.SELECTED, user, response.decision_reason)
            chosen.append(response)
        else:
            _move(session, response, ResponseStatus.NOT_SELECTED, user)
    move(session, demand, DemandStatus.SELECTED, actor_id=user.id, reason="; ".join(r.decision_reason for r in chosen))
    return chosen
