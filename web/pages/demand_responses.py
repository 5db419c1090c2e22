"""The respondent's pages: its organization and profile, the inbox of matched demands, responses and their Q&A."""
# mypy: allow-untyped-decorators

from __future__ import annotations

from typing import BinaryIO, cast
from urllib.parse import quote

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from arena import demands
from arena.errors import ArenaError, FileTooLarge, FormErrors, InvalidInput, NotFound
from arena.models import Demand, DemandResponse, Organization, RespondentProfile, User
from web import state
from web.auth.identity import page_user, required
from web.pages.demand_forms import (
    RESPONDENT_KINDS,
    RESPONSE_STATES,
    Problems,
    by_field,
    labels,
    message_of,
    problems_of,
    raw_form,
)

bp = Blueprint("demand_responses", __name__)

ORGANIZATION_FIELDS = ("name", "kind", "region", "contact_name", "contact_email", "contact_phone")
RESPONSE_FIELDS = ("approach", "team", "track_record", "schedule", "price")
Page = str | Response | tuple[str, int]


def _user() -> User:
    return required(page_user())


def _respondents(user: User, demand: Demand | None = None) -> list[Organization]:
    """The organizations the user may answer for (never the demand's own sponsor)."""
    found = demands.organizations_of(state.session(), user.id)
    return [o for o in found if demand is None or o.id != demand.sponsor_id]


@bp.route("/organizations/new", methods=["GET", "POST"])
@login_required
def new_organization() -> Page:
    """Register a respondent organization: a university, an institute, a company or an individual."""
    user, session = _user(), state.session()
    values = dict.fromkeys(ORGANIZATION_FIELDS, "")
    problems: Problems = []
    if request.method == "POST":
        values.update(raw_form(ORGANIZATION_FIELDS))
        if values["kind"] not in RESPONDENT_KINDS:
            problems = [("kind", "choose one of the listed values", {})]
        else:
            try:
                organization = demands.create_organization(session, user, values)
                session.commit()
                flash(_("%(name)s is registered. Now say what it works on.", name=organization.name), "success")
                return redirect(url_for(".profile", organization_id=organization.id))
            except ArenaError as error:
                session.rollback()
                problems = problems_of(error)
    html = render_template(
        "demands/response_organization.html", values=values, errors=by_field(problems), kinds=labels(RESPONDENT_KINDS)
    )
    return (html, 400) if problems else html


@bp.route("/organizations/<id:organization_id>/profile", methods=["GET", "POST"])
@login_required
def profile(organization_id: int) -> Page:
    """The respondent's fields and capabilities, which decide which demands are pushed to its inbox."""
    user, session = _user(), state.session()
    organization = next((o for o in demands.organizations_of(session, user.id) if o.id == organization_id), None)
    if organization is None:
        raise NotFound("no such organization")
    current = _profile_values(organization)
    problems: Problems = []
    if request.method == "POST":
        chosen = request.form.getlist("fields")
        current = {**raw_form(("capabilities", "track_record")), "fields": chosen}
        try:
            demands.save_profile(session, user, organization.id, raw_form(("capabilities", "track_record")), chosen)
            session.commit()
            flash(_("The profile is saved; matching demands will appear in your inbox."), "success")
            return redirect(url_for(".profile", organization_id=organization.id))
        except ArenaError as error:
            session.rollback()
            problems = problems_of(error)
    html = render_template(
        "demands/response_profile.html",
        organization=organization,
        values=current,
        errors=by_field(problems),
        fields={code: _(name) for code, name in demands.FIELDS.items()},
    )
    return (html, 400) if problems else html


def _profile_values(organization: Organization) -> dict[str, object]:
    row = state.session().scalar(select(RespondentProfile).where(RespondentProfile.organization_id == organization.id))
    if row is None:
        return {"fields": [], "capabilities": "", "track_record": ""}
    return {"fields": list(row.fields), "capabilities": row.capabilities, "track_record": row.track_record}


@bp.get("/demands/inbox")
@login_required
def inbox() -> str:
    """The published demands pushed to the user's organizations, best matches first."""
    user, session = _user(), state.session()
    return render_template(
        "demands/response_inbox.html",
        matches=demands.inbox(session, user),
        organizations=_respondents(user),
        fields=demands.FIELDS,
    )


@bp.get("/demand-responses/mine")
@login_required
def mine() -> str:
    """Every response of the user's organizations, with its state."""
    user, session = _user(), state.session()
    rows = [
        (r, session.get(Demand, r.demand_id), session.get(Organization, r.respondent_id))
        for r in demands.own_responses(session, user)
    ]
    return render_template("demands/response_mine.html", rows=rows, states=labels(RESPONSE_STATES))


def _existing(user: User, demand: Demand, respondent_id: int | None) -> DemandResponse | None:
    for response in demands.own_responses(state.session(), user):
        if response.demand_id == demand.id and (respondent_id is None or response.respondent_id == respondent_id):
            return response
    return None


