"""Leaderboards per phase and split, served from the materialized boards through the board cache."""

from __future__ import annotations

import hashlib
import json

from flask import Blueprint, Response, request

from arena import boardcache
from arena.enums import Split
from arena.permissions import ANONYMOUS, Action, actor_for, require
from arena.standings import Board, is_frozen, viewer_board
from web import state
from web.api import moderation, selection
from web.auth.identity import api_user
from web.lookups import leaderboard_action, parse_split

bp = Blueprint("leaderboards", __name__)
bp.register_blueprint(selection.bp)
bp.register_blueprint(moderation.bp)

PER_PAGE = 50


@bp.get("/phases/<int:phase_id>/leaderboard")
def show(phase_id: int) -> Response:
    """Return one page (``?page=&per_page=``) of a phase's leaderboard for ``?split=public|private``."""
    session, cache, now = state.lazy_session(), state.board_cache(), state.now()
    facts = boardcache.board_facts(session, cache, phase_id)
    user = api_user()
    actor = actor_for(session, user, facts.challenge_id) if user is not None else ANONYMOUS
    require(actor, Action.VIEW_CHALLENGE, facts.challenge_resource(), hide=True)
    split = parse_split(request.args.get("split"))
    require(actor, leaderboard_action(split), facts.resource(now))
    board = viewer_board(actor, facts, split, now)
    page = boardcache.rendered_page(
        session,
        state.store(),
        cache,
        facts,
        board,
        max(1, request.args.get("page", 1, type=int) or 1),
        request.args.get("per_page", PER_PAGE, type=int) or PER_PAGE,
    )
    head = {
        "phase_id": phase_id,
        "split": split.value,
        "direction": facts.direction,
        "precision": facts.precision,
        "frozen": split == Split.PUBLIC and is_frozen(facts, now),
        "frozen_at": facts.freeze_at.isoformat() if board == Board.FROZEN and facts.freeze_at else None,
        "ladder": split == Split.PUBLIC and facts.use_ladder,
        "score_version": facts.score_version,
        "revision": facts.board_stamp,
        "statistics_pending": board == Board.PRIVATE and facts.statistics_stale,
        "page": page.page,
        "per_page": page.per_page,
        "total": page.total,
        "pages": page.pages,
    }
    body = json.dumps(head, separators=(",", ":")).encode()[:-1] + b',"rows":' + page.rows_json + b"}"
    etag = hashlib.blake2b(body, digest_size=16).hexdigest()
    headers = {"ETag": f'"{etag}"', "Cache-Control": "no-cache", "Vary": "Authorization"}
    if request.if_none_match.contains(etag):
        return Response(status=304, headers=headers)
    return Response(body, mimetype="application/json", headers=headers)
