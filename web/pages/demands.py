"""Pages of technical demands: the public list and search, a demand's page, and the sponsor's filing pages."""
# mypy: allow-untyped-decorators

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from typing import BinaryIO, cast
from urllib.parse import quote

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from sqlalchemy import or_, select
from werkzeug.wrappers import Response

from arena import demands
from arena.enums import DemandStatus, OrganizationKind, SiteRoleKind
from arena.errors import ArenaError, FileTooLarge, FormErrors, InvalidInput
from arena.models import Challenge, Demand, DemandAttachment, Organization, User
from web import state
from web.auth.identity import page_user, required
from web.errors import status_for
from web.i18n import localized, localized_message

bp = Blueprint("demands", __name__)
Outcome = Response | tuple[str, int] | str
Problems = list[tuple[str, str, dict[str, object]]]
PER_PAGE = 20
FORM_FIELDS = (
    "title",
    "field",
    "region",
    "summary",
    "problem",
    "current_state",
    "indicators",
    "budget_min",
    "budget_max",
    "intended_investment",
    "deadline",
    "terms",
)


def field_messages(problems: Problems) -> dict[str, list[str]]:
    """Each field's problems in the viewer's language, by field name."""
    shown: dict[str, list[str]] = {}
    for field, template, params in problems:
        english = template % params if params else template
        shown.setdefault(field or "form", []).append(localized_message(template, params, english))
    return shown


def problems_of(error: ArenaError, default_field: str = "form") -> Problems:
    """The per-field problems an error carries (one problem for a plain error)."""
    if isinstance(error, FormErrors):
        return list(error.problems)
    return [(error.field or default_field, error.template, dict(error.params))]


def _money(value: int | None) -> str:
    return "" if value is None else str(value)


def form_values(demand: Demand | None) -> dict[str, str]:
    """The form's values as stored in a demand (empty for a new one)."""
    if demand is None:
        return {"confidential": ""}
    values = {name: str(getattr(demand, name) or "") for name in FORM_FIELDS}
    for name in ("budget_min", "budget_max", "intended_investment"):
        values[name] = _money(getattr(demand, name))
    values["deadline"] = demand.deadline.astimezone(UTC).date().isoformat() if demand.deadline else ""
    values["confidential"] = "on" if demand.confidential else ""
    return values


def sponsor_choices(user: User) -> list[Organization]:
    """The enterprises the user may file for: its own, or every enterprise for a broker."""
    session = state.session()
    if demands.has_site_role(session, user, SiteRoleKind.BROKER):
        return list(
            session.scalars(
                select(Organization)
                .where(Organization.kind == OrganizationKind.ENTERPRISE.value)
                .order_by(Organization.name)
            )
        )
    return [o for o in demands.organizations_of(session, user.id) if o.kind == OrganizationKind.ENTERPRISE.value]


def attachments_of(demand: Demand, *, all_files: bool) -> list[DemandAttachment]:
    """The demand's attachments: all of them, or only those marked public."""
    statement = select(DemandAttachment).where(DemandAttachment.demand_id == demand.id)
    if not all_files:
        statement = statement.where(DemandAttachment.public)
    return list(state.session().scalars(statement.order_by(DemandAttachment.id)))


def _query_from_args() -> tuple[demands.DemandQuery, Problems]:
    args = request.args
    problems: Problems = []
    budget: int | None = None
    raw_budget = args.get("budget", "").strip().replace(",", "")
    if raw_budget:
        try:
            budget = int(raw_budget)
        except ValueError:
            problems.append(("budget", "enter an amount in yuan as a whole number, e.g. 500000", {}))
    after: datetime | None = None
    raw_after = args.get("after", "").strip()
    if raw_after:
        try:
            after = datetime.combine(date.fromisoformat(raw_after), datetime.min.time(), tzinfo=UTC)
        except ValueError:
            problems.append(("after", "enter a date like 2027-06-30", {}))
    field = args.get("field", "")
    page = args.get("page", "1")
    query = demands.DemandQuery(
        words=args.get("q", "")[:200],
        field=field if field in demands.FIELDS else "",
        budget_at_least=budget,
        deadline_after=after,
        open_only=args.get("open") == "on",
        page=int(page) if page.isdigit() and 0 < int(page) < 100000 else 1,
        per_page=PER_PAGE,
    )
    return query, problems


