"""Leaderboards per phase and split."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from arena.leaderboards import leaderboard
from arena.permissions import require
from web import state
from web.auth.identity import api_user
from web.lookups import leaderboard_action, parse_split, phase_context

bp = Blueprint("leaderboards", __name__)


@bp.get("/phases/<int:phase_id>/leaderboard")
def show(phase_id: int) -> dict[str, Any]:
    """Return a phase's leaderboard for ``?split=public|private`` if the caller may see it."""
    context = phase_context(phase_id, api_user())
    split = parse_split(request.args.get("split"))
    require(context.actor, leaderboard_action(split), context.resource())
    precision = context.phase.track.precision
    rows = leaderboard(state.session(), context.phase, split)
    return {
        "phase_id": phase_id,
        "split": split.value,
        "direction": context.phase.track.direction,
        "precision": precision,
        "rows": [row.to_dict(precision) for row in rows],
    }
