"""Leaderboard pages as readers get them: one facts lookup and a process-local cache of rendered pages.

On PostgreSQL every committed change to a table a board page is made of (challenge, track, phase, team,
leaderboard_entry) sends a notification on the ``arena_boards`` channel (statement triggers installed by the
schema, see ``arena.models.notify``). A listener thread per process clears the cache when one arrives, so a
cached page is valid exactly until the next relevant commit and a cached request runs no query at all.
Without a live listener (SQLite, or the listening connection lost and not yet back) nothing is cached and
every request reads the database. A commit made by this process clears its own caches at once (other
processes follow on the notification, normally within a millisecond), so a writer reads its own writes.

Permissions are still decided per request from the cached facts and the current time, so a phase that ends
or a freeze that starts takes effect at once.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
from sqlalchemy import event, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from arena.boards.board import Board
from arena.boards.pages import board_page
from arena.errors import NotFound
from arena.models import Challenge, Phase, Track
from arena.models.notify import BOARDS_CHANNEL
from arena.permissions import Resource
from arena.storage import BlobStore

log = logging.getLogger(__name__)

CAPACITY = 1024


@dataclass(frozen=True)
class BoardFacts:
    """What a leaderboard request needs to know about a phase, read in one query."""

    phase_id: int
    challenge_id: int
    challenge_published: bool
    closes_at: datetime
    freeze_at: datetime | None
    hide_logs: bool
    use_ladder: bool
    direction: str
    precision: int
    score_version: int
    board_stamp: int
    statistics_stale: bool

    def challenge_resource(self) -> Resource:
        """Describe the phase's challenge for the permission policy."""
        return Resource(challenge_published=self.challenge_published)

    def resource(self, now: datetime) -> Resource:
        """Describe the phase at ``now`` for the permission policy."""
        return Resource.of_phase(
            challenge_published=self.challenge_published, closes_at=self.closes_at, hide_logs=self.hide_logs, now=now
        )


@dataclass(frozen=True)
class RenderedPage:
    """One page of a board with its rows already serialized to JSON."""

    rows_json: bytes
    total: int
    page: int
    per_page: int
    pages: int


class BoardCache:
    """A thread-safe LRU of facts and rendered pages, valid while the invalidation listener is live."""

    def __init__(self, capacity: int = CAPACITY) -> None:
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._capacity = capacity
        self._generation = 0
        self._live = False

    def generation(self) -> int | None:
        """Return the current generation, or None when nothing may be cached."""
        with self._lock:
            return self._generation if self._live else None

    def get(self, key: Hashable) -> Any:
        """Return the cached value for ``key`` or None."""
        with self._lock:
            if not self._live:
                return None
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def put(self, key: Hashable, generation: int | None, value: Any) -> None:
        """Cache ``value`` if no invalidation happened since ``generation`` was read."""
        with self._lock:
            if generation is None or not self._live or generation != self._generation:
                return
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self._capacity:
                self._entries.popitem(last=False)

    def invalidate(self) -> None:
        """Forget everything (a relevant change was committed)."""
        with self._lock:
            self._generation += 1
            self._entries.clear()

    def set_live(self, live: bool) -> None:
        """Turn caching on (the listener is listening) or off (it is not), forgetting everything."""
        with self._lock:
            self._live = live
            self._generation += 1
            self._entries.clear()

    @property
    def live(self) -> bool:
        """Whether the cache is in use."""
        with self._lock:
            return self._live


def _listen(dsn: str, cache: BoardCache, stop: threading.Event) -> None:
    backoff = 0.5
    while not stop.is_set():
        try:
            with psycopg.connect(dsn, autocommit=True) as conn:
                conn.execute(f"LISTEN {BOARDS_CHANNEL}")
                cache.set_live(True)
                backoff = 0.5
                while not stop.is_set():
                    for _ in conn.notifies(timeout=1.0):
                        cache.invalidate()
        except Exception as exc:  # noqa: BLE001 - any failure means we can no longer trust the cache
            log.warning("board cache listener lost its connection (%s); caching is off until it is back", exc)
        cache.set_live(False)
        stop.wait(backoff)
        backoff = min(backoff * 2, 10.0)


_CACHES: dict[tuple[int, str], BoardCache] = {}
_CACHES_LOCK = threading.Lock()


