"""The challenge list, a challenge's page and its public file downloads."""

from __future__ import annotations

from flask import Blueprint, render_template
from werkzeug.wrappers import Response

from arena import challenges as challenge_service
from arena import teams as team_service
from arena.evaluation import limits_for
from arena.permissions import Action, actor_for, decide
from web import state
from web.auth.identity import page_user
from web.charts import challenge_chart_views
from web.downloads import send_public_file
from web.lookups import challenge_context
from web.presenters import challenge_phases
from web.standing import team_standings

bp = Blueprint("challenges", __name__)


@bp.route("/")
def index() -> str:
    """List the challenges the viewer may see."""
    actor = actor_for(state.session(), page_user(), None)
    rows = challenge_service.list_challenges(state.session(), actor)
    return render_template("challenges/index.html", challenges=rows, can_create=decide(actor, Action.CREATE_CHALLENGE))


@bp.route("/c/<slug>")
def detail(slug: str) -> str:
    """Show a challenge: texts, tracks, phases with windows and quotas, public files."""
    context = challenge_context(slug, page_user())
    challenge = context.challenge
    now = state.now()
    team = team_service.team_of(state.session(), context.user.id, challenge.id) if context.user else None
    files = challenge_service.visible_files(challenge, context.actor, now)
    return render_template(
        "challenges/detail.html",
        challenge=challenge,
        files=files,
        team=team,
        actor=context.actor,
        tracks=challenge_phases(challenge, team, now),
        run_limits={t.id: limits_for(t.runner) for t in challenge.tracks if t.kind == "code"},
        charts=challenge_chart_views(challenge, context.actor, now),
        standings=team_standings(challenge, team, context.actor, now),
    )


@bp.route("/c/<slug>/files/<id:file_id>")
def download(slug: str, file_id: int) -> Response:
    """Send a public file (resumable), looked up by its id and checked against the policy (never a URL path)."""
    context = challenge_context(slug, page_user())
    found = challenge_service.public_file_download(
        state.session(), state.store(), context.challenge, file_id, context.actor, state.now()
    )
    return send_public_file(found)
