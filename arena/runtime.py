"""Per-process objects built from settings: the engine, session factory, blob store and Redis."""

from __future__ import annotations

import functools
import os
import threading
from dataclasses import dataclass

from redis import Redis
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from arena.db import make_engine, make_session_factory
from arena.settings import Settings
from arena.storage import BlobStore, open_store


@dataclass(frozen=True)
class Runtime:
    """What a worker or CLI command needs to talk to the database, storage and queue."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    store: BlobStore

    def redis(self) -> Redis:
        """Return a Redis connection for the configured URL."""
        return redis_connection(self.settings.redis_url)


@functools.cache
def redis_connection(url: str) -> Redis:
    """Return one shared Redis client per URL in this process."""
    return Redis.from_url(url)


_RUNTIMES: dict[Settings, Runtime] = {}
_RUNTIMES_LOCK = threading.Lock()


def runtime_for(settings: Settings) -> Runtime:
    """Return this process's runtime for ``settings`` (built once)."""
    with _RUNTIMES_LOCK:
        runtime = _RUNTIMES.get(settings)
        if runtime is None:
            engine = make_engine(settings.database_url)
            runtime = Runtime(
                settings=settings,
                engine=engine,
                sessions=make_session_factory(engine),
                store=open_store(
                    settings.blob_storage_url,
                    cache_dir=settings.blob_cache_dir,
                    min_free_bytes=settings.storage_min_free_bytes,
                    cache_max_bytes=settings.cache_max_bytes,
                ),
            )
            _RUNTIMES[settings] = runtime
        return runtime


def close_runtimes() -> None:
    """Close every runtime's database connections and forget them (for process shutdown and tests)."""
    with _RUNTIMES_LOCK:
        for runtime in _RUNTIMES.values():
            runtime.engine.dispose()
        _RUNTIMES.clear()


def _forget_after_fork() -> None:
    # A forked rq work horse must neither share the parent's pooled database connections nor inherit a lock
    # that one of the parent's threads (the reconciler's sweep) held at the fork: it builds its own runtime.
    global _RUNTIMES_LOCK  # noqa: PLW0603 (replacing a lock that may be held by a thread that is gone)
    _RUNTIMES_LOCK = threading.Lock()
    for runtime in _RUNTIMES.values():
        runtime.engine.dispose(close=False)
    _RUNTIMES.clear()


os.register_at_fork(after_in_child=_forget_after_fork)
