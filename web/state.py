"""Per-app Arena objects (settings, blob store) and the request's DB session, for views."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from flask import Flask, current_app
from sqlalchemy.orm import Session

from arena.boards import BoardCache, cache_for
from arena.db import utcnow
from arena.runtime import runtime_for
from arena.settings import Settings
from arena.storage import BlobStore
from web.extensions import db

EXTENSION_KEY = "arena"


@dataclass(frozen=True)
class ArenaState:
    """What the app factory prepares once per app."""

    settings: Settings
    store: BlobStore


def install(app: Flask, settings: Settings) -> ArenaState:
    """Attach Arena's objects to ``app``."""
    state = ArenaState(settings=settings, store=runtime_for(settings).store)
    app.extensions[EXTENSION_KEY] = state
    return state


def current_state() -> ArenaState:
    """Return the current app's Arena objects."""
    state: ArenaState = current_app.extensions[EXTENSION_KEY]
    return state


def settings() -> Settings:
    """Return the current app's settings."""
    return current_state().settings


def store() -> BlobStore:
    """Return the current app's blob store."""
    return current_state().store


def session() -> Session:
    """Return the request's database session."""
    return db.session()


def lazy_session() -> Session:
    """Return the request's session as a proxy that opens it only when first used (for cache-first views)."""
    return cast(Session, db.session)


def board_cache() -> BoardCache:
    """Return this process's leaderboard page cache for the app's database."""
    return cache_for(settings().database_url)


def now() -> datetime:
    """Return the current UTC time."""
    return utcnow()
