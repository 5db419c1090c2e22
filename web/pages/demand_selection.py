"""The sponsor's pages: the responses side by side, shortlist, closing, selection (选标) with reasons, and deals."""
# mypy: allow-untyped-decorators

from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from arena import demands
from arena.errors import ArenaError, InvalidInput, NotFound
from arena.models import Deal, Demand, DemandResponse, Milestone, Organization, User
from web import state
from web.auth.identity import page_user, required
from web.pages.demand_forms import (
    DEAL_KINDS,
    RESPONSE_STATES,
    Problems,
    by_field,
    checked_ids,
    labels,
    message_of,
    problems_of,
    raw_form,
)

bp = Blueprint("demand_selection", __name__)

DEAL_FIELDS = ("response_id", "kind", "value", "signed_on", "parties", "broker")
MILESTONE_FIELDS = ("title", "due_on", "amount")
Page = str | Response | tuple[str, int]


def _user() -> User:
    return required(page_user())


def _render_compare(demand_id: int, reasons: dict[str, str], chosen: list[int], problems: Problems) -> str:
    user, session = _user(), state.session()
    rows = demands.compare(session, user, demand_id)  # NotFound / Forbidden for anyone but the sponsor
    demand = session.get(Demand, demand_id)
    return render_template(
        "demands/response_compare.html",
        demand=demand,
        rows=rows,
        files={row.response.id: demands.response_attachments(session, row.response.id) for row in rows},
        reasons=reasons,
        chosen=chosen,
        errors=by_field(problems),
        states=labels(RESPONSE_STATES),
        deals=demands.deals_of_demand(session, demand_id),
    )


@bp.get("/demands/<id:demand_id>/compare")
@login_required
def compare(demand_id: int) -> str:
    """Every submitted response side by side on approach, team, track record, schedule and price."""
    return _render_compare(demand_id, {}, [], [])


@bp.post("/demand-responses/<id:response_id>/shortlist")
@login_required
def shortlist(response_id: int) -> Response:
    """Put a response on (or off) the shortlist."""
    user, session = _user(), state.session()
    on = request.form.get("on", "1") == "1"
    try:
        response = demands.shortlist(session, user, response_id, on)
        session.commit()
    except NotFound:
        raise
    except ArenaError as error:
        session.rollback()
        flash(message_of(error), "error")
        found = session.get(DemandResponse, response_id)
        if found is None:
            raise NotFound("no such response") from error
        response = found
    return redirect(url_for(".compare", demand_id=response.demand_id) + f"#response-{response.id}")


@bp.post("/demands/<id:demand_id>/close-responses")
@login_required
def close(demand_id: int) -> Response:
    """Stop taking responses before the deadline."""
    user, session = _user(), state.session()
    try:
        demands.close_responses(session, user, demand_id)
        session.commit()
        flash(_("The demand no longer takes responses; choose among the ones you have."), "success")
    except NotFound:
        raise
    except ArenaError as error:
        session.rollback()
        flash(message_of(error), "error")
    return redirect(url_for(".compare", demand_id=demand_id))


@bp.post("/demands/<id:demand_id>/select")
@login_required
def select_responses(demand_id: int) -> Page:
    """Select the ticked responses, each with its reason; the others are told they were not selected."""
    user, session = _user(), state.session()
    chosen = checked_ids("select_")
    reasons = {key: value for key, value in raw_form().items() if key.startswith("reason_")}
    problems: Problems = [
        (f"reason_{rid}", "give a reason for each selected response", {})
        for rid in chosen
        if not reasons.get(f"reason_{rid}", "").strip()
    ]
    if not chosen:
        problems.append(("responses", "select at least one response", {}))
    if not problems:
        try:
            demands.select_responses(session, user, demand_id, {rid: reasons[f"reason_{rid}"] for rid in chosen})
            session.commit()
            flash(_("%(count)s responses are selected; now record the deal.", count=len(chosen)), "success")
            return redirect(url_for(".deals", demand_id=demand_id))
        except NotFound:
            raise
        except ArenaError as error:
            session.rollback()
            problems = problems_of(error)
    return _render_compare(demand_id, reasons, chosen, problems), 400


