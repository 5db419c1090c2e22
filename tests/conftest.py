"""Shared fixtures: a fresh database (SQLite, or PostgreSQL when asked), a real Redis, settings and storage."""

from __future__ import annotations

import os
import shutil
import signal
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis import Redis
from sqlalchemy import text
from sqlalchemy.orm import Session

from arena.db import Base, make_engine, make_session_factory
from arena.evaluation.keys import KEYS
from arena.localredis import private_redis
from arena.runtime import close_runtimes
from arena.settings import Settings
from arena.storage import BlobStore

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A real Redis: ARENA_TEST_REDIS_URL if given, else a private redis-server started for this run."""
    given = os.environ.get("ARENA_TEST_REDIS_URL")
    if given:
        Redis.from_url(given).ping()
        yield given
        return
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is not installed: run `make test` (it installs it) or set ARENA_TEST_REDIS_URL")
    with private_redis() as url:
        yield url


def database_url_for(tmp_path: Path) -> str:
    """Return the database URL for one test: a fresh SQLite file, or the PostgreSQL test database."""
    return os.environ.get("ARENA_TEST_DATABASE_URL") or f"sqlite:///{tmp_path}/arena.sqlite"


def reset_database(url: str) -> None:
    """Drop and recreate every table."""
    engine = make_engine(url)
    try:
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        Base.metadata.create_all(engine)
    finally:
        engine.dispose()


@pytest.fixture
def settings(tmp_path: Path, redis_url: str) -> Iterator[Settings]:
    """Settings for one test: its own data folder, database, and Redis queue name."""
    url = database_url_for(tmp_path)
    reset_database(url)
    value = Settings(
        database_url=url,
        redis_url=redis_url,
        data_dir=tmp_path / "data",
        secret_key="test-secret",
        queue_name=f"test-{uuid.uuid4().hex[:12]}",
        testing=True,
        max_infra_retries=2,
    )
    yield value


@pytest.fixture
def session(settings: Settings) -> Iterator[Session]:
    """A session on the test database."""
    engine = make_engine(settings.database_url)
    factory = make_session_factory(engine)
    with factory() as db_session:
        yield db_session
    engine.dispose()


@pytest.fixture
def store(settings: Settings) -> BlobStore:
    """The blob store under the test's data folder."""
    return BlobStore(settings.data_dir)


@pytest.fixture
def worker_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Expose the test settings to rq jobs, which read ARENA_* like any worker process."""
    for key, value in settings.to_env().items():
        monkeypatch.setenv(key, value)
    return settings


@pytest.fixture(autouse=True)
def _signal_handlers_restored() -> Iterator[None]:
    """Put back SIGTERM/SIGINT handling after each test: an rq worker run inside a test installs its own."""
    handlers = {number: signal.getsignal(number) for number in (signal.SIGTERM, signal.SIGINT)}
    yield
    for number, handler in handlers.items():
        signal.signal(number, handler)


@pytest.fixture(autouse=True)
def _fresh_runtimes() -> Iterator[None]:
    """Close and forget the per-process runtimes a test used (and the keys it parsed), so none outlives it."""
    yield
    close_runtimes()
    KEYS.clear()
