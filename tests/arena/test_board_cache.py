"""The leaderboard page cache: cached only while invalidation is live, and cleared by every relevant commit."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import event, text
from sqlalchemy.orm import Session

from arena.boards import cache as boardcache
from arena.boards.board import Board
from arena.boards.cache import BoardCache
from arena.db import make_engine
from arena.settings import Settings
from arena.storage import BlobStore
from tests.factories import answers, first_phase, make_challenge, make_team, make_user, mark_scored, upload


@pytest.fixture
def cache(settings: Settings) -> BoardCache:
    """This process's cache for the test database, live on PostgreSQL."""
    found = boardcache.cache_for(settings.database_url)
    if settings.database_url.startswith("postgresql"):
        assert boardcache.wait_live(found, 10.0), "the board cache listener did not connect"
    return found


@pytest.fixture
def queries(session: Session) -> Iterator[list[str]]:
    """Collect the SQL statements the test session runs."""
    seen: list[str] = []
    engine = session.get_bind()

    def record(*args: object) -> None:
        seen.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


def _eventually(check: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.01)
    return check()


def _scored_phase(session: Session, store: BlobStore, tmp_path: Path) -> int:
    challenge = make_challenge(session, store, tmp_path / "b")
    phase = first_phase(challenge)
    for name, score in (("ann", 0.5), ("ben", 0.8)):
        user = make_user(session, name)
        make_team(session, user, challenge, name=f"team {name}")
        mark_scored(session, upload(session, store, user, phase, answers(["a"] * 20)), score, score)
    return phase.id


def test_pages_are_cached_only_while_invalidation_is_live(
    settings: Settings, session: Session, store: BlobStore, tmp_path: Path, cache: BoardCache, queries: list[str]
) -> None:
    phase_id = _scored_phase(session, store, tmp_path)
    facts = boardcache.board_facts(session, cache, phase_id)
    boardcache.rendered_page(session, store, cache, facts, Board.PUBLIC, 1, 50)  # builds the board, commits
    facts = boardcache.board_facts(session, cache, phase_id)
    first = boardcache.rendered_page(session, store, cache, facts, Board.PUBLIC, 1, 50)
    assert b'"team ben"' in first.rows_json and first.rows_json.index(b"team ben") < first.rows_json.index(b"team ann")
    queries.clear()
    again = boardcache.rendered_page(
        session, store, cache, boardcache.board_facts(session, cache, phase_id), Board.PUBLIC, 1, 50
    )
    assert again.rows_json == first.rows_json
    if settings.database_url.startswith("postgresql"):
        assert queries == [], "a live cache answers a repeated request without touching the database"
    else:
        assert not cache.live and queries, "without a listener every request reads the database"


def test_a_commit_from_another_process_invalidates_through_the_notification(
    settings: Settings, session: Session, store: BlobStore, tmp_path: Path, cache: BoardCache
) -> None:
    phase_id = _scored_phase(session, store, tmp_path)
    before = boardcache.rendered_page(
        session, store, cache, boardcache.board_facts(session, cache, phase_id), Board.PUBLIC, 1, 50
    )
    session.commit()
    # A raw connection, not a Session: only the database's notification can tell this process.
    engine = make_engine(settings.database_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE team SET name = 'renamed ben' WHERE name = 'team ben'"))
        conn.execute(text("UPDATE phase SET use_ladder = :on WHERE id = :id"), {"on": True, "id": phase_id})
    engine.dispose()

    def fresh() -> bool:
        facts = boardcache.board_facts(session, cache, phase_id)
        page = boardcache.rendered_page(session, store, cache, facts, Board.PUBLIC, 1, 50)
        session.rollback()
        return facts.use_ladder and b"renamed ben" in page.rows_json

    assert b"team ben" in before.rows_json
    assert _eventually(fresh), "the cache still serves the page from before the commit"


def test_a_commit_in_this_process_is_read_back_at_once(
    session: Session, store: BlobStore, tmp_path: Path, cache: BoardCache
) -> None:
    phase_id = _scored_phase(session, store, tmp_path)
    assert not boardcache.board_facts(session, cache, phase_id).use_ladder
    session.execute(text("UPDATE phase SET use_ladder = :on WHERE id = :id"), {"on": True, "id": phase_id})
    session.commit()
    assert boardcache.board_facts(session, cache, phase_id).use_ladder


def test_the_cache_refuses_values_read_before_an_invalidation() -> None:
    cache = BoardCache(capacity=2)
    cache.set_live(True)
    generation = cache.generation()
    cache.invalidate()
    cache.put("a", generation, 1)
    assert cache.get("a") is None
    for key in ("a", "b", "c"):
        cache.put(key, cache.generation(), key)
    assert cache.get("a") is None and cache.get("c") == "c", "least recently used entries are dropped"
    cache.set_live(False)
    assert cache.get("c") is None and cache.generation() is None
