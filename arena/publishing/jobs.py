"""rq entry point of the dry run: a thin adapter that opens a session and calls the domain."""

from __future__ import annotations

from typing import Any

from arena.db import session_scope
from arena.publishing.dryruns import execute_dry_run
from arena.runtime import runtime_for
from arena.settings import Settings


def dry_run(payload: dict[str, Any]) -> str:
    """Score a dry run's sandboxed references; return 'finished' or 'missing'."""
    settings = Settings.from_env()
    runtime = runtime_for(settings)
    with session_scope(runtime.sessions) as session:
        found = execute_dry_run(session, settings, runtime.store, int(payload["dry_run_id"]))
        return "finished" if found is not None else "missing"