def _deal_demand(user: User, demand_id: int) -> Demand:
    """The demand if the user is its sponsor or a reviewer; NotFound otherwise."""
    session = state.session()
    demand = demands.visible_demand(session, user, demand_id)
    if not (demands.is_sponsor_of(session, user, demand) or demands.is_reviewer(session, user)):
        raise NotFound("no such demand")
    return demand


def _render_deals(
    demand: Demand, values: dict[str, str], problems: Problems, milestone_errors: dict[int, Problems]
) -> str:
    session = state.session()
    selected = session.scalars(
        select(DemandResponse)
        .where(DemandResponse.demand_id == demand.id, DemandResponse.status == "selected")
        .order_by(DemandResponse.id)
    )
    deals = demands.deals_of_demand(session, demand.id)
    return render_template(
        "demands/deal_list.html",
        demand=demand,
        selected=[(r, session.get(Organization, r.respondent_id)) for r in selected],
        deals=[(d, demands.milestones(session, d.id)) for d in deals],
        values=values,
        errors=by_field(problems),
        milestone_errors={k: by_field(v) for k, v in milestone_errors.items()},
        kinds=labels(DEAL_KINDS),
        today=state.now().date().isoformat(),
    )


@bp.route("/demands/<id:demand_id>/deals", methods=["GET", "POST"])
@login_required
def deals(demand_id: int) -> Page:
    """The deals signed for a demand and the form to record one (kind, value, date, parties, broker)."""
    user, session = _user(), state.session()
    demand = _deal_demand(user, demand_id)
    values = dict.fromkeys(DEAL_FIELDS, "")
    if request.method == "POST":
        values.update(raw_form(DEAL_FIELDS))
        try:
            demands.record_deal(session, user, demand.id, values)
            session.commit()
            flash(_("The deal is recorded."), "success")
            return redirect(url_for(".deals", demand_id=demand.id))
        except NotFound:
            raise
        except ArenaError as error:
            session.rollback()
            return _render_deals(demand, values, problems_of(error), {}), 400
    return _render_deals(demand, values, [], {})


@bp.post("/deals/<id:deal_id>/milestones")
@login_required
def add_milestone(deal_id: int) -> Page:
    """Add a milestone to a deal."""
    user, session = _user(), state.session()
    deal = session.get(Deal, deal_id)
    if deal is None:
        raise NotFound("no such deal")
    demand = _deal_demand(user, deal.demand_id)
    try:
        demands.add_milestone(session, user, deal.id, raw_form(MILESTONE_FIELDS))
        session.commit()
    except NotFound:
        raise
    except ArenaError as error:
        session.rollback()
        return _render_deals(demand, dict.fromkeys(DEAL_FIELDS, ""), [], {deal.id: problems_of(error)}), 400
    return redirect(url_for(".deals", demand_id=demand.id) + f"#deal-{deal.id}")


@bp.post("/milestones/<id:milestone_id>/done")
@login_required
def complete(milestone_id: int) -> Response:
    """Mark a milestone done on the given day (today when empty)."""
    user, session = _user(), state.session()
    milestone = session.get(Milestone, milestone_id)
    if milestone is None:
        raise NotFound("no such milestone")
    deal = session.get(Deal, milestone.deal_id)
    assert deal is not None
    _deal_demand(user, deal.demand_id)
    text = request.form.get("done_on", "").strip()
    try:
        day = date.fromisoformat(text) if text else state.now().date()
    except ValueError:
        flash(_("enter a date like 2027-06-30"), "error")
        return redirect(url_for(".deals", demand_id=deal.demand_id))
    try:
        demands.complete_milestone(session, user, milestone.id, day)
        session.commit()
    except InvalidInput as error:
        session.rollback()
        flash(message_of(error), "error")
    return redirect(url_for(".deals", demand_id=deal.demand_id) + f"#deal-{deal.id}")
