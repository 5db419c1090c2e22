"""The organizer console's tracks and phases: edit a track's fields, add a track or a phase, remove one.

Refused input is shown again as typed, with the importer's problems beside the fields; each form has a live
check (``…/check``) answering with the same problems as JSON.
"""
# mypy: allow-untyped-decorators

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response

import scorers
from arena import publishing
from arena.challenges import PROGRAM_SCORER
from arena.errors import ArenaError, BundleError, InvalidInput, NotFound
from arena.models import Challenge, Phase, Track
from web import state
from web.errors import status_for
from web.i18n import localized
from web.pages.console_data import managed
from web.pages.track_forms import (
    NEW_TRACK_INPUTS,
    PHASE_INPUTS,
    TRACK_INPUTS,
    Problems,
    input_for,
    new_track_entry,
    phase_entry,
    track_changes,
    typed_track,
)
from web.times import viewer_zone_name

bp = Blueprint("console_tracks", __name__)
Outcome = Response | tuple[str, int]


def _(message: str, **params: Any) -> str:
    """The message in the viewer's language."""
    return str(gettext(message, **params))


def _problems_of(error: ArenaError) -> Problems:
    return list(error.problems) if isinstance(error, BundleError) else [(error.field or "", localized(error))]


def _by_input(problems: Problems) -> dict[str, list[str]]:
    shown: dict[str, list[str]] = {}
    for field, message in problems:
        shown.setdefault(input_for(field), []).append(message)
    return shown


def _answer(problems: Problems, **more: Any) -> Response:
    listed = [{"field": f, "message": m, "input": input_for(f)} for f, m in problems]
    return jsonify({"problems": listed, **more})


def _track_of(challenge: Challenge, track_id: int) -> Track:
    track = state.session().get(Track, track_id)
    if track is None or track.challenge_id != challenge.id:
        raise NotFound("no track %(id)s", params={"id": track_id})
    return track


def _phase_of(challenge: Challenge, phase_id: int) -> Phase:
    phase = state.session().get(Phase, phase_id)
    if phase is None or phase.track.challenge_id != challenge.id:
        raise NotFound("no phase %(id)s", params={"id": phase_id})
    return phase


# The list


@bp.route("/c/<slug>/manage/tracks")
def tracks(slug: str) -> str:
    """Every track with its phases, with the forms that edit, add and remove them."""
    challenge, _user = managed(slug)
    session = state.session()
    counts = {track.id: publishing.submission_count(session, track) for track in challenge.tracks}
    phase_counts = {
        phase.id: publishing.submission_count(session, t, phase) for t in challenge.tracks for phase in t.phases
    }
    return render_template(
        "console/tracks.html", challenge=challenge, counts=counts, phase_counts=phase_counts, now=state.now()
    )


# A track's fields


def _scorer_choices(track: Track | None) -> list[str]:
    names = scorers.scorer_names()
    return [*names, PROGRAM_SCORER] if track is not None and track.scorer == PROGRAM_SCORER else names


def _render_track(
    challenge: Challenge, track: Track | None, typed: dict[str, str], problems: Problems, status: int
) -> tuple[str, int]:
    started = track is not None and any(state.now() >= p.opens_at for p in track.phases)
    page = render_template(
        "console/track_form.html",
        challenge=challenge,
        track=track,
        typed=typed,
        problems=problems,
        by_input=_by_input(problems),
        scorer_choices=_scorer_choices(track),
        started=started,
        locked_kind=track is not None and publishing.submission_count(state.session(), track) > 0,
    )
    return page, status


def _typed(names: tuple[str, ...]) -> dict[str, str]:
    return {name: request.form.get(name, "") for name in names}


@bp.route("/c/<slug>/manage/tracks/<id:track_id>")
def track(slug: str, track_id: int) -> str:
    """A track's titles, kind, scorer and options, columns and declared targets, as a form."""
    challenge, _user = managed(slug)
    found = _track_of(challenge, track_id)
    return _render_track(challenge, found, typed_track(found), [], 200)[0]


@bp.post("/c/<slug>/manage/tracks/<id:track_id>")
def save_track(slug: str, track_id: int) -> Outcome:
    """Check and apply the track's fields; a scoring change after opening needs a reason and rescores."""
    challenge, user = managed(slug)
    found = _track_of(challenge, track_id)
    typed = _typed(TRACK_INPUTS)
    session = state.session()
    try:
        done = publishing.edit_track(session, state.settings(), state.store(), found, track_changes(typed),
                                     actor_id=user.id, reason=typed["reason"], now=state.now())  # fmt: skip
    except ArenaError as error:
        session.rollback()
        fresh = _track_of(challenge, track_id)
        return _render_track(fresh.challenge, fresh, typed, _problems_of(error), status_for(error))
    if not done.changed:
        flash(_("Nothing changed."), "success")
    elif done.rescore_run_ids:
        flash(_("Saved the track; participants were told and a rescore started."), "success")
    else:
        flash(_("Saved the track."), "success")
    return redirect(url_for("console_tracks.track", slug=slug, track_id=track_id))


@bp.post("/c/<slug>/manage/tracks/<id:track_id>/check")
def check_track(slug: str, track_id: int) -> Response:
    """The importer's problems with the typed fields, and whether the change needs a reason (the live check)."""
    challenge, _user = managed(slug)
    found = _track_of(challenge, track_id)
    try:
        changes = track_changes(_typed(TRACK_INPUTS))
    except BundleError as error:
        return _answer(list(error.problems), scoring=[])
    session = state.session()
    fields, problems = publishing.check_track(session, state.store(), found, changes)
    scoring: list[str] = []
    if fields is not None and any(state.now() >= p.opens_at for p in found.phases):
        scoring = publishing.scoring_changes(found, fields)
    return _answer(problems, scoring=scoring)