def invalidate_all() -> None:
    """Clear every board cache of this process."""
    with _CACHES_LOCK:
        caches = list(_CACHES.values())
    for cache in caches:
        cache.invalidate()


_WROTE = "arena_board_cache_wrote"


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, _context: object) -> None:
    session.info[_WROTE] = True


@event.listens_for(Session, "do_orm_execute")
def _executed(state: Any) -> None:
    if not state.is_select:
        state.session.info[_WROTE] = True


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    if session.info.pop(_WROTE, False):
        invalidate_all()


def cache_for(database_url: str) -> BoardCache:
    """Return this process's board cache for ``database_url``, starting its listener on PostgreSQL."""
    key = (os.getpid(), database_url)
    with _CACHES_LOCK:
        cache = _CACHES.get(key)
        if cache is None:
            cache = _CACHES[key] = BoardCache()
            url = make_url(database_url)
            if url.get_backend_name() == "postgresql":
                dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
                threading.Thread(
                    target=_listen, args=(dsn, cache, threading.Event()), name="board-cache-listener", daemon=True
                ).start()
        return cache


def wait_live(cache: BoardCache, timeout: float) -> bool:
    """Wait up to ``timeout`` seconds for the cache's listener to be live; return whether it is."""
    deadline = time.monotonic() + timeout
    while not cache.live and time.monotonic() < deadline:
        time.sleep(0.01)
    return cache.live


def _facts_key(phase_id: int) -> tuple[str, int]:
    return ("facts", phase_id)


def _page_key(facts: BoardFacts, board: Board, page: int, per_page: int) -> tuple[Any, ...]:
    return ("page", facts.phase_id, board, facts.score_version, page, per_page)


def cached_facts(cache: BoardCache, phase_id: int) -> BoardFacts | None:
    """Return the phase's facts if they are cached and valid, without touching the database."""
    found: BoardFacts | None = cache.get(_facts_key(phase_id))
    return found


def cached_page(cache: BoardCache, facts: BoardFacts, board: Board, page: int, per_page: int) -> RenderedPage | None:
    """Return a board page if it is cached and valid, without touching the database."""
    found: RenderedPage | None = cache.get(_page_key(facts, board, page, per_page))
    return found


def board_facts(session: Session, cache: BoardCache, phase_id: int) -> BoardFacts:
    """Return the phase's facts (cached while valid); NotFound if there is no such phase."""
    found = cached_facts(cache, phase_id)
    if found is not None:
        return found
    generation = cache.generation()
    row = session.execute(
        select(
            Phase.id.label("phase_id"),
            Track.challenge_id,
            Challenge.is_published.label("challenge_published"),
            Phase.closes_at,
            Phase.freeze_at,
            Phase.hide_logs,
            Phase.use_ladder,
            Track.direction,
            Track.precision,
            Phase.score_version,
            Phase.board_stamp,
            Phase.statistics_stale,
        )
        .join(Track, Track.id == Phase.track_id)
        .join(Challenge, Challenge.id == Track.challenge_id)
        .where(Phase.id == phase_id)
    ).first()
    if row is None:
        raise NotFound("no phase %(id)s", params={"id": phase_id})
    facts = BoardFacts(**row._asdict())
    cache.put(_facts_key(phase_id), generation, facts)
    return facts


def rendered_page(
    session: Session,
    store: BlobStore,
    cache: BoardCache,
    facts: BoardFacts,
    board: Board,
    page: int,
    per_page: int,
) -> RenderedPage:
    """Return one page of a board with its rows serialized (cached while valid)."""
    found = cached_page(cache, facts, board, page, per_page)
    if found is not None:
        return found
    generation = cache.generation()
    phase = session.get(Phase, facts.phase_id)
    if phase is None:
        raise NotFound("no phase %(id)s", params={"id": facts.phase_id})
    result = board_page(session, store, phase, board, page, per_page)
    rows = [row.to_dict(facts.precision, statistics=board == Board.PRIVATE) for row in result.rows]
    rendered = RenderedPage(
        rows_json=json.dumps(rows, ensure_ascii=False, separators=(",", ":")).encode("utf-8"),
        total=result.total,
        page=result.page,
        per_page=result.per_page,
        pages=result.pages,
    )
    cache.put(_page_key(facts, board, page, per_page), generation, rendered)
    return rendered
