"""Organizer moderation: hide submissions, disqualify teams, mark baselines."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from arena import moderation as moderation_service
from arena import submissions as submission_service
from arena.errors import NotFound
from arena.models import Team
from arena.permissions import Action, phase_resource, require
from web import state
from web.api.requests import json_body, text_field
from web.auth.identity import api_user, required
from web.lookups import challenge_context_for_id, phase_context

bp = Blueprint("moderation", __name__)


def _reason() -> str:
    if request.method == "DELETE" and not request.get_data():
        return ""
    return text_field(json_body(), "reason", required=request.method == "POST", max_length=2000)


def _submission_result(submission_id: int, change: str, on: bool) -> dict[str, Any]:
    session = state.session()
    submission = submission_service.get_submission(session, submission_id)
    context = phase_context(submission.phase_id, required(api_user()))
    if change == "hidden":
        moderation_service.set_submission_hidden(
            session, state.store(), context.actor, submission, on, _reason(), state.now()
        )
    else:
        moderation_service.set_submission_baseline(session, state.store(), context.actor, submission, on, state.now())
    session.commit()
    return {
        "submission_id": submission.id,
        "hidden": submission.is_hidden,
        "hidden_reason": submission.hidden_reason,
        "is_baseline": submission.is_baseline,
    }


def _team_result(team_id: int, change: str, on: bool) -> dict[str, Any]:
    session = state.session()
    team = session.get(Team, team_id)
    if team is None:
        raise NotFound(f"no team {team_id}")
    context = challenge_context_for_id(team.challenge_id, required(api_user()))
    phases = [p for track in context.challenge.tracks for p in track.phases]
    for phase in phases[:1]:
        require(context.actor, Action.MODERATE, phase_resource(phase, state.now()), hide=True)
    if change == "disqualified":
        moderation_service.set_team_disqualified(
            session, state.store(), context.actor, team, on, _reason(), state.now()
        )
    else:
        moderation_service.set_team_baseline(session, state.store(), context.actor, team, on, state.now())
    session.commit()
    return {
        "team_id": team.id,
        "status": team.status,
        "status_reason": team.status_reason,
        "is_baseline": team.is_baseline,
    }


@bp.post("/submissions/<id:submission_id>/hidden")
def hide_submission(submission_id: int) -> dict[str, Any]:
    """Hide a submission from every board; the JSON body's ``reason`` goes to the audit log."""
    return _submission_result(submission_id, "hidden", True)


@bp.delete("/submissions/<id:submission_id>/hidden")
def show_submission(submission_id: int) -> dict[str, Any]:
    """Show a hidden submission again."""
    return _submission_result(submission_id, "hidden", False)


@bp.put("/submissions/<id:submission_id>/baseline")
def mark_submission_baseline(submission_id: int) -> dict[str, Any]:
    """Mark a submission as a baseline (shown with a badge)."""
    return _submission_result(submission_id, "baseline", True)


@bp.delete("/submissions/<id:submission_id>/baseline")
def unmark_submission_baseline(submission_id: int) -> dict[str, Any]:
    """Unmark a baseline submission."""
    return _submission_result(submission_id, "baseline", False)


@bp.post("/teams/<id:team_id>/disqualification")
def disqualify_team(team_id: int) -> dict[str, Any]:
    """Disqualify a team; the JSON body's ``reason`` goes to the audit log."""
    return _team_result(team_id, "disqualified", True)


@bp.delete("/teams/<id:team_id>/disqualification")
def reinstate_team(team_id: int) -> dict[str, Any]:
    """Reinstate a disqualified team."""
    return _team_result(team_id, "disqualified", False)


@bp.put("/teams/<id:team_id>/baseline")
def mark_team_baseline(team_id: int) -> dict[str, Any]:
    """Mark a whole team as a baseline team."""
    return _team_result(team_id, "baseline", True)


@bp.delete("/teams/<id:team_id>/baseline")
def unmark_team_baseline(team_id: int) -> dict[str, Any]:
    """Unmark a baseline team."""
    return _team_result(team_id, "baseline", False)
