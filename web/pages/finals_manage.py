"""The organizer's page of a final: settings, formula, rubric, sealed test sets, lifecycle and the preview."""
# mypy: allow-untyped-decorators

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, BinaryIO, cast

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import login_required
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from arena import finals
from arena.errors import ArenaError, InvalidInput, NotFound
from arena.models import Appeal, Challenge, Final, Finalist, Phase, Team, User
from arena.permissions import Action, require
from web import state
from web.auth.identity import page_user, required
from web.errors import status_for
from web.i18n import localized
from web.lookups import challenge_context
from web.pages.finals import final_of
from web.pages.team_forms import ConfirmForm


def _(message: str, **params: Any) -> str:
    """The message in the viewer's language."""
    return str(gettext(message, **params))


bp = Blueprint("finals_manage", __name__)
Outcome = Response | tuple[str, int]
STEPS: dict[str, Callable[[Session, User, int], Any]] = {
    "announce": finals.announce_final,
    "open": finals.open_scoring,
    "lock": finals.lock_final,
    "reveal": finals.reveal_final,
}


def managed_final(slug: str) -> tuple[Final | None, Challenge]:
    """The challenge's final (or None) and the challenge; NotFound unless the caller manages the challenge."""
    context = challenge_context(slug, page_user())
    require(context.actor, Action.MANAGE_FINAL, hide=True)
    return final_of(context.challenge.id), context.challenge


def _panel(session: Session, user: User, final: Final, challenge: Challenge) -> dict[str, Any]:
    rows = session.scalars(select(Finalist).where(Finalist.final_id == final.id).order_by(Finalist.position))
    finalists = list(rows)
    teams = {t.id: t for t in session.scalars(select(Team).where(Team.id.in_([f.team_id for f in finalists])))}
    codes = {f.id: f"F{i} {teams[f.team_id].name}" for i, f in enumerate(finalists, start=1)}
    try:
        preview: finals.Preview | None = finals.preview_ranking(session, user, final.id)
        preview_error = ""
    except ArenaError as error:
        preview, preview_error = None, localized(error)
    progress = finals.progress(session, user, final.id)
    names = {p.judge_id: p.username for p in progress}
    appeal_rows = finals.appeals(session, user, final.id)
    return {
        "finalists": [(f, teams[f.team_id], finals.eligibility(session, f)) for f in finalists],
        "codes": codes,
        "criteria": finals.rubric(session, final.id),
        "template": finals.rubric_template(),
        "progress": progress,
        "judge_names": names,
        "conflicts": finals.conflicts(session, user, final.id),
        "preview": preview,
        "preview_error": preview_error,
        "appeals": [(a, codes.get(a.finalist_id, "")) for a in appeal_rows],
        "phases": _phases(challenge),
        "sealed": {row.phase_id: row for row in finals.sealed_sets(session, final.id)},
    }


def _phases(challenge: Challenge) -> list[Phase]:
    return [phase for track in challenge.tracks for phase in track.phases]


def render_manage(slug: str, status: int = 200) -> tuple[str, int]:
    """Render the organizer's page of the final (or the form that creates one)."""
    final, challenge = managed_final(slug)
    session, user = state.session(), required(page_user())
    data = _panel(session, user, final, challenge) if final is not None else {"phases": _phases(challenge)}
    form = ConfirmForm()
    page = render_template("finals/manage.html", challenge=challenge, final=final, form=form, **data)
    return page, status


Work = Callable[[Session, User, Final | None, Challenge], str]


def act(slug: str, work: Work) -> Outcome:
    """Check the CSRF token, do ``work`` through the finals services and commit; show the page again on a refusal."""
    final, challenge = managed_final(slug)
    session, user = state.session(), required(page_user())
    try:
        if not ConfirmForm().validate_on_submit():
            raise InvalidInput("the form is incomplete")
        message = work(session, user, final, challenge)
        session.commit()
    except ArenaError as error:
        session.rollback()
        flash(localized(error), "error")
        return render_manage(slug, status_for(error))
    flash(message, "success")
    return redirect(url_for("finals_manage.manage", slug=slug))


