"""The organizer console's data files page: public files with titles, and each phase's hidden key."""
# mypy: allow-untyped-decorators

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response

from arena import challenges as challenge_service
from arena import publishing
from arena.errors import ArenaError, InvalidInput, NotFound
from arena.models import Challenge, User
from arena.permissions import Action, require
from web import state
from web.auth.identity import page_user, required
from web.errors import status_for
from web.i18n import localized
from web.lookups import challenge_context

bp = Blueprint("console_data", __name__)
Outcome = Response | tuple[str, int]


def _(message: str, **params: Any) -> str:
    """The message in the viewer's language."""
    return str(gettext(message, **params))


def managed(slug: str) -> tuple[Challenge, User]:
    """The challenge and the caller; NotFound unless the caller organizes this challenge."""
    context = challenge_context(slug, page_user())
    require(context.actor, Action.MANAGE_CHALLENGE, hide=True)
    return context.challenge, required(context.user)


def _render(challenge: Challenge, status: int = 200) -> tuple[str, int]:
    now = state.now()
    phases = [
        {"phase": phase, "needs_reason": publishing.key_needs_reason(phase, now)}
        for track in challenge.tracks
        for phase in track.phases
    ]
    page = render_template(
        "console/data.html", challenge=challenge, phases=phases, limit=state.settings().max_upload_bytes
    )
    return page, status


@bp.route("/c/<slug>/manage/data")
def data(slug: str) -> str:
    """Show the public files and each phase's hidden key, with the forms that change them."""
    challenge, _user = managed(slug)
    return _render(challenge)[0]


def _act(slug: str, work: Any) -> Outcome:
    challenge, user = managed(slug)
    session = state.session()
    try:
        message = work(session, challenge, user)
        session.commit()
    except ArenaError as error:
        session.rollback()
        flash(localized(error), "error")
        return _render(challenge_service.get_challenge(session, slug), status_for(error))
    flash(message, "success")
    return redirect(url_for("console_data.data", slug=slug))


def _upload() -> Any:
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise InvalidInput("choose a file to upload", field="file")
    return upload


@bp.post("/c/<slug>/manage/data/files")
def add_file(slug: str) -> Outcome:
    """Add a public file with its titles."""

    def work(session: Any, challenge: Challenge, user: User) -> str:
        upload = _upload()
        row = publishing.put_public_file(
            session,
            state.store(),
            challenge,
            upload.stream,
            filename=upload.filename or "",
            title_en=request.form.get("title_en", ""),
            title_zh=request.form.get("title_zh", ""),
            max_bytes=state.settings().max_upload_bytes,
            actor_id=user.id,
        )
        return _("Added %(path)s.", path=row.path)

    return _act(slug, work)


@bp.post("/c/<slug>/manage/data/files/<id:file_id>")
def replace_file(slug: str, file_id: int) -> Outcome:
    """Upload a new version of a public file (and its titles)."""

    def work(session: Any, challenge: Challenge, user: User) -> str:
        upload = _upload()
        row = publishing.put_public_file(
            session,
            state.store(),
            challenge,
            upload.stream,
            filename=upload.filename or "",
            title_en=request.form.get("title_en", ""),
            title_zh=request.form.get("title_zh", ""),
            max_bytes=state.settings().max_upload_bytes,
            actor_id=user.id,
            replace_id=file_id,
        )
        return _("Replaced %(path)s.", path=row.path)

    return _act(slug, work)


@bp.post("/c/<slug>/manage/data/files/<id:file_id>/remove")
def remove_file(slug: str, file_id: int) -> Outcome:
    """Remove a public file."""

    def work(session: Any, challenge: Challenge, user: User) -> str:
        path = publishing.remove_public_file(session, challenge, file_id, actor_id=user.id)
        return _("Removed %(path)s.", path=path)

    return _act(slug, work)


@bp.post("/c/<slug>/manage/data/phases/<id:phase_id>/key")
def replace_key(slug: str, phase_id: int) -> Outcome:
    """Check a new hidden key against the track's scorer and install it (rescoring a phase that has opened)."""

    def work(session: Any, challenge: Challenge, user: User) -> str:
        phase = challenge_service.get_phase(session, phase_id)
        if phase.track.challenge_id != challenge.id:
            raise NotFound("no phase %(id)s", params={"id": phase_id})
        upload = _upload()
        data = upload.stream.read(state.settings().max_upload_bytes + 1)
        if len(data) > state.settings().max_upload_bytes:
            raise InvalidInput(
                "the file is larger than %(limit)s bytes", params={"limit": state.settings().max_upload_bytes}
            )
        done = publishing.replace_key(
            session,
            state.settings(),
            state.store(),
            phase,
            data,
            actor_id=user.id,
            reason=request.form.get("reason", ""),
            now=state.now(),
        )
        if done.rescore_run_id is not None:
            return _("The new hidden key (%(rows)s rows) is in place; a rescore started.", rows=done.rows)
        return _("The new hidden key (%(rows)s rows) is in place.", rows=done.rows)

    return _act(slug, work)
