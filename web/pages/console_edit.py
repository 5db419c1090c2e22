"""Editing a challenge in the organizer console: its pages (with a preview), a phase's settings, a track's scorer
options. Refused input is shown again as typed, with the importer's problems under the fields they concern."""
# mypy: allow-untyped-decorators

from __future__ import annotations

from datetime import datetime
from typing import Any

import yaml
from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response

from arena import challenges as challenge_service
from arena import publishing
from arena.errors import ArenaError, BundleError, NotFound
from arena.models import Challenge, Phase, Track
from web import state
from web.errors import status_for
from web.i18n import localized
from web.markdown import render_markdown
from web.pages.console_data import managed
from web.pages.track_forms import local_moment, typed_number, viewer_zone
from web.times import viewer_zone_name

bp = Blueprint("console_edit", __name__)
Outcome = Response | tuple[str, int]
Problems = list[tuple[str, str]]
LANGS = ("en", "zh")
PAGES = ("description", "rules", "data")
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
NUMBERS = {"daily_quota": int, "total_quota": int, "final_selection_max": int, "public_fraction": float}
TIMES = ("opens", "closes", "freeze_at")


def _(message: str, **params: Any) -> str:
    """The message in the viewer's language."""
    return str(gettext(message, **params))


def _problems_of(error: ArenaError) -> Problems:
    return list(error.problems) if isinstance(error, BundleError) else [(error.field or "", localized(error))]


def _by_field(problems: Problems) -> dict[str, list[str]]:
    shown: dict[str, list[str]] = {}
    for field, message in problems:
        shown.setdefault(field, []).append(message)
    return shown


# Texts


def _typed_texts(challenge: Challenge) -> dict[str, str]:
    text = challenge.text or {}
    return {f"{page}_{lang}": text.get(page, {}).get(lang, "") for page in PAGES for lang in LANGS}


def _render_texts(challenge: Challenge, typed: dict[str, str], problems: Problems, status: int) -> tuple[str, int]:
    by_input = {_text_input(key): value for key, value in _by_field(problems).items()}
    page = render_template(
        "console/texts.html",
        challenge=challenge,
        typed=typed,
        problems=problems,
        by_input=by_input,
        pages=PAGES,
        langs=LANGS,
        limit_kb=publishing.MAX_TEXT_KB,
    )
    return page, status


@bp.route("/c/<slug>/manage/texts")
def texts(slug: str) -> str:
    """The description, rules and data pages in both languages, each with a preview."""
    challenge, _user = managed(slug)
    return _render_texts(challenge, _typed_texts(challenge), [], 200)[0]


@bp.post("/c/<slug>/manage/texts")
def save_texts(slug: str) -> Outcome:
    """Save the pages; a refused save shows what was typed and every problem."""
    challenge, user = managed(slug)
    typed, pages = _typed_pages()
    session = state.session()
    try:
        changed = publishing.update_texts(session, challenge, pages, actor_id=user.id)
        session.commit()
    except ArenaError as error:
        session.rollback()
        fresh = challenge_service.get_challenge(session, slug)
        return _render_texts(fresh, typed, _problems_of(error), status_for(error))
    flash(_("Saved the pages.") if changed else _("Nothing changed."), "success")
    return redirect(url_for("console_edit.texts", slug=slug))


def _typed_pages() -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    typed = {f"{page}_{lang}": request.form.get(f"{page}_{lang}", "") for page in PAGES for lang in LANGS}
    return typed, {page: {lang: typed[f"{page}_{lang}"] for lang in LANGS} for page in PAGES}


def _text_input(field: str) -> str:
    return field.removeprefix("text.").replace(".", "_")


@bp.post("/c/<slug>/manage/texts/check")
def check_texts(slug: str) -> Response:
    """The importer's problems with the typed pages, each with the text box it concerns (the live check)."""
    managed(slug)
    problems = publishing.text_problems(_typed_pages()[1])
    return jsonify({"problems": [{"field": f, "input": _text_input(f), "message": m} for f, m in problems]})