def need(final: Final | None) -> Final:
    """The final, or NotFound when the challenge has none yet."""
    if final is None:
        raise NotFound("this challenge has no final yet")
    return final


def form_time(name: str) -> datetime | None:
    """A time from a ``datetime-local`` field, read as UTC; blank is None."""
    raw = request.form.get(name, "").strip()
    if not raw:
        return None
    try:
        return datetime.fromisoformat(raw).replace(tzinfo=UTC)
    except ValueError:
        raise InvalidInput(
            "%(field)s must be a time like 2027-03-20T09:30", field=name, params={"field": name}
        ) from None


def form_number(name: str, kind: type[int] | type[float]) -> int | float:
    """A number from the form, or InvalidInput naming the field."""
    try:
        return kind(request.form.get(name, "").strip())
    except ValueError:
        raise InvalidInput("%(field)s must be a number", field=name, params={"field": name}) from None


def form_formula() -> dict[str, Any]:
    """The formula from its JSON field."""
    try:
        value = json.loads(request.form.get("formula", ""))
    except ValueError:
        raise InvalidInput("the formula must be JSON, like the example", field="formula") from None
    if not isinstance(value, dict):
        raise InvalidInput("the formula must be a mapping", field="formula")
    return value


@bp.route("/c/<slug>/final/manage")
@login_required
def manage(slug: str) -> tuple[str, int]:
    """The organizer's page of the final."""
    return render_manage(slug)


@bp.route("/c/<slug>/final/manage/formula-check", methods=["POST"])
@login_required
def formula_check(slug: str) -> Response:
    """Check a formula as it is typed: the finals domain's own message, in the viewer's language."""
    managed_final(slug)
    try:
        finals.parse_formula(form_formula())
    except ArenaError as error:
        return jsonify(ok=False, message=localized(error), field=error.field)
    return jsonify(ok=True, message=_("The formula is valid."), field=None)


def _settings(session: Session, user: User, final: Final | None, challenge: Challenge) -> str:
    fields: dict[str, Any] = {
        "title": {"en": request.form.get("title_en", ""), "zh": request.form.get("title_zh", "")},
        "materials_due_at": form_time("materials_due_at"),
        "pitch_at": form_time("pitch_at"),
        "appeal_deadline": form_time("appeal_deadline"),
        "venue": request.form.get("venue", ""),
        "source_phase_ids": [int(v) for v in request.form.getlist("source_phase_ids") if v.isdigit()],
        "aggregation": request.form.get("aggregation", "mean"),
        "trim_min_judges": form_number("trim_min_judges", int),
        "missing_rule": request.form.get("missing_rule", "exclude"),
        "blind": request.form.get("blind") == "on",
        "tolerance": form_number("tolerance", float),
        "formula": form_formula(),
    }
    if final is None:
        finals.create_final(session, user, challenge, fields.pop("title"), **fields)
        return _("The final is created as a draft.")
    finals.update_final(session, user, final.id, reason=request.form.get("reason", ""), **fields)
    return _("The final's settings are saved.")


@bp.route("/c/<slug>/final/manage/settings", methods=["POST"])
@login_required
def settings(slug: str) -> Outcome:
    """Create the final or save its settings and formula (a rule change after naming needs a reason)."""
    return act(slug, _settings)


def _rubric(session: Session, user: User, final: Final | None, challenge: Challenge) -> str:
    if request.form.get("template"):
        finals.set_rubric(session, user, need(final).id, finals.rubric_template())
        return _("The rubric is set from the template.")
    criteria: list[dict[str, Any]] = []
    form = request.form
    for i, name_en in enumerate(form.getlist("name_en")):
        name_zh = form.getlist("name_zh")[i]
        if not name_en.strip() and not name_zh.strip():
            continue
        criterion: dict[str, Any] = {"name": {"en": name_en, "zh": name_zh}}
        criterion["description"] = {"en": form.getlist("description_en")[i], "zh": form.getlist("description_zh")[i]}
        for key in ("weight", "min", "max", "step"):
            raw = form.getlist(key)[i].strip()
            try:
                criterion[key] = float(raw)
            except ValueError:
                field = f"rubric[{len(criteria)}].{key}"
                raise InvalidInput("%(field)s must be a number", field=field, params={"field": field}) from None
        criteria.append(criterion)
    finals.set_rubric(session, user, need(final).id, criteria)
    return _("The rubric is saved.")


