"""JSON shapes of demands, responses, messages, deals and statistics (English keys, RFC 3339 times)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from arena import demands
from arena.models import Deal, Demand, DemandResponse, Milestone, Organization, ResponseMessage
from arena.timestamps import rfc3339

Problems = list[tuple[str, str, dict[str, object]]]


def problems_list(problems: Problems) -> list[dict[str, str]]:
    """Each field's problem as {field, message} in English."""
    return [
        {"field": field, "message": template % params if params else template} for field, template, params in problems
    ]


def demand_dict(demand: Demand, *, details: bool) -> dict[str, Any]:
    """A demand: its public part always; problem, current state, indicators only when ``details``."""
    body: dict[str, Any] = {
        "id": demand.id,
        "sponsor_id": demand.sponsor_id,
        "status": demand.status,
        "title": demand.title,
        "field": demand.field,
        "region": demand.region,
        "summary": demand.summary,
        "budget_min": demand.budget_min,
        "budget_max": demand.budget_max,
        "intended_investment": demand.intended_investment,
        "deadline": rfc3339(demand.deadline),
        "confidential": demand.confidential,
        "published_at": rfc3339(demand.published_at),
        "details_visible": details,
    }
    if details:
        body.update(problem=demand.problem, current_state=demand.current_state, indicators=demand.indicators)
    return body


def response_dict(response: DemandResponse, respondent: Organization | None = None) -> dict[str, Any]:
    """A response with its proposal texts, price and state."""
    return {
        "id": response.id,
        "demand_id": response.demand_id,
        "respondent_id": response.respondent_id,
        "respondent_name": respondent.name if respondent is not None else None,
        "status": response.status,
        "approach": response.approach,
        "team": response.team,
        "track_record": response.track_record,
        "schedule": response.schedule,
        "price": response.price,
        "decision_reason": response.decision_reason,
        "submitted_at": rfc3339(response.submitted_at),
        "updated_at": rfc3339(response.updated_at),
    }


def compared_dict(row: demands.ComparedResponse) -> dict[str, Any]:
    """One column of the sponsor's comparison."""
    return response_dict(row.response, row.respondent)


def message_dict(message: ResponseMessage) -> dict[str, Any]:
    """One message of a response's Q&A thread."""
    return {"id": message.id, "side": message.side, "body": message.body, "at": rfc3339(message.at)}


def milestone_dict(milestone: Milestone) -> dict[str, Any]:
    """A deal's milestone."""
    return {
        "id": milestone.id,
        "title": milestone.title,
        "due_on": milestone.due_on.isoformat() if milestone.due_on else None,
        "amount": milestone.amount,
        "done_on": milestone.done_on.isoformat() if milestone.done_on else None,
    }


def deal_dict(deal: Deal, steps: list[Milestone]) -> dict[str, Any]:
    """A deal with its milestones."""
    return {
        "id": deal.id,
        "demand_id": deal.demand_id,
        "response_id": deal.response_id,
        "kind": deal.kind,
        "value": deal.value,
        "signed_on": deal.signed_on.isoformat(),
        "parties": deal.parties,
        "broker_id": deal.broker_id,
        "milestones": [milestone_dict(m) for m in steps],
    }


def stat_dict(row: demands.StatRow) -> dict[str, Any]:
    """One row of programme statistics."""
    return asdict(row)
