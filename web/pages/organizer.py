"""The organizer's view of every submission of a phase, and the CSV and Parquet exports."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request

from arena import boards
from arena import submissions as submission_service
from arena.permissions import Action, require
from web import state
from web.auth.identity import page_user
from web.downloads import download
from web.lookups import parse_split, phase_context

bp = Blueprint("organizer", __name__)


@bp.route("/phases/<id:phase_id>/all-submissions")
def submissions(phase_id: int) -> str:
    """List every submission of a phase (organizers only)."""
    context = phase_context(phase_id, page_user())
    require(context.actor, Action.VIEW_ALL_SUBMISSIONS, context.resource())
    rows = submission_service.phase_submissions(state.session(), phase_id)
    views = [submission_service.view_submission(state.session(), s, context.actor, state.now()) for s in rows]
    return render_template(
        "organizer/submissions.html", phase=context.phase, challenge=context.challenge, submissions=views
    )


@bp.route("/phases/<id:phase_id>/export/leaderboard.<any(csv, parquet):fmt>")
def leaderboard_export(phase_id: int, fmt: str) -> Response:
    """Download a leaderboard split as CSV or Parquet (organizers only)."""
    context = phase_context(phase_id, page_user())
    require(context.actor, Action.EXPORT, context.resource())
    split = parse_split(request.args.get("split"))
    data = boards.leaderboard_export(state.session(), context.phase, split, fmt)
    return download(data, fmt, f"{context.challenge.slug}-phase{phase_id}-{split.value}-leaderboard")


@bp.route("/phases/<id:phase_id>/export/submissions.<any(csv, parquet):fmt>")
def submissions_export(phase_id: int, fmt: str) -> Response:
    """Download every submission of a phase as CSV or Parquet (organizers only)."""
    context = phase_context(phase_id, page_user())
    require(context.actor, Action.EXPORT, context.resource())
    data = boards.submissions_export(state.session(), context.phase, fmt)
    return download(data, fmt, f"{context.challenge.slug}-phase{phase_id}-submissions")
