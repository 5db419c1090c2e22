"""Submitting to a phase, the team's submissions and one submission's status."""
# mypy: allow-untyped-decorators

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, flash, get_template_attribute, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.wrappers import Response

from arena import evaluation
from arena import submissions as submission_service
from arena.challenges import PhaseState, phase_state
from arena.errors import ArenaError, QuotaExceeded
from arena.submissions import team_selection
from web import state
from web.auth.identity import page_user, required
from web.errors import status_for
from web.extensions import csrf
from web.forms import show_error
from web.lookups import PhaseContext, phase_context
from web.pages.forms import SubmitForm
from web.pages.integrity import provenance_panel
from web.presenters import pending
from web.uploads import accept_upload, open_upload, reading_body

bp = Blueprint("submissions", __name__)

REFRESH_SECONDS = 5


def _render_submit(
    context: PhaseContext,
    form: SubmitForm,
    status: int = 200,
    retry_at: datetime | None = None,
    *,
    quota_refused: bool = False,
) -> tuple[str, int]:
    page = render_template(
        "submissions/submit.html",
        phase=context.phase,
        challenge=context.challenge,
        team=context.team,
        quota=context.quota(),
        admitted=context.admitted(),
        form=form,
        retry_at=retry_at,
        quota_refused=quota_refused,
        phase_state=phase_state(context.phase, state.now()),
        PhaseState=PhaseState,
    )
    return page, status


def _refused(context: PhaseContext, form: SubmitForm, error: ArenaError) -> tuple[str, int]:
    if isinstance(error, QuotaExceeded):
        # The quota box on the page says which limit applies and when the next upload is allowed, once, in
        # the viewer's zone and UTC: the error's own text (with a machine-readable time) is not repeated.
        return _render_submit(context, form, status_for(error), error.retry_at, quota_refused=True)
    return _render_submit(context, form, show_error(form, error))


@bp.route("/phases/<id:phase_id>/submit", methods=["GET", "POST"])
# The site-wide CSRF check would parse (and spool) the whole body before the upload's limits are known;
# SubmitForm checks its CSRF token itself once the body may be read.
@csrf.exempt
@login_required
def submit(phase_id: int) -> Response | tuple[str, int]:
    """Show the upload form with the remaining quota; accept an upload."""
    context = phase_context(phase_id, page_user())
    if request.method == "GET":
        return _render_submit(context, SubmitForm())
    user = required(context.user)
    try:
        limit = open_upload(user, context.phase)
        with reading_body(limit):
            form = SubmitForm()
            valid = form.validate_on_submit()
    except ArenaError as error:
        # The body was not read (or not to its end): show the form empty with the reason.
        return _refused(context, SubmitForm(formdata=None), error)
    if not valid:
        return _render_submit(context, form, 400)
    try:
        submission = accept_upload(user, context.phase, form.file.data, form.description.data or "")
    except ArenaError as error:
        return _refused(context, form, error)
    flash(_("Submission #%(id)s is queued. Its status updates on this page.", id=submission.id), "success")
    return redirect(url_for("submissions.mine", phase_id=phase_id))


@bp.route("/phases/<id:phase_id>/submissions")
@login_required
def mine(phase_id: int) -> str:
    """List the viewer's team's submissions in a phase; refresh while any is queued or running."""
    context = phase_context(phase_id, page_user())
    views = []
    if context.team is not None:
        rows = submission_service.team_submissions(state.session(), context.team.id, phase_id)
        views = [submission_service.view_submission(state.session(), s, context.actor, state.now()) for s in rows]
    return render_template(
        "submissions/mine.html",
        phase=context.phase,
        challenge=context.challenge,
        team=context.team,
        submissions=views,
        refresh=REFRESH_SECONDS if pending(views) else None,
        quota=context.quota(),
        final=team_selection(state.session(), context.phase, context.team.id, state.now()) if context.team else None,
    )


@bp.route("/submissions/<id:submission_id>")
@login_required
def show(submission_id: int) -> str:
    """Show one submission's status, failure message and the scores the viewer may see."""
    submission = submission_service.get_submission(state.session(), submission_id)
    context = phase_context(submission.phase_id, page_user())
    view = submission_service.view_submission(state.session(), submission, context.actor, state.now(), state.store())
    return render_template(
        "submissions/show.html",
        phase=context.phase,
        challenge=context.challenge,
        submission=view,
        refresh=REFRESH_SECONDS if pending([view]) else None,
        provenance=provenance_panel(submission, context.actor),
        queue=evaluation.queue_position(state.session(), state.settings(), submission),
    )


@bp.route("/submissions/<id:submission_id>/status")
@login_required
def status(submission_id: int) -> dict[str, object]:
    """The live state of one submission for the page's poller: status, whether final, and its cells as HTML."""
    submission = submission_service.get_submission(state.session(), submission_id)
    context = phase_context(submission.phase_id, page_user())
    view = submission_service.view_submission(state.session(), submission, context.actor, state.now())

    def cell(name: str, *args: object) -> str:
        return str(get_template_attribute("submissions/_live.html", name)(view, *args))

    return {
        "id": view.id,
        "status": view.status,
        "final": not pending([view]),
        "cells": {
            "status": cell("live_status"),
            "score": cell("live_score", context.phase.track.precision),
            "message": cell("live_message"),
            "queue": cell("live_queue", evaluation.queue_position(state.session(), state.settings(), submission)),
        },
    }