@bp.post("/c/<slug>/manage/texts/preview")
def preview(slug: str) -> Response:
    """Render Markdown exactly as the challenge page will (the page's preview script asks for it)."""
    managed(slug)
    return jsonify({"html": str(render_markdown(request.form.get("source", "")))})


# Phases


def _phase_of(challenge: Challenge, phase_id: int) -> Phase:
    phase = state.session().get(Phase, phase_id)
    if phase is None or phase.track.challenge_id != challenge.id:
        raise NotFound("no phase %(id)s", params={"id": phase_id})
    return phase


def _local(moment: datetime | None) -> str:
    return moment.astimezone(viewer_zone()).strftime(LOCAL_FORMAT) if moment else ""


def _typed_phase(phase: Phase) -> dict[str, str]:
    typed = {key: _local(getattr(phase, publishing.COLUMNS.get(key, key))) for key in TIMES}
    for key in NUMBERS:
        value = getattr(phase, key)
        typed[key] = "" if value is None else str(value)
    typed["split_seed"] = phase.split_seed
    typed["use_ladder"] = "on" if phase.use_ladder else ""
    return typed


def phase_changes(phase: Phase, form: dict[str, str]) -> dict[str, Any]:
    """The phase form's fields as bundle values (times from the viewer's zone; empty optional fields cleared).

    A time left as the form showed it keeps its seconds: the form shows minutes only.
    """
    changes: dict[str, Any] = {}
    for key in TIMES:
        current = getattr(phase, publishing.COLUMNS.get(key, key))
        typed = form.get(key, "").strip()
        changes[key] = current if current is not None and typed == _local(current) else local_moment(typed)
    changes.update({key: typed_number(form.get(key, ""), kind) for key, kind in NUMBERS.items()})
    changes["split_seed"] = form.get("split_seed", "").strip() or None
    changes["use_ladder"] = form.get("use_ladder") == "on"
    return changes


def _render_phase(phase: Phase, typed: dict[str, str], problems: Problems, status: int) -> tuple[str, int]:
    now = state.now()
    page = render_template(
        "console/phase_edit.html",
        challenge=phase.track.challenge,
        phase=phase,
        typed=typed,
        problems=problems,
        by_input=_by_field(problems),
        zone=viewer_zone_name(),
        started=now >= phase.opens_at,
        is_open=phase.is_open(now),
    )
    return page, status


@bp.route("/c/<slug>/manage/phases")
def phases(slug: str) -> str:
    """Every track and phase, with links to edit a phase's settings and a track's scorer options."""
    challenge, _user = managed(slug)
    return render_template("console/settings.html", challenge=challenge, now=state.now())


@bp.route("/c/<slug>/manage/phases/<id:phase_id>")
def phase(slug: str, phase_id: int) -> str:
    """A phase's window, quotas, split, freeze, selection and Ladder, as a form."""
    challenge, _user = managed(slug)
    found = _phase_of(challenge, phase_id)
    return _render_phase(found, _typed_phase(found), [], 200)[0]


@bp.post("/c/<slug>/manage/phases/<id:phase_id>")
def save_phase(slug: str, phase_id: int) -> Outcome:
    """Check and apply the phase's settings; unfair changes to a running phase need a reason."""
    challenge, user = managed(slug)
    found = _phase_of(challenge, phase_id)
    typed = {key: request.form.get(key, "") for key in (*TIMES, *NUMBERS, "split_seed", "use_ladder", "reason")}
    session = state.session()
    try:
        done = publishing.edit_phase(
            session,
            state.settings(),
            state.store(),
            found,
            phase_changes(found, typed),
            actor_id=user.id,
            reason=typed["reason"],
            now=state.now(),
        )
    except ArenaError as error:
        session.rollback()
        return _render_phase(_phase_of(challenge, phase_id), typed, _problems_of(error), status_for(error))
    if not done.changed:
        flash(_("Nothing changed."), "success")
    elif done.rescore_run_id is not None:
        flash(_("Saved the phase's settings; participants were told and a rescore started."), "success")
    elif done.unfair:
        flash(_("Saved the phase's settings; participants were told."), "success")
    else:
        flash(_("Saved the phase's settings."), "success")
    return redirect(url_for("console_edit.phase", slug=slug, phase_id=phase_id))


