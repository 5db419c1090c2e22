"""Leaderboards per phase and split, served from the materialized boards, page by page."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from arena.enums import Split
from arena.permissions import require
from arena.standings import Board, board_page, is_frozen, viewer_board
from web import state
from web.api import moderation, selection
from web.auth.identity import api_user
from web.lookups import leaderboard_action, parse_split, phase_context

bp = Blueprint("leaderboards", __name__)
bp.register_blueprint(selection.bp)
bp.register_blueprint(moderation.bp)

PER_PAGE = 50


@bp.get("/phases/<int:phase_id>/leaderboard")
def show(phase_id: int) -> dict[str, Any]:
    """Return one page (``?page=&per_page=``) of a phase's leaderboard for ``?split=public|private``."""
    context = phase_context(phase_id, api_user())
    split = parse_split(request.args.get("split"))
    require(context.actor, leaderboard_action(split), context.resource())
    now = state.now()
    board = viewer_board(context.actor, context.phase, split, now)
    page = board_page(
        state.session(),
        state.store(),
        context.phase,
        board,
        request.args.get("page", 1, type=int) or 1,
        request.args.get("per_page", PER_PAGE, type=int) or PER_PAGE,
    )
    precision = context.phase.track.precision
    return {
        "phase_id": phase_id,
        "split": split.value,
        "direction": context.phase.track.direction,
        "precision": precision,
        "frozen": split == Split.PUBLIC and is_frozen(context.phase, now),
        "frozen_at": context.phase.freeze_at.isoformat() if board == Board.FROZEN and context.phase.freeze_at else None,
        "ladder": split == Split.PUBLIC and context.phase.use_ladder,
        "page": page.page,
        "per_page": page.per_page,
        "total": page.total,
        "pages": page.pages,
        "rows": [row.to_dict(precision, statistics=board == Board.PRIVATE) for row in page.rows],
    }
