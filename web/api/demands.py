"""API of demands: the public list and detail, terms, the sponsor's drafts, the reviewers' decisions, statistics."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from arena import demands
from arena.errors import InvalidInput
from web import state
from web.api import demand_responses
from web.api.demand_serializers import demand_dict, problems_list, stat_dict
from web.api.requests import json_body, text_field
from web.auth.identity import api_user, required
from web.demand_statistics import parse_request
from web.numbers import MAX_PAGE, bounded_int, query_int

bp = Blueprint("demands", __name__)
bp.register_blueprint(demand_responses.bp)

DRAFT_FIELDS = (
    "title", "field", "region", "summary", "problem", "current_state", "indicators", "budget_min", "budget_max",
    "intended_investment", "deadline", "confidential", "terms",
)  # fmt: skip
JSON = tuple[dict[str, Any], int]


def _detail(demand_id: int) -> dict[str, Any]:
    session, user = state.session(), api_user()
    demand = demands.visible_demand(session, user, demand_id)
    return demand_dict(demand, details=demands.may_read_details(session, user, demand))


@bp.get("/demands")
def search() -> dict[str, Any]:
    """Published demands matching words, field, budget and openness, newest first."""
    args = request.args
    budget = args.get("budget_at_least")
    query = demands.DemandQuery(
        words=args.get("q", "")[:200],
        field=args.get("field", ""),
        budget_at_least=query_int(budget, "budget_at_least", 0, minimum=0, maximum=10**13) if budget else None,
        open_only=args.get("open") in {"1", "true"},
        page=query_int(args.get("page"), "page", 1, maximum=MAX_PAGE),
        per_page=query_int(args.get("per_page"), "per_page", 20, maximum=200),
    )
    found, total = demands.search(state.session(), query)
    session, user = state.session(), api_user()
    return {
        "demands": [demand_dict(d, details=demands.may_read_details(session, user, d)) for d in found],
        "total": total,
        "page": query.page,
    }


@bp.get("/demands/<id:demand_id>")
def detail(demand_id: int) -> dict[str, Any]:
    """One demand; its details only for those who may read them (confidential ones after accepting the terms)."""
    return _detail(demand_id)


@bp.post("/demands/<id:demand_id>/terms")
def accept_terms(demand_id: int) -> dict[str, Any]:
    """Accept a confidential demand's terms; the answer holds its details."""
    user = required(api_user())
    demands.accept_terms(state.session(), user, demand_id)
    state.session().commit()
    return _detail(demand_id)


def _raw(data: dict[str, Any]) -> dict[str, str]:
    raw: dict[str, str] = {}
    for name in DRAFT_FIELDS:
        if name not in data or data[name] is None:
            continue
        value = data[name]
        if isinstance(value, bool):
            raw[name] = "on" if value else ""
        elif isinstance(value, int | str):
            raw[name] = str(value)
        else:
            raise InvalidInput("'%(field)s' must be a string or a number", field=name, params={"field": name})
    return raw


@bp.post("/demands")
def create_draft() -> JSON:
    """File a draft demand for a sponsor one acts for (or as its broker); bad fields are listed, the rest kept."""
    user, session = required(api_user()), state.session()
    data = json_body()
    sponsor_id = bounded_int(data.get("sponsor_id"), "sponsor_id")
    saved = demands.save_draft(session, user, _raw(data), sponsor_id=sponsor_id)
    session.commit()
    return {"demand": demand_dict(saved.demand, details=True), "problems": problems_list(saved.problems)}, 201


@bp.patch("/demands/<id:demand_id>")
def update_draft(demand_id: int) -> dict[str, Any]:
    """Change a draft (or a demand sent back for changes); bad fields are listed, the rest kept."""
    user, session = required(api_user()), state.session()
    saved = demands.save_draft(session, user, _raw(json_body()), demand_id=demand_id)
    session.commit()
    return {"demand": demand_dict(saved.demand, details=True), "problems": problems_list(saved.problems)}


def _transition(demand_id: int, action: Any, *args: Any) -> dict[str, Any]:
    user, session = required(api_user()), state.session()
    demand = action(session, user, demand_id, *args)
    session.commit()
    return demand_dict(demand, details=True)


def _checklist(data: dict[str, Any]) -> dict[str, bool]:
    value = data.get("checklist") or {}
    if not isinstance(value, dict) or not all(isinstance(v, bool) for v in value.values()):
        raise InvalidInput("'checklist' must map checklist codes to true or false", field="checklist")
    return {str(k): v for k, v in value.items()}


@bp.post("/demands/<id:demand_id>/submit")
def submit(demand_id: int) -> dict[str, Any]:
    """Send the draft to the reviewers (sponsor)."""
    return _transition(demand_id, demands.submit_demand)


@bp.post("/demands/<id:demand_id>/withdraw")
def withdraw(demand_id: int) -> dict[str, Any]:
    """Withdraw the demand with a reason (sponsor)."""
    reason = text_field(json_body(), "reason", max_length=2000)
    return _transition(demand_id, demands.withdraw_demand, reason)


@bp.post("/demands/<id:demand_id>/review")
def start_review(demand_id: int) -> dict[str, Any]:
    """Take a submitted demand into review (reviewer)."""
    return _transition(demand_id, demands.start_review)


@bp.post("/demands/<id:demand_id>/changes")
def request_changes(demand_id: int) -> dict[str, Any]:
    """Send the demand back to its sponsor with a comment (reviewer)."""
    data = json_body()
    return _transition(
        demand_id, demands.request_changes, text_field(data, "comment", max_length=5000), _checklist(data)
    )


@bp.post("/demands/<id:demand_id>/approve")
def approve(demand_id: int) -> dict[str, Any]:
    """Approve the demand with the whole checklist ticked (reviewer)."""
    data = json_body()
    comment = text_field(data, "comment", required=False, max_length=5000)
    return _transition(demand_id, demands.approve, _checklist(data), comment)


@bp.post("/demands/<id:demand_id>/reject")
def reject(demand_id: int) -> dict[str, Any]:
    """Reject the demand with a reason (reviewer)."""
    data = json_body()
    return _transition(demand_id, demands.reject, text_field(data, "reason", max_length=5000), _checklist(data))


@bp.post("/demands/<id:demand_id>/publish")
def publish(demand_id: int) -> dict[str, Any]:
    """Publish an approved demand; it is pushed to the best-matching respondents (reviewer)."""
    return _transition(demand_id, demands.publish)


@bp.get("/demand-statistics")
def statistics() -> dict[str, Any]:
    """The programme's figures by period, field or region within an optional window, and their totals."""
    args = {key: request.args.get(key, "") for key in ("by", "period", "start", "end")}
    asked = parse_request(args)
    session = state.session()
    rows = demands.statistics(session, asked.grouping, asked.period, asked.window)
    return {
        "by": asked.grouping.value,
        "period": asked.period.value,
        "start": asked.window.start.isoformat() if asked.window.start else None,
        "end": asked.window.end.isoformat() if asked.window.end else None,
        "totals": stat_dict(demands.totals(session, asked.window)),
        "rows": [stat_dict(row) for row in rows],
    }
