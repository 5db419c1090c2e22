"""The organizer console's dry run, publishing and export pages."""
# mypy: allow-untyped-decorators

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response as BaseResponse

from arena import publishing
from arena.errors import ArenaError
from arena.models import Challenge
from web import state
from web.errors import status_for
from web.i18n import localized, localized_message
from web.pages.console_data import managed

bp = Blueprint("console_publish", __name__)
Outcome = BaseResponse | tuple[str, int]


def _(message: str, **params: Any) -> str:
    """The message in the viewer's language."""
    return str(gettext(message, **params))


def _render(challenge: Challenge, status: int = 200) -> tuple[str, int]:
    session = state.session()
    run = publishing.latest_dry_run(session, challenge.id)
    problems = [localized_message(t, p, t % p if p else t) for t, p in publishing.publish_problems(session, challenge)]
    entries = []
    for entry in run.entries if run else []:
        message = entry.get("message", "")
        if entry.get("template"):
            message = localized_message(entry["template"], entry.get("params") or {}, message)
        entries.append({**entry, "shown_message": message})
    page = render_template(
        "console/dry_run.html",
        challenge=challenge,
        run=run,
        entries=entries,
        problems=problems,
        refresh=5 if run is not None and run.finished_at is None else 0,
    )
    return page, status


@bp.route("/c/<slug>/manage/dry-run")
def dry_run(slug: str) -> str:
    """Show the latest dry run, whether the challenge can be published, and the forms to act."""
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
        return _render(challenge, status_for(error))
    flash(message, "success")
    return redirect(url_for("console_publish.dry_run", slug=slug))


@bp.post("/c/<slug>/manage/dry-run")
def start(slug: str) -> Outcome:
    """Score every phase's sample submission and baseline against its hidden key."""

    def work(session: Any, challenge: Challenge, user: Any) -> str:
        run = publishing.start_dry_run(session, state.settings(), state.store(), challenge, actor_id=user.id)
        if run.finished_at is None:
            return _("The dry run started; code runs in the sandbox and this page shows the scores when they are in.")
        return _("The dry run is done.")

    return _act(slug, work)


@bp.post("/c/<slug>/manage/publish")
def publish(slug: str) -> Outcome:
    """Publish the challenge if its dry run allows it."""

    def work(session: Any, challenge: Challenge, user: Any) -> str:
        publishing.publish(session, challenge, actor_id=user.id)
        return _("The challenge is published: it is in the catalog and participants can enter.")

    return _act(slug, work)


@bp.post("/c/<slug>/manage/unpublish")
def unpublish(slug: str) -> Outcome:
    """Hide the challenge again from everyone but its organizers and judges."""

    def work(session: Any, challenge: Challenge, user: Any) -> str:
        publishing.unpublish(session, challenge, actor_id=user.id, reason=request.form.get("reason", ""))
        return _("The challenge is no longer published.")

    return _act(slug, work)


@bp.route("/c/<slug>/manage/export")
def export(slug: str) -> Response:
    """Download the challenge as a zip bundle, hidden keys included (organizers only)."""
    challenge, _user = managed(slug)
    data = publishing.export_bundle(state.session(), state.store(), challenge)
    response = Response(data, mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{challenge.slug}-bundle.zip"'
    response.headers["Cache-Control"] = "no-store"
    return response