@bp.route("/demands")
def index() -> Outcome:
    """The published demands, searched by words, field, minimum budget and deadline, one page at a time."""
    query, problems = _query_from_args()
    rows, total = demands.search(state.session(), query)
    user = page_user()
    page = render_template(
        "demands/list.html",
        rows=rows,
        total=total,
        query=query,
        pages=max(1, math.ceil(total / PER_PAGE)),
        args=request.args,
        problems=field_messages(problems),
        fields=demands.FIELDS,
        is_reviewer=demands.is_reviewer(state.session(), user),
    )
    return (page, 400) if problems else page


def _detail(demand_id: int, problems: Problems | None = None, typed: dict[str, str] | None = None) -> Outcome:
    session = state.session()
    user = page_user()
    demand = demands.visible_demand(session, user, demand_id)
    details = demands.may_read_details(session, user, demand)
    sponsor = demands.is_sponsor_of(session, user, demand)
    reviewer = demands.is_reviewer(session, user)
    events = demands.history(session, demand.id) if sponsor or reviewer else []
    actors = {e.actor_id: session.get(User, e.actor_id) for e in events if e.actor_id is not None}
    challenge = session.get(Challenge, demand.challenge_id) if demand.challenge_id else None
    page = render_template(
        "demands/detail.html",
        demand=demand,
        organization=session.get(Organization, demand.sponsor_id),
        details=details,
        is_sponsor=sponsor,
        is_reviewer=reviewer,
        events=events,
        actors={key: value.username for key, value in actors.items() if value is not None},
        attachments=attachments_of(demand, all_files=details),
        challenge=challenge,
        fields=demands.FIELDS,
        problems=field_messages(problems or []),
        typed=typed or {},
    )
    return (page, 400) if problems else page


@bp.route("/demands/<id:demand_id>")
def detail(demand_id: int) -> Outcome:
    """A demand's page: its public summary, and its details for those who may read them."""
    return _detail(demand_id)


@bp.get("/demands/<id:demand_id>/attachments/<id:attachment_id>")
def attachment(demand_id: int, attachment_id: int) -> Response:
    """Download an attachment: public ones for whoever sees the demand, others for those who read its details."""
    session = state.session()
    user = page_user()
    demand = demands.visible_demand(session, user, demand_id)
    row = session.get(DemandAttachment, attachment_id)
    if row is None or row.demand_id != demand.id:
        abort(404)
    if not (row.public or demands.may_read_details(session, user, demand)):
        abort(404)
    response = Response(state.store().read_bytes(row.sha256), mimetype=row.content_type)
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(row.name)}"
    return response


@bp.post("/demands/<id:demand_id>/terms")
def accept(demand_id: int) -> Outcome:
    """A signed-in user accepts a confidential demand's terms and may then read its details."""
    user = required(page_user())
    session = state.session()
    demands.accept_terms(session, user, demand_id)
    session.commit()
    flash(gettext("You accepted the terms; the demand's details are shown below."), "success")
    return redirect(url_for("demands.detail", demand_id=demand_id))


@bp.post("/demands/<id:demand_id>/withdraw")
def withdraw(demand_id: int) -> Outcome:
    """The sponsor withdraws its demand, saying why."""
    user = required(page_user())
    session = state.session()
    reason = request.form.get("reason", "")
    try:
        demands.withdraw_demand(session, user, demand_id, reason)
        session.commit()
    except InvalidInput as error:
        session.rollback()
        return _detail(demand_id, problems_of(error, "reason"), {"reason": reason})
    flash(gettext("The demand was withdrawn."), "success")
    return redirect(url_for("demands.detail", demand_id=demand_id))


@bp.route("/demands/organizations/new", methods=["GET", "POST"])
def new_organization() -> Outcome:
    """Register an enterprise that files demands, with its contact."""
    user = required(page_user())
    typed = {k: request.form.get(k, "") for k in ("name", "region", "contact_name", "contact_email", "contact_phone")}
    if request.method == "GET":
        return render_template("demands/organization.html", typed=typed, problems={})
    session = state.session()
    try:
        organization = demands.create_organization(session, user, dict(typed, kind=OrganizationKind.ENTERPRISE.value))
        session.commit()
    except ArenaError as error:
        session.rollback()
        shown = field_messages(problems_of(error))
        return render_template("demands/organization.html", typed=typed, problems=shown), status_for(error)
    flash(gettext("%(name)s is registered; you can file its demands now.", name=organization.name), "success")
    return redirect(url_for("demands.new"))


