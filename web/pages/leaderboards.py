"""Leaderboard pages per phase and split."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from arena.enums import Split
from arena.leaderboards import leaderboard
from arena.permissions import Action, decide
from web import state
from web.auth.identity import page_user
from web.lookups import leaderboard_action, parse_split, phase_context

bp = Blueprint("leaderboards", __name__)


@bp.route("/phases/<int:phase_id>/leaderboard")
def show(phase_id: int) -> tuple[str, int]:
    """Show the public or private leaderboard, or say when the private one will be revealed."""
    context = phase_context(phase_id, page_user())
    split = parse_split(request.args.get("split"))
    allowed = decide(context.actor, leaderboard_action(split), context.resource())
    rows = leaderboard(state.session(), context.phase, split) if allowed else []
    page = render_template(
        "leaderboards/show.html",
        phase=context.phase,
        challenge=context.challenge,
        split=split,
        rows=rows,
        allowed=allowed,
        Split=Split,
        own_team_id=context.team.id if context.team else None,
        can_export=decide(context.actor, Action.EXPORT, context.resource()),
    )
    return page, 200 if allowed else 403
