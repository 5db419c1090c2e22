"""Organizer API for integrity: signals, rescoring, provenance and re-runs, exports; charts for everyone."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request, url_for

from arena import boards, evaluation, integrity
from arena import submissions as submission_service
from arena.enums import Split
from arena.errors import NotFound
from arena.permissions import Action, require
from web import state
from web.api.requests import json_body, text_field
from web.auth.identity import api_user, required
from web.downloads import download
from web.lookups import challenge_context, challenge_context_for_id, parse_split, phase_context
from web.times import iso_utc

bp = Blueprint("integrity", __name__)


@bp.get("/challenges/<slug>/integrity-signals")
def signals(slug: str) -> dict[str, Any]:
    """List a challenge's integrity signals; ``?all=1`` includes dismissed ones."""
    context = challenge_context(slug, required(api_user()))
    require(context.actor, Action.REVIEW_INTEGRITY)
    rows = integrity.list_signals(
        state.session(), context.challenge.id, include_dismissed=request.args.get("all") == "1"
    )
    return {"signals": [integrity.signal_dict(s) for s in rows]}


@bp.post("/integrity-signals/<id:signal_id>/dismiss")
def dismiss(signal_id: int) -> dict[str, Any]:
    """Dismiss a signal with ``{"reason"}``; the dismissal is audited."""
    user = required(api_user())
    session = state.session()
    signal = integrity.get_signal(session, signal_id)
    context = challenge_context_for_id(signal.challenge_id, user)
    require(context.actor, Action.REVIEW_INTEGRITY, hide=True)
    reason = text_field(json_body(), "reason", max_length=2000)
    integrity.dismiss_signal(session, signal, reason=reason, actor_id=user.id)
    session.commit()
    return integrity.signal_dict(signal)


@bp.get("/phases/<id:phase_id>/rescores")
def rescores(phase_id: int) -> dict[str, Any]:
    """Return the phase's current score version and every rescore's progress."""
    context = phase_context(phase_id, required(api_user()))
    require(context.actor, Action.RESCORE, context.resource())
    runs = evaluation.phase_rescores(state.session(), phase_id)
    state.session().commit()
    return {"phase_id": phase_id, "score_version": context.phase.score_version, "runs": [r.to_dict() for r in runs]}


@bp.post("/phases/<id:phase_id>/rescores")
def start_rescore(phase_id: int) -> tuple[dict[str, Any], int]:
    """Rescore every scored submission of the phase under a new score version (``{"reason"}``)."""
    user = required(api_user())
    context = phase_context(phase_id, user)
    require(context.actor, Action.RESCORE, context.resource())
    reason = text_field(json_body(), "reason", max_length=2000)
    session = state.session()
    run = evaluation.rescore_phase(session, state.settings(), context.phase, reason=reason, requested_by_id=user.id)
    return evaluation.rescore_progress(session, run).to_dict(), 202


@bp.get("/submissions/<id:submission_id>/provenance")
def provenance(submission_id: int) -> dict[str, Any]:
    """Return every recorded score of a submission with its provenance (organizers only)."""
    submission = submission_service.get_submission(state.session(), submission_id)
    context = phase_context(submission.phase_id, required(api_user()))
    require(context.actor, Action.REVIEW_INTEGRITY, context.resource(), hide=True)
    rows = evaluation.provenance(state.session(), submission)
    return {
        "submission_id": submission.id,
        "score_version": context.phase.score_version,
        "scores": [row.to_dict() for row in rows],
    }


@bp.get("/submissions/<id:submission_id>/reruns")
def submission_reruns(submission_id: int) -> dict[str, Any]:
    """List a submission's re-runs, newest first (organizers only)."""
    submission = submission_service.get_submission(state.session(), submission_id)
    context = phase_context(submission.phase_id, required(api_user()))
    require(context.actor, Action.REVIEW_INTEGRITY, context.resource(), hide=True)
    return {"reruns": [evaluation.rerun_dict(r) for r in evaluation.submission_reruns(state.session(), submission.id)]}


@bp.post("/submissions/<id:submission_id>/reruns")
def request_rerun(submission_id: int) -> tuple[dict[str, Any], int, dict[str, str]]:
    """Queue a re-run of a scored or failed submission; its status and scores do not change."""
    user = required(api_user())
    submission = submission_service.get_submission(state.session(), submission_id)
    context = phase_context(submission.phase_id, user)
    require(context.actor, Action.RESCORE, context.resource(), hide=True)
    rerun = evaluation.request_rerun(state.session(), state.settings(), submission, actor_id=user.id)
    location = url_for("api.integrity.show_rerun", rerun_id=rerun.id, _external=True)
    return evaluation.rerun_dict(rerun), 202, {"Location": location}


@bp.get("/reruns/<id:rerun_id>")
def show_rerun(rerun_id: int) -> dict[str, Any]:
    """Return a re-run: its status and whether the recorded score was reproduced."""
    user = required(api_user())
    rerun = evaluation.get_rerun(state.session(), rerun_id)
    submission = submission_service.get_submission(state.session(), rerun.submission_id)
    context = phase_context(submission.phase_id, user)
    require(context.actor, Action.REVIEW_INTEGRITY, context.resource(), hide=True)
    return evaluation.rerun_dict(rerun)


@bp.get("/phases/<id:phase_id>/exports/submissions")
def export_submissions(phase_id: int) -> Response:
    """Download every submission of the phase as ``?format=csv|parquet`` (organizers only)."""
    context = phase_context(phase_id, required(api_user()))
    require(context.actor, Action.EXPORT, context.resource())
    fmt = boards.export_format(request.args.get("format"))
    data = boards.submissions_export(state.session(), context.phase, fmt)
    return download(data, fmt, f"{context.challenge.slug}-phase{phase_id}-submissions")


@bp.get("/phases/<id:phase_id>/exports/leaderboard")
def export_leaderboard(phase_id: int) -> Response:
    """Download a board as ``?split=public|private&format=csv|parquet`` (organizers only)."""
    context = phase_context(phase_id, required(api_user()))
    require(context.actor, Action.EXPORT, context.resource())
    fmt = boards.export_format(request.args.get("format"))
    split = parse_split(request.args.get("split"))
    data = boards.leaderboard_export(state.session(), context.phase, split, fmt)
    return download(data, fmt, f"{context.challenge.slug}-phase{phase_id}-{split.value}-leaderboard")


@bp.get("/phases/<id:phase_id>/charts")
def phase_charts(phase_id: int) -> dict[str, Any]:
    """Return chart data for ``?split=``: each leading team's best score over time and the score histogram."""
    context = phase_context(phase_id, api_user())
    split = parse_split(request.args.get("split"))
    chart = boards.phase_chart(state.session(), context.phase, split, context.actor, state.now())
    if chart is None:
        if split == Split.PRIVATE:
            require(context.actor, Action.VIEW_PRIVATE_LEADERBOARD, context.resource())
        raise NotFound("this phase publishes no charts")
    return {
        "phase_id": phase_id,
        "split": split.value,
        "direction": chart.direction,
        "frozen_at": iso_utc(chart.frozen_at),
        "teams": [
            {
                "team": {"id": s.team_id, "name": s.team_name},
                "is_baseline": s.is_baseline,
                "points": [{"at": iso_utc(p.at), "score": p.score} for p in s.points],
            }
            for s in chart.series
        ],
        "histogram": {"edges": chart.histogram.edges, "counts": chart.histogram.counts},
    }