@bp.post("/c/<slug>/manage/phases/<id:phase_id>/check")
def check_phase(slug: str, phase_id: int) -> Response:
    """The importer's problems with the typed settings and the unfair changes among them (the live check)."""
    challenge, _user = managed(slug)
    found = _phase_of(challenge, phase_id)
    typed = {key: request.form.get(key, "") for key in (*TIMES, *NUMBERS, "split_seed", "use_ladder")}
    settings, problems = publishing.check_phase(found, phase_changes(found, typed))
    session = state.session()
    unfair = publishing.unfair_changes(session, found, settings, state.now()) if settings and not problems else []
    return jsonify({"problems": [{"field": f, "message": m} for f, m in problems], "unfair": unfair})


# Scorer options


def _track_of(challenge: Challenge, track_id: int) -> Track:
    track = state.session().get(Track, track_id)
    if track is None or track.challenge_id != challenge.id:
        raise NotFound("no track %(id)s", params={"id": track_id})
    return track


def _options_text(options: dict[str, Any]) -> str:
    return yaml.safe_dump(options, allow_unicode=True, sort_keys=True) if options else ""


def _render_scorer(track: Track, typed: dict[str, str], problems: Problems, status: int) -> tuple[str, int]:
    page = render_template(
        "console/scorer.html",
        challenge=track.challenge,
        track=track,
        typed=typed,
        problems=problems,
        by_input=_by_field(problems),
        started=any(state.now() >= p.opens_at for p in track.phases),
    )
    return page, status


@bp.route("/c/<slug>/manage/tracks/<id:track_id>/scorer")
def scorer(slug: str, track_id: int) -> str:
    """A track's scorer options, as YAML, checked by the scorer itself."""
    challenge, _user = managed(slug)
    track = _track_of(challenge, track_id)
    return _render_scorer(track, {"scorer_options": _options_text(track.scorer_options)}, [], 200)[0]


@bp.post("/c/<slug>/manage/tracks/<id:track_id>/scorer")
def save_scorer(slug: str, track_id: int) -> Outcome:
    """Check and apply new scorer options; a change rescores the phases with submissions."""
    challenge, user = managed(slug)
    track = _track_of(challenge, track_id)
    typed = {key: request.form.get(key, "") for key in ("scorer_options", "reason")}
    session = state.session()
    try:
        done = publishing.edit_options(session, state.settings(), track, typed["scorer_options"], actor_id=user.id,
                                       reason=typed["reason"], now=state.now())  # fmt: skip
    except ArenaError as error:
        session.rollback()
        return _render_scorer(_track_of(challenge, track_id), typed, _problems_of(error), status_for(error))
    if done.before == done.after:
        flash(_("Nothing changed."), "success")
    elif done.rescore_run_ids:
        flash(_("Saved the scorer options; a rescore started."), "success")
    else:
        flash(_("Saved the scorer options."), "success")
    return redirect(url_for("console_edit.scorer", slug=slug, track_id=track_id))


@bp.post("/c/<slug>/manage/tracks/<id:track_id>/scorer/check")
def check_scorer(slug: str, track_id: int) -> Response:
    """The scorer's problems with the typed options, as the importer reports them (the live check)."""
    challenge, _user = managed(slug)
    track = _track_of(challenge, track_id)
    try:
        problems = publishing.options_problems(track, publishing.parse_options(request.form.get("scorer_options", "")))
    except BundleError as error:
        problems = list(error.problems)
    return jsonify({"problems": [{"field": f, "input": f, "message": m} for f, m in problems]})
