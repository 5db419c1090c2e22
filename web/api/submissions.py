"""Submissions: upload, the team's list, one submission, and the team's quota."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import Blueprint, request, url_for

from arena import evaluation
from arena import submissions as submission_service
from arena.errors import Forbidden
from web import state
from web.api.serializers import quota_dict
from web.auth.identity import api_user, required
from web.lookups import phase_context
from web.uploads import accept_upload, open_upload, reading_body

bp = Blueprint("submissions", __name__)


@bp.post("/phases/<id:phase_id>/submissions")
def create(phase_id: int) -> tuple[dict[str, Any], int, dict[str, str]]:
    """Upload a file (multipart field ``file``) and queue its evaluation."""
    context = phase_context(phase_id, required(api_user()))
    user = required(context.user)
    limit = open_upload(user, context.phase)
    with reading_body(limit):
        upload, description = request.files.get("file"), request.form.get("description", "")
    submission = accept_upload(user, context.phase, upload, description)
    location = url_for("api.submissions.show", submission_id=submission.id, _external=True)
    return {"id": submission.id, "status": submission.status, "url": location}, 202, {"Location": location}


@bp.get("/phases/<id:phase_id>/submissions")
def index(phase_id: int) -> dict[str, Any]:
    """List the caller's team's submissions in a phase, newest first."""
    context = phase_context(phase_id, required(api_user()))
    if context.team is None:
        return {"submissions": []}
    rows = submission_service.team_submissions(state.session(), context.team.id, phase_id)
    views = [submission_service.view_submission(state.session(), s, context.actor, state.now()) for s in rows]
    return {"submissions": [view.to_dict() for view in views]}


@bp.get("/submissions/<id:submission_id>")
def show(submission_id: int) -> dict[str, Any]:
    """Return a submission's status, failure and the scores the caller may see."""
    user = required(api_user())
    submission = submission_service.get_submission(state.session(), submission_id)
    context = phase_context(submission.phase_id, user)
    view = submission_service.view_submission(state.session(), submission, context.actor, state.now(), state.store())
    place = evaluation.queue_position(state.session(), state.settings(), submission)
    return {**view.to_dict(), "queue": asdict(place) if place is not None else None}


@bp.get("/phases/<id:phase_id>/quota")
def quota(phase_id: int) -> dict[str, Any]:
    """Return the caller's team's quota in a phase."""
    context = phase_context(phase_id, required(api_user()))
    status = context.quota()
    if status is None:
        raise Forbidden("you have no team in this challenge; create or join one first")
    return {
        "phase_id": phase_id,
        "team_id": context.team.id if context.team else None,
        "admitted": context.admitted(),
        **quota_dict(status),
    }