@bp.route("/demands/<id:demand_id>/respond", methods=["GET", "POST"])
@login_required
def respond(demand_id: int) -> Page:
    """The response form: save a draft, submit it, revise it until the deadline."""
    user, session = _user(), state.session()
    demand = demands.visible_demand(session, user, demand_id)
    organizations = _respondents(user, demand)
    if not organizations:
        flash(_("Register your organization first; then you can answer demands."), "error")
        return redirect(url_for(".new_organization"))
    chosen = request.values.get("respondent_id", "")
    respondent = next((o for o in organizations if str(o.id) == chosen), organizations[0])
    response = _existing(user, demand, respondent.id)
    values = {name: _shown(response, name) for name in RESPONSE_FIELDS}
    problems: Problems = []
    if request.method == "POST":
        values.update(raw_form(RESPONSE_FIELDS))
        try:
            response, problems = demands.save_response(
                session, user, demand.id, respondent.id, raw_form(RESPONSE_FIELDS)
            )
            problems = problems + _attach(user, response)
            if request.form.get("action") == "submit" and not problems and response.status == "draft":
                try:
                    demands.submit_response(session, user, response.id)
                except FormErrors as error:
                    problems = error.problems
            session.commit()
        except ArenaError as error:
            session.rollback()
            problems = problems_of(error)
        if not problems:
            flash(
                _("The response is submitted.")
                if response and response.status != "draft"
                else _("The draft is saved."),
                "success",
            )
            return redirect(url_for(".show", response_id=response.id) if response else url_for(".mine"))
        if response is not None and response.id is not None:
            flash(_("Everything else is saved; fix the fields marked below."), "error")
    html = render_template(
        "demands/response_form.html",
        demand=demand,
        details=demands.may_read_details(session, user, demand),
        response=response,
        attachments=demands.response_attachments(session, response.id) if response and response.id else [],
        respondent=respondent,
        organizations=organizations,
        values=values,
        errors=by_field(problems),
        field_name=_(demands.FIELDS.get(demand.field, demand.field)) if demand.field else "",
        states=labels(RESPONSE_STATES),
    )
    return (html, 400) if problems else html


def _attach(user: User, response: DemandResponse) -> Problems:
    """Keep the uploaded file, if any; a wrong type or size is a problem on the file's field."""
    upload = request.files.get("attachment")
    if upload is None or not upload.filename:
        return []
    try:
        demands.add_response_attachment(
            state.session(), state.store(), user, response.id, upload.filename, cast(BinaryIO, upload.stream)
        )
    except (InvalidInput, FileTooLarge) as error:
        return [("attachment", error.template, dict(error.params))]
    return []


@bp.get("/demand-responses/<id:response_id>/attachments/<id:attachment_id>")
@login_required
def attachment(response_id: int, attachment_id: int) -> Response:
    """Download a response's file: for its organization's members and the demand's sponsor, 404 for anyone else."""
    row = demands.response_attachment(state.session(), _user(), response_id, attachment_id)
    response = Response(state.store().read_bytes(row.sha256), mimetype=row.content_type)
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(row.name)}"
    return response


def _shown(response: DemandResponse | None, name: str) -> str:
    if response is None:
        return ""
    value = getattr(response, name)
    return "" if value is None else str(value)


@bp.post("/demands/<id:demand_id>/respond/terms")
@login_required
def accept_terms(demand_id: int) -> Response:
    """Accept a confidential demand's terms to read its details."""
    user, session = _user(), state.session()
    demands.accept_terms(session, user, demand_id)
    session.commit()
    flash(_("You accepted the terms; the details are shown."), "success")
    return redirect(url_for(".respond", demand_id=demand_id))


@bp.post("/demand-responses/<id:response_id>/withdraw")
@login_required
def withdraw(response_id: int) -> Response:
    """The respondent withdraws its proposal."""
    user, session = _user(), state.session()
    try:
        demands.withdraw_response(session, user, response_id)
        session.commit()
        flash(_("The response is withdrawn."), "success")
    except ArenaError as error:
        session.rollback()
        if isinstance(error, NotFound):
            raise
        flash(message_of(error), "error")
    return redirect(url_for(".mine"))


@bp.get("/demand-responses/<id:response_id>")
@login_required
def show(response_id: int) -> str:
    """One response with its Q&A thread, for its respondent or (once submitted) the demand's sponsor."""
    return _show(response_id, "", [])


def _show(response_id: int, body: str, problems: Problems) -> str:
    user, session = _user(), state.session()
    messages = demands.thread(session, user, response_id)  # NotFound for anyone else
    response = session.get(DemandResponse, response_id)
    assert response is not None
    demand = session.get(Demand, response.demand_id)
    assert demand is not None
    respondent = session.get(Organization, response.respondent_id)
    own = any(o.id == response.respondent_id for o in demands.organizations_of(session, user.id))
    return render_template(
        "demands/response_show.html",
        response=response,
        demand=demand,
        respondent=respondent,
        messages=messages,
        attachments=demands.response_attachments(session, response.id),
        own=own,
        sponsor=demands.is_sponsor_of(session, user, demand) and response.status != "draft",
        body=body,
        errors=by_field(problems),
        states=labels(RESPONSE_STATES),
    )


@bp.post("/demand-responses/<id:response_id>/messages")
@login_required
def post_message(response_id: int) -> Page:
    """Ask or answer a question in the response's thread."""
    user, session = _user(), state.session()
    body = request.form.get("body", "")
    try:
        demands.post_message(session, user, response_id, body)
        session.commit()
    except NotFound:
        raise
    except ArenaError as error:
        session.rollback()
        return _show(response_id, body, problems_of(error)), 400
    return redirect(url_for(".show", response_id=response_id) + "#thread")