@bp.route("/c/<slug>/final/manage/rubric", methods=["POST"])
@login_required
def rubric(slug: str) -> Outcome:
    """Replace the rubric (until scoring opens), from the form or from the template."""
    return act(slug, _rubric)


@bp.route("/c/<slug>/final/manage/step/<step>", methods=["POST"])
@login_required
def step(slug: str, step: str) -> Outcome:
    """Announce, open scoring, lock or reveal the final."""

    def work(session: Session, user: User, final: Final | None, challenge: Challenge) -> str:
        if step not in STEPS:
            raise NotFound("no step %(name)s", params={"name": step})
        STEPS[step](session, user, need(final).id)
        return _("Done: the final moved on to its next step.")

    return act(slug, work)


@bp.route("/c/<slug>/final/manage/unlock", methods=["POST"])
@login_required
def unlock(slug: str) -> Outcome:
    """Reopen scoring of a locked final, with a reason on the record."""

    def work(session: Session, user: User, final: Final | None, challenge: Challenge) -> str:
        finals.unlock_final(session, user, need(final).id, request.form.get("reason", ""))
        return _("The final is unlocked; judges may score again.")

    return act(slug, work)


@bp.route("/c/<slug>/final/manage/appeals/<id:appeal_id>", methods=["POST"])
@login_required
def answer(slug: str, appeal_id: int) -> Outcome:
    """Answer a finalist's appeal on the record."""

    def work(session: Session, user: User, final: Final | None, challenge: Challenge) -> str:
        appeal = session.get(Appeal, appeal_id)
        finalist = session.get(Finalist, appeal.finalist_id) if appeal else None
        if finalist is None or finalist.final_id != need(final).id:
            raise NotFound("no appeal %(id)s", params={"id": appeal_id})
        finals.answer_appeal(session, user, appeal_id, request.form.get("answer", ""))
        return _("The appeal is answered.")

    return act(slug, work)


@bp.route("/c/<slug>/final/manage/sealed", methods=["POST"])
@login_required
def sealed(slug: str) -> Outcome:
    """Provide (or replace) a source phase's sealed final test set: an archive of its inputs and its key."""
    inputs, labels = request.files.get("inputs"), request.files.get("labels")

    def work(session: Session, user: User, final: Final | None, challenge: Challenge) -> str:
        phase_id = form_number("phase_id", int)
        if inputs is None or not inputs.filename:
            raise InvalidInput("choose the archive of the sealed inputs (zip or tar.gz)", field="inputs")
        if labels is None or not labels.filename:
            raise InvalidInput("choose the sealed key (a CSV file)", field="labels")
        row = finals.upload_sealed_set(
            session,
            state.store(),
            user,
            need(final).id,
            int(phase_id),
            cast(BinaryIO, inputs.stream),
            cast(BinaryIO, labels.stream),
        )
        return _("The sealed test set is stored: %(cases)s cases.", cases=row.cases)

    return act(slug, work)


@bp.route("/c/<slug>/final/manage/sealed/<id:phase_id>/remove", methods=["POST"])
@login_required
def remove_sealed(slug: str, phase_id: int) -> Outcome:
    """Remove a source phase's sealed test set; reproduction uses the phase's own hidden data again."""

    def work(session: Session, user: User, final: Final | None, challenge: Challenge) -> str:
        finals.remove_sealed_set(session, user, need(final).id, phase_id)
        return _("The sealed test set is removed.")

    return act(slug, work)
