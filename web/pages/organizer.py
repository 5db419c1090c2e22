"""The organizer's view of every submission of a phase, and the CSV exports."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request

from arena import exports
from arena.permissions import Action, require
from arena.services import submissions as submission_service
from web import state
from web.auth.identity import page_user
from web.lookups import parse_split, phase_context

bp = Blueprint("organizer", __name__)


@bp.route("/phases/<int:phase_id>/all-submissions")
def submissions(phase_id: int) -> str:
    """List every submission of a phase (organizers only)."""
    context = phase_context(phase_id, page_user())
    require(context.actor, Action.VIEW_ALL_SUBMISSIONS, context.resource())
    rows = submission_service.phase_submissions(state.session(), phase_id)
    views = [submission_service.view_submission(state.session(), s, context.actor, state.now()) for s in rows]
    return render_template(
        "organizer/submissions.html", phase=context.phase, challenge=context.challenge, submissions=views
    )


def _csv(data: bytes, name: str) -> Response:
    response = Response(data, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _parquet(data: bytes, name: str) -> Response:
    response = Response(data, mimetype="application/vnd.apache.parquet")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.route("/phases/<int:phase_id>/export/leaderboard.csv")
def leaderboard_csv(phase_id: int) -> Response:
    """Download a leaderboard split as CSV (organizers only)."""
    context = phase_context(phase_id, page_user())
    require(context.actor, Action.EXPORT, context.resource())
    split = parse_split(request.args.get("split"))
    data = exports.leaderboard_csv(state.session(), context.phase, split)
    return _csv(data, f"{context.challenge.slug}-phase{phase_id}-{split.value}-leaderboard.csv")


@bp.route("/phases/<int:phase_id>/export/submissions.csv")
def submissions_csv(phase_id: int) -> Response:
    """Download every submission of a phase as CSV (organizers only)."""
    context = phase_context(phase_id, page_user())
    require(context.actor, Action.EXPORT, context.resource())
    data = exports.submissions_csv(state.session(), context.phase)
    return _csv(data, f"{context.challenge.slug}-phase{phase_id}-submissions.csv")


@bp.route("/phases/<int:phase_id>/export/leaderboard.parquet")
def leaderboard_parquet(phase_id: int) -> Response:
    """Download a leaderboard split as Parquet (organizers only)."""
    context = phase_context(phase_id, page_user())
    require(context.actor, Action.EXPORT, context.resource())
    split = parse_split(request.args.get("split"))
    data = exports.leaderboard_parquet(state.session(), context.phase, split)
    return _parquet(data, f"{context.challenge.slug}-phase{phase_id}-{split.value}-leaderboard.parquet")


@bp.route("/phases/<int:phase_id>/export/submissions.parquet")
def submissions_parquet(phase_id: int) -> Response:
    """Download every submission of a phase as Parquet (organizers only)."""
    context = phase_context(phase_id, page_user())
    require(context.actor, Action.EXPORT, context.resource())
    data = exports.submissions_parquet(state.session(), context.phase)
    return _parquet(data, f"{context.challenge.slug}-phase{phase_id}-submissions.parquet")