@bp.route("/demands/mine")
def mine() -> Outcome:
    """The demands of the organizations the user acts for, and those the user filed as a broker."""
    user = required(page_user())
    session = state.session()
    organizations = demands.organizations_of(session, user.id)
    rows = session.scalars(
        select(Demand)
        .where(or_(Demand.sponsor_id.in_([o.id for o in organizations]), Demand.broker_id == user.id))
        .order_by(Demand.updated_at.desc(), Demand.id.desc())
    )
    names = {o.id: o.name for o in session.scalars(select(Organization))}
    return render_template(
        "demands/mine.html",
        rows=list(rows),
        organizations=organizations,
        names=names,
        fields=demands.FIELDS,
        can_file=bool(sponsor_choices(user)),
    )


def _form(
    demand: Demand | None, values: dict[str, str], problems: Problems, sponsors: list[Organization], status: int = 200
) -> tuple[str, int]:
    page = render_template(
        "demands/form.html",
        demand=demand,
        values=values,
        problems=field_messages(problems),
        sponsors=sponsors,
        fields=demands.FIELDS,
        attachments=attachments_of(demand, all_files=True) if demand is not None else [],
    )
    return page, status


def _typed() -> dict[str, str]:
    values = {name: request.form.get(name, "") for name in FORM_FIELDS}
    # The form sends an empty hidden value before the checkbox, so an unticked box clears the flag.
    values["confidential"] = "on" if "on" in request.form.getlist("confidential") else ""
    return values


def _attach(demand: Demand, user: User) -> Problems:
    upload = request.files.get("attachment")
    if upload is None or not upload.filename:
        return []
    session = state.session()
    try:
        demands.add_attachment(
            session,
            state.store(),
            user,
            demand.id,
            upload.filename,
            cast(BinaryIO, upload.stream),
            public=request.form.get("attachment_public") == "on",
        )
    except (InvalidInput, FileTooLarge) as error:
        return problems_of(error, "attachment")
    return []


def _save(user: User, demand_id: int | None) -> Outcome:
    """Save the draft as typed, attach a file, and submit it when asked; each problem goes next to its field."""
    session = state.session()
    typed = _typed()
    sponsors = sponsor_choices(user)
    sponsor_id = request.form.get("sponsor_id", "")
    try:
        saved = demands.save_draft(
            session,
            user,
            typed,
            sponsor_id=int(sponsor_id) if sponsor_id.isdigit() else None,
            demand_id=demand_id,
            now=state.now(),
        )
        problems = saved.problems + _attach(saved.demand, user)
        session.commit()
    except ArenaError as error:
        session.rollback()
        if demand_id is not None and not isinstance(error, InvalidInput):
            raise
        demand = session.get(Demand, demand_id) if demand_id is not None else None
        return _form(demand, typed, problems_of(error, "sponsor_id"), sponsors, status_for(error))
    demand = saved.demand
    if not problems and request.form.get("action") == "submit":
        try:
            demands.submit_demand(session, user, demand.id, now=state.now())
            session.commit()
        except FormErrors as error:
            session.rollback()
            problems = list(error.problems)
        else:
            flash(gettext("The demand was sent to the reviewers."), "success")
            return redirect(url_for("demands.detail", demand_id=demand.id))
    if problems:
        flash(gettext("The draft was saved; fix the fields marked below."), "error")
        return _form(demand, typed, problems, sponsors, 400)
    flash(gettext("The draft was saved."), "success")
    return redirect(url_for("demands.edit", demand_id=demand.id))


@bp.route("/demands/new", methods=["GET", "POST"])
def new() -> Outcome:
    """The form of a new demand; an enterprise's member or a broker saves it as a draft."""
    user = required(page_user())
    sponsors = sponsor_choices(user)
    if request.method == "POST":
        return _save(user, None)
    return _form(None, form_values(None), [], sponsors)


@bp.route("/demands/<id:demand_id>/edit", methods=["GET", "POST"])
def edit(demand_id: int) -> Outcome:
    """The sponsor's form of a draft (or of a demand sent back for changes)."""
    user = required(page_user())
    session = state.session()
    demand = demands.visible_demand(session, user, demand_id)
    if not demands.is_sponsor_of(session, user, demand):
        abort(404)
    if not DemandStatus(demand.status).sponsor_edits:
        flash(localized(InvalidInput("the demand can be changed only as a draft or when changes were requested")))
        return redirect(url_for("demands.detail", demand_id=demand.id))
    if request.method == "POST":
        return _save(user, demand.id)
    return _form(demand, form_values(demand), [], sponsor_choices(user))
