"""Leaderboards per phase and split, served from the materialized boards through the board cache."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, Response, request
from werkzeug.http import parse_etags

from arena import boards
from arena.boards import MAX_PER_PAGE, Board, BoardFacts, RenderedPage, is_frozen, viewer_board
from arena.enums import Split
from arena.permissions import ANONYMOUS, Action, actor_for, require
from web import state
from web.api import moderation, selection
from web.auth.identity import api_user
from web.lookups import leaderboard_action, parse_split
from web.numbers import MAX_PAGE, query_int
from web.times import iso_utc

bp = Blueprint("leaderboards", __name__)
bp.register_blueprint(selection.bp)
bp.register_blueprint(moderation.bp)

PER_PAGE = 50


@dataclass(frozen=True)
class BoardQuery:
    """What a leaderboard request asks for: ``?split=&page=&per_page=``."""

    split: Split
    page: int
    per_page: int

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> BoardQuery:
        """Read the query arguments; a bad split or a number out of bounds is InvalidInput naming it."""
        return cls(
            split=parse_split(args.get("split")),
            page=query_int(args.get("page"), "page", 1, maximum=MAX_PAGE),
            per_page=query_int(args.get("per_page"), "per_page", PER_PAGE, maximum=MAX_PER_PAGE),
        )


def render(facts: BoardFacts, split: Split, board: Board, page: RenderedPage, now: datetime) -> bytes:
    """Return the JSON body of one board page as the API serves it."""
    head = {
        "phase_id": facts.phase_id,
        "split": split.value,
        "direction": facts.direction,
        "precision": facts.precision,
        "frozen": split == Split.PUBLIC and is_frozen(facts, now),
        "frozen_at": iso_utc(facts.freeze_at) if board == Board.FROZEN else None,
        "ladder": split == Split.PUBLIC and facts.use_ladder,
        "score_version": facts.score_version,
        "revision": facts.board_stamp,
        "statistics_pending": board == Board.PRIVATE and facts.statistics_stale,
        "page": page.page,
        "per_page": page.per_page,
        "total": page.total,
        "pages": page.pages,
    }
    return json.dumps(head, separators=(",", ":")).encode()[:-1] + b',"rows":' + page.rows_json + b"}"


def etag_of(body: bytes) -> str:
    """Return the (unquoted) entity tag of a response body."""
    return hashlib.blake2b(body, digest_size=16).hexdigest()


def unchanged(if_none_match: str | None, etag: str) -> bool:
    """Whether an If-None-Match header names ``etag`` (or ``*``): the client's copy is current."""
    return parse_etags(if_none_match).contains(etag)


def cache_headers(etag: str) -> dict[str, str]:
    """Return the caching headers of a board response."""
    return {"ETag": f'"{etag}"', "Cache-Control": "no-cache", "Vary": "Authorization"}


@bp.get("/phases/<id:phase_id>/leaderboard")
def show(phase_id: int) -> Response:
    """Return one page (``?page=&per_page=``) of a phase's leaderboard for ``?split=public|private``."""
    session, cache, now = state.lazy_session(), state.board_cache(), state.now()
    facts = boards.board_facts(session, cache, phase_id)
    user = api_user()
    actor = actor_for(session, user, facts.challenge_id) if user is not None else ANONYMOUS
    require(actor, Action.VIEW_CHALLENGE, facts.challenge_resource(), hide=True)
    query = BoardQuery.from_args(request.args)
    require(actor, leaderboard_action(query.split), facts.resource(now))
    board = viewer_board(actor, facts, query.split, now)
    page = boards.rendered_page(session, state.store(), cache, facts, board, query.page, query.per_page)
    body = render(facts, query.split, board, page, now)
    etag = etag_of(body)
    if unchanged(request.headers.get("If-None-Match"), etag):
        return Response(status=304, headers=cache_headers(etag))
    return Response(body, mimetype="application/json", headers=cache_headers(etag))
