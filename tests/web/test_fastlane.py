"""The board fast lane answers cached anonymous board requests exactly as the API view would, and only those."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from arena.boards import cache as boardcache
from arena.models import Phase
from arena.settings import Settings
from tests.web.conftest import World, make_user, token_for
from web.extensions import db
from web.fastlane import BoardFastLane


@pytest.fixture
def flask_calls(app: Flask, settings: Settings) -> Iterator[list[str]]:
    """Make the board cache live (as its PostgreSQL listener would) and record which requests reach Flask."""
    cache = boardcache.cache_for(settings.database_url)
    cache.set_live(True)
    lane = app.wsgi_app
    assert isinstance(lane, BoardFastLane)
    inner = lane.app
    calls: list[str] = []

    def counted(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        calls.append(environ["PATH_INFO"] + "?" + environ.get("QUERY_STRING", ""))
        return inner(environ, start_response)

    lane.app = counted
    yield calls
    lane.app = inner
    cache.set_live(False)


def _same(first: Any, second: Any) -> None:
    assert (first.status_code, first.data) == (second.status_code, second.data)
    for name in ("ETag", "Cache-Control", "Content-Type", "X-Content-Type-Options", "X-Frame-Options"):
        assert first.headers.get(name) == second.headers.get(name), name


def test_a_cached_page_is_served_without_flask_and_byte_for_byte_the_same(
    client: FlaskClient, world: World, flask_calls: list[str]
) -> None:
    for url in (
        f"/api/v1/phases/{world.open_phase_id}/leaderboard",
        f"/api/v1/phases/{world.open_phase_id}/leaderboard?split=public&page=1&per_page=20",
        f"/api/v1/phases/{world.closed_phase_id}/leaderboard?split=private",
    ):
        flask_calls.clear()
        from_flask = client.get(url)
        from_lane = client.get(url)
        assert len(flask_calls) == 1, "the first request fills the cache, the second does not reach Flask"
        _same(from_flask, from_lane)
        etag = from_lane.headers["ETag"]
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
        assert client.get(url, headers={"If-None-Match": "*"}).status_code == 304
        assert len(flask_calls) == 1


def test_everything_else_goes_to_flask(app: Flask, client: FlaskClient, world: World, flask_calls: list[str]) -> None:
    make_user(app, "ivy")
    make_user(app, "org", organizer_of="demo")
    ivy, org = token_for(client, "ivy"), token_for(client, "org")
    board = f"/api/v1/phases/{world.open_phase_id}/leaderboard"
    client.get(board)
    assert client.get(board + "?split=private", headers=org).status_code == 200  # cached now
    flask_calls.clear()
    assert client.get(board + "?split=private").status_code == 401  # not ended: refused, by Flask
    assert client.get(board, headers=ivy).status_code == 200  # a token: Flask decides
    assert client.get(board + "?split=both").status_code == 400
    assert client.get(board + "?lang=zh-CN").status_code == 200  # sets a cookie
    assert client.get("/api/v1/phases/9999/leaderboard").status_code == 404
    assert len(flask_calls) == 5


def test_a_commit_is_seen_at_once(app: Flask, client: FlaskClient, world: World, flask_calls: list[str]) -> None:
    url = f"/api/v1/phases/{world.open_phase_id}/leaderboard"
    client.get(url)
    assert client.get(url).get_json()["ladder"] is False
    with app.app_context():
        phase = db.session.get(Phase, world.open_phase_id)
        assert phase is not None
        phase.use_ladder = True
        db.session.commit()
    assert client.get(url).get_json()["ladder"] is True