# A new track


@bp.route("/c/<slug>/manage/tracks/new")
def new_track(slug: str) -> str:
    """The form that adds a result track (its phases are added next)."""
    challenge, _user = managed(slug)
    typed = {"scorer": "accuracy", "id_column": "id", "target_columns": "label"}
    return _render_track(challenge, None, typed, [], 200)[0]


@bp.post("/c/<slug>/manage/tracks/new")
def add_track(slug: str) -> Outcome:
    """Check and add the track; a refused one shows the form again as typed."""
    challenge, user = managed(slug)
    typed = _typed(NEW_TRACK_INPUTS)
    session = state.session()
    try:
        added = publishing.add_track(session, state.store(), challenge, new_track_entry(typed), actor_id=user.id)
    except ArenaError as error:
        session.rollback()
        return _render_track(challenge, None, typed, _problems_of(error), status_for(error))
    flash(_("Added the track; now add its first phase."), "success")
    return redirect(url_for("console_tracks.new_phase", slug=slug, track_id=added.id))


@bp.post("/c/<slug>/manage/tracks/new/check")
def check_new_track(slug: str) -> Response:
    """The importer's problems with the typed new track (the live check)."""
    challenge, _user = managed(slug)
    try:
        entry = new_track_entry(_typed(NEW_TRACK_INPUTS))
    except BundleError as error:
        return _answer(list(error.problems), scoring=[])
    return _answer(publishing.check_new_track(challenge, state.store(), entry), scoring=[])


@bp.post("/c/<slug>/manage/tracks/<id:track_id>/remove")
def remove_track(slug: str, track_id: int) -> Response:
    """Remove a track without submissions (never a published challenge's last)."""
    challenge, user = managed(slug)
    found = _track_of(challenge, track_id)
    session = state.session()
    try:
        removed = publishing.remove_track(session, found, actor_id=user.id)
        flash(_("Removed the track %(slug)s.", slug=removed), "success")
    except ArenaError as error:
        session.rollback()
        flash(localized(error), "error")
    return redirect(url_for("console_tracks.tracks", slug=slug))


# A new phase


def _key() -> bytes | None:
    upload = request.files.get("labels")
    if upload is None or not upload.filename:
        return None
    limit = state.settings().max_upload_bytes
    data = upload.stream.read(limit + 1)
    if len(data) > limit:
        raise InvalidInput("the file is larger than %(limit)s bytes", field="labels", params={"limit": limit})
    return data


def _render_phase(track: Track, typed: dict[str, str], problems: Problems, status: int) -> tuple[str, int]:
    page = render_template(
        "console/phase_new.html",
        challenge=track.challenge,
        track=track,
        typed=typed,
        problems=problems,
        by_input=_by_input(problems),
        zone=viewer_zone_name(),
        key_now=track.challenge.is_published,
    )
    return page, status


@bp.route("/c/<slug>/manage/tracks/<id:track_id>/phases/new")
def new_phase(slug: str, track_id: int) -> str:
    """The form that adds a phase at the end of the track, with its hidden key."""
    challenge, _user = managed(slug)
    found = _track_of(challenge, track_id)
    typed = {"daily_quota": "5", "public_fraction": "0.3"}
    return _render_phase(found, typed, [], 200)[0]


@bp.post("/c/<slug>/manage/tracks/<id:track_id>/phases/new")
def add_phase(slug: str, track_id: int) -> Outcome:
    """Check and add the phase; a refused one shows the form again as typed (the key file must be chosen again)."""
    challenge, user = managed(slug)
    found = _track_of(challenge, track_id)
    typed = _typed(PHASE_INPUTS)
    session = state.session()
    try:
        publishing.add_phase(session, state.store(), found, phase_entry(typed), _key(), actor_id=user.id)
    except ArenaError as error:
        session.rollback()
        return _render_phase(_track_of(challenge, track_id), typed, _problems_of(error), status_for(error))
    flash(_("Added the phase."), "success")
    return redirect(url_for("console_tracks.tracks", slug=slug))


@bp.post("/c/<slug>/manage/tracks/<id:track_id>/phases/new/check")
def check_new_phase(slug: str, track_id: int) -> Response:
    """The importer's problems with the typed new phase and its key (the live check)."""
    challenge, _user = managed(slug)
    found = _track_of(challenge, track_id)
    try:
        key = _key()
    except ArenaError as error:
        return _answer(_problems_of(error))
    _parts, problems = publishing.check_new_phase(state.session(), found, phase_entry(_typed(PHASE_INPUTS)), key)
    if key is None:
        # The file is chosen last; the check names a missing key only when saving.
        problems = [(f, m) for f, m in problems if f != "labels"]
    return _answer(problems)


@bp.post("/c/<slug>/manage/phases/<id:phase_id>/remove")
def remove_phase(slug: str, phase_id: int) -> Response:
    """Remove a phase without submissions or phases that admit teams from it."""
    challenge, user = managed(slug)
    found = _phase_of(challenge, phase_id)
    session = state.session()
    try:
        removed = publishing.remove_phase(session, found, actor_id=user.id)
        flash(_("Removed the phase %(slug)s.", slug=removed), "success")
    except ArenaError as error:
        session.rollback()
        flash(localized(error), "error")
    return redirect(url_for("console_tracks.tracks", slug=slug))
