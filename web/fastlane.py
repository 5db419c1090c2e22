"""The board fast lane: anonymous leaderboard requests answered from the board cache without Flask.

Public boards are the most requested resource and mostly read anonymously. When such a request's page is
in the board cache (``arena.boards.cache``), this WSGI middleware answers it directly, with the same
permission policy, body, ETag and headers as the API view (``web.api.leaderboards``), which it shares.
Everything else — a token, unusual query arguments, a cache miss, a refusal — goes to the Flask app
unchanged, so errors, authentication and cache filling have a single implementation.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl

from arena import boards
from arena.boards import viewer_board
from arena.db import utcnow
from arena.errors import InvalidInput
from arena.permissions import ANONYMOUS, Action, decide
from web.api.leaderboards import BoardQuery, cache_headers, etag_of, render, unchanged
from web.headers import SECURITY_HEADERS
from web.lookups import leaderboard_action

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

PATH = re.compile(r"/api/v1/phases/([0-9]{1,9})/leaderboard")
ARGUMENTS = frozenset({"split", "page", "per_page"})


class BoardFastLane:
    """WSGI middleware that serves cached anonymous leaderboard pages and passes everything else on."""

    def __init__(self, app: WSGIApp, database_url: str) -> None:
        self.app = app
        self.database_url = database_url

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        """Answer from the cache when possible, else call the app."""
        answer = self._answer(environ) if environ.get("REQUEST_METHOD") == "GET" else None
        if answer is None:
            return self.app(environ, start_response)
        status, headers, body = answer
        start_response(status, headers)
        return [body]

    def _answer(self, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes] | None:
        matched = PATH.fullmatch(environ.get("PATH_INFO", ""))
        if matched is None or environ.get("HTTP_AUTHORIZATION"):
            return None
        arguments = parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        names = [name for name, _ in arguments]
        if not ARGUMENTS.issuperset(names) or len(set(names)) != len(names):
            return None
        try:
            query = BoardQuery.from_args(dict(arguments))
        except InvalidInput:
            return None
        cache = boards.cache_for(self.database_url)
        facts = boards.cached_facts(cache, int(matched.group(1)))
        if facts is None:
            return None
        now = utcnow()
        if not decide(ANONYMOUS, Action.VIEW_CHALLENGE, facts.challenge_resource()):
            return None
        if not decide(ANONYMOUS, leaderboard_action(query.split), facts.resource(now)):
            return None
        board = viewer_board(ANONYMOUS, facts, query.split, now)
        page = boards.cached_page(cache, facts, board, query.page, query.per_page)
        if page is None:
            return None
        body = render(facts, query.split, board, page, now)
        etag = etag_of(body)
        headers = [*cache_headers(etag).items(), *SECURITY_HEADERS]
        if unchanged(environ.get("HTTP_IF_NONE_MATCH"), etag):
            return "304 NOT MODIFIED", headers, b""
        headers += [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
        return "200 OK", headers, body
