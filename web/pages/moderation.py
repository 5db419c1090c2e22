"""Organizer moderation: hide submissions, disqualify teams, mark baselines (each with an audited reason)."""
# mypy: allow-untyped-decorators

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from arena import moderation as moderation_service
from arena import submissions as submission_service
from arena import teams as team_service
from arena.enums import SubmissionStatus
from arena.errors import ArenaError, NotFound
from arena.models import Team
from arena.permissions import Action, require
from web import state
from web.auth.identity import page_user
from web.i18n import localized
from web.lookups import phase_context
from web.numbers import parsed_int
from web.redirects import local_target

bp = Blueprint("moderation", __name__)


@bp.route("/phases/<id:phase_id>/moderation")
def show(phase_id: int) -> str:
    """List the phase's scored submissions and the challenge's teams with moderation forms."""
    context = phase_context(phase_id, page_user())
    require(context.actor, Action.MODERATE, context.resource())
    session = state.session()
    submissions = [
        s for s in submission_service.phase_submissions(session, phase_id) if s.status == SubmissionStatus.SCORED
    ]
    return render_template(
        "moderation/show.html",
        phase=context.phase,
        challenge=context.challenge,
        submissions=submissions,
        teams=team_service.list_teams(session, context.challenge.id),
    )


def _back(phase_id: int) -> Response:
    default = url_for("leaderboards.moderation.show", phase_id=phase_id)
    return redirect(local_target(request.form.get("next"), default))


def _flag() -> bool:
    return request.form.get("on", "1") == "1"


@bp.post("/submissions/<id:submission_id>/moderation/hidden")
def hide(submission_id: int) -> Response:
    """Hide a submission (``on=1`` with a reason) or show it again (``on=0``)."""
    session = state.session()
    submission = submission_service.get_submission(session, submission_id)
    context = phase_context(submission.phase_id, page_user())
    try:
        moderation_service.set_submission_hidden(
            session, state.store(), context.actor, submission, _flag(), request.form.get("reason", ""), state.now()
        )
        session.commit()
        flash(_("Saved; the leaderboards are up to date."), "success")
    except ArenaError as error:
        session.rollback()
        flash(localized(error), "error")
    return _back(submission.phase_id)


@bp.post("/submissions/<id:submission_id>/moderation/baseline")
def submission_baseline(submission_id: int) -> Response:
    """Mark (``on=1``) or unmark (``on=0``) a submission as a baseline."""
    session = state.session()
    submission = submission_service.get_submission(session, submission_id)
    context = phase_context(submission.phase_id, page_user())
    moderation_service.set_submission_baseline(session, state.store(), context.actor, submission, _flag(), state.now())
    session.commit()
    flash(_("Saved; the leaderboards are up to date."), "success")
    return _back(submission.phase_id)


def _team_phase(team_id: int) -> tuple[Team, int]:
    team = state.session().get(Team, team_id)
    if team is None or not request.form.get("phase_id"):
        raise NotFound("no such team")
    return team, parsed_int(request.form["phase_id"], "phase_id")


@bp.post("/teams/<id:team_id>/moderation/disqualified")
def disqualify(team_id: int) -> Response:
    """Disqualify a team (``on=1`` with a reason) or reinstate it (``on=0``)."""
    session = state.session()
    team, phase_id = _team_phase(team_id)
    context = phase_context(phase_id, page_user())
    if team.challenge_id != context.challenge.id:
        raise NotFound("no such team")
    try:
        moderation_service.set_team_disqualified(
            session, state.store(), context.actor, team, _flag(), request.form.get("reason", ""), state.now()
        )
        session.commit()
        flash(_("Saved; the leaderboards are up to date."), "success")
    except ArenaError as error:
        session.rollback()
        flash(localized(error), "error")
    return _back(phase_id)


@bp.post("/teams/<id:team_id>/moderation/baseline")
def team_baseline(team_id: int) -> Response:
    """Mark (``on=1``) or unmark (``on=0``) a whole team as a baseline team."""
    session = state.session()
    team, phase_id = _team_phase(team_id)
    context = phase_context(phase_id, page_user())
    if team.challenge_id != context.challenge.id:
        raise NotFound("no such team")
    moderation_service.set_team_baseline(session, state.store(), context.actor, team, _flag(), state.now())
    session.commit()
    flash(_("Saved; the leaderboards are up to date."), "success")
    return _back(phase_id)
