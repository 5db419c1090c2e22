"""Reviewers' pages of demands (queue, checklist, decisions, publication) and the site admin's role grants."""
# mypy: allow-untyped-decorators

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response

from arena import demands
from arena.enums import SiteRoleKind
from arena.errors import ArenaError, InvalidInput
from arena.models import Demand, Organization, User
from web import state
from web.auth.identity import page_user, required
from web.errors import status_for
from web.pages.demands import Problems, attachments_of, field_messages, problems_of

bp = Blueprint("demands_review", __name__)
Outcome = Response | tuple[str, int] | str


def _reviewer() -> User:
    """The signed-in reviewer; 404 for everyone else, so the pages' existence does not leak."""
    user = page_user()
    if user is None or not demands.is_reviewer(state.session(), user):
        abort(404)
    return user


@bp.route("/demands/review")
def queue() -> str:
    """Demands waiting for a reviewer, oldest first."""
    user = _reviewer()
    session = state.session()
    rows = demands.review_queue(session, user)
    names = {
        o.id: o.name for o in session.query(Organization).filter(Organization.id.in_({d.sponsor_id for d in rows}))
    }
    return render_template("demands/queue.html", rows=rows, names=names, fields=demands.FIELDS)


def _page(
    demand_id: int, problems: Problems | None = None, typed: dict[str, str] | None = None, status: int = 400
) -> Outcome:
    user = _reviewer()
    session = state.session()
    demand = demands.visible_demand(session, user, demand_id)
    events = demands.history(session, demand.id)
    people = {e.actor_id for e in events} | {r.reviewer_id for r in demands.reviews(session, demand.id)}
    names = {pid: u.username for pid in people if pid is not None and (u := session.get(User, pid)) is not None}
    page = render_template(
        "demands/review.html",
        demand=demand,
        organization=session.get(Organization, demand.sponsor_id),
        reviews=demands.reviews(session, demand.id),
        events=events,
        names=names,
        checklist=demands.CHECKLIST,
        fields=demands.FIELDS,
        attachments=attachments_of(demand, all_files=True),
        problems=field_messages(problems or []),
        typed=typed or {},
    )
    return (page, status) if problems else page


@bp.route("/demands/<id:demand_id>/review")
def review(demand_id: int) -> Outcome:
    """A demand with the review checklist and the reviewer's decisions."""
    return _page(demand_id)


def _decide(
    demand_id: int, work: Callable[[User, dict[str, bool], str], Demand], done: str, field: str = "comment"
) -> Outcome:
    user = _reviewer()
    session = state.session()
    marks = {key: request.form.get(f"check_{key}") == "on" for key in demands.CHECKLIST}
    text = request.form.get(field, "")
    try:
        work(user, marks, text)
        session.commit()
    except ArenaError as error:
        session.rollback()
        typed = {field: text} | {f"check_{k}": "on" for k, v in marks.items() if v}
        where = field if isinstance(error, InvalidInput) else "form"
        return _page(demand_id, problems_of(error, where), typed, status_for(error))
    flash(done, "success")
    return redirect(url_for("demands_review.review", demand_id=demand_id))


@bp.post("/demands/<id:demand_id>/review/start")
def start(demand_id: int) -> Outcome:
    """Take a submitted demand into review."""
    session = state.session()
    return _decide(
        demand_id, lambda u, _m, _t: demands.start_review(session, u, demand_id), gettext("The review started.")
    )


@bp.post("/demands/<id:demand_id>/review/changes")
def changes(demand_id: int) -> Outcome:
    """Send the demand back to its sponsor with what to change."""
    session = state.session()
    return _decide(
        demand_id,
        lambda u, m, t: demands.request_changes(session, u, demand_id, t, m),
        gettext("The demand went back to its sponsor for changes."),
    )


@bp.post("/demands/<id:demand_id>/review/approve")
def approve(demand_id: int) -> Outcome:
    """Approve the demand once every checklist item holds."""
    session = state.session()
    return _decide(
        demand_id,
        lambda u, m, t: demands.approve(session, u, demand_id, m, t, now=state.now()),
        gettext("The demand is approved; publish it when ready."),
    )


@bp.post("/demands/<id:demand_id>/review/reject")
def reject(demand_id: int) -> Outcome:
    """Reject the demand with a reason its sponsor reads."""
    session = state.session()
    return _decide(
        demand_id,
        lambda u, m, t: demands.reject(session, u, demand_id, t, m),
        gettext("The demand was rejected."),
        "reason",
    )


@bp.post("/demands/<id:demand_id>/review/publish")
def publish(demand_id: int) -> Outcome:
    """Publish an approved demand: it is listed and pushed to matching respondents."""
    session = state.session()
    return _decide(
        demand_id,
        lambda u, _m, _t: demands.publish(session, u, demand_id, now=state.now()),
        gettext("The demand is published."),
    )


@bp.route("/demands/roles", methods=["GET", "POST"])
def roles() -> Outcome:
    """Site admins make users demand reviewers or technology brokers."""
    user = page_user()
    if user is None or not user.is_admin:
        abort(404)
    typed = {"username": request.form.get("username", ""), "role": request.form.get("role", "")}
    if request.method == "GET":
        return render_template(
            "demands/roles.html", typed=typed, problems={}, roles=[SiteRoleKind.REVIEWER, SiteRoleKind.BROKER]
        )
    session = state.session()
    try:
        if typed["role"] not in {SiteRoleKind.REVIEWER.value, SiteRoleKind.BROKER.value}:
            raise InvalidInput("choose one of the listed values", field="role")
        demands.grant_site_role(session, required(user), typed["username"], SiteRoleKind(typed["role"]))
        session.commit()
    except ArenaError as error:
        session.rollback()
        shown = field_messages(problems_of(error, "username"))
        return render_template(
            "demands/roles.html", typed=typed, problems=shown, roles=[SiteRoleKind.REVIEWER, SiteRoleKind.BROKER]
        ), 400
    names = {"reviewer": gettext("demand reviewer"), "broker": gettext("technology broker")}
    flash(gettext("%(name)s is now a %(role)s.", name=typed["username"].strip(), role=names[typed["role"]]), "success")
    return redirect(url_for("demands_review.roles"))
