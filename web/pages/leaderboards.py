"""Leaderboard pages per phase and split, read from the materialized boards."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from arena import moderation as moderation_service
from arena.boards import MAX_PER_PAGE, Board, board_page, is_frozen, viewer_board
from arena.enums import Split
from arena.permissions import Action, decide
from web import state
from web.auth.identity import page_user
from web.lookups import leaderboard_action, parse_split, phase_context
from web.numbers import MAX_PAGE, query_int
from web.pages import moderation, selection

bp = Blueprint("leaderboards", __name__)
bp.register_blueprint(moderation.bp)
bp.register_blueprint(selection.bp)

PER_PAGE = 50


def page_arguments() -> tuple[int, int]:
    """Return ``?page=&per_page=`` as bounded positive integers (defaults 1 and 50)."""
    page = query_int(request.args.get("page"), "page", 1, maximum=MAX_PAGE)
    return page, query_int(request.args.get("per_page"), "per_page", PER_PAGE, maximum=MAX_PER_PAGE)


@bp.route("/phases/<id:phase_id>/leaderboard")
def show(phase_id: int) -> tuple[str, int] | Response:
    """Show the public or private leaderboard, or say when the private one will be revealed."""
    context = phase_context(phase_id, page_user())
    split = parse_split(request.args.get("split"))
    allowed = decide(context.actor, leaderboard_action(split), context.resource())
    if not allowed and not context.actor.is_authenticated:
        # A visitor may be an organizer who has not logged in yet: ask, and come back here.
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    now = state.now()
    board = viewer_board(context.actor, context.phase, split, now)
    page_number, per_page = page_arguments()
    page = board_page(state.session(), state.store(), context.phase, board, page_number, per_page) if allowed else None
    moderator = decide(context.actor, Action.MODERATE, context.resource())
    html = render_template(
        "leaderboards/show.html",
        phase=context.phase,
        challenge=context.challenge,
        split=split,
        board=board,
        Board=Board,
        page=page,
        rows=page.rows if page else [],
        allowed=allowed,
        Split=Split,
        frozen=is_frozen(context.phase, now),
        own_team_id=context.team.id if context.team else None,
        can_export=decide(context.actor, Action.EXPORT, context.resource()),
        moderator=moderator,
        removed=moderation_service.removed_items(state.session(), context.phase) if moderator else [],
    )
    return html, 200 if allowed else 403
