"""How web and worker processes log: readable lines, or one JSON object per line for log collectors.

``ARENA_LOG_FORMAT=json`` makes every record one line holding ``time`` (UTC, ISO 8601), ``level``, ``logger``
and ``message``, plus the ids that say what it is about: ``worker`` (the worker's name, in worker processes)
and ``submission_id`` (while a worker evaluates one submission, or when the call passes it in ``extra``).
An exception's traceback goes in ``exception``.
"""

from __future__ import annotations

import contextvars
import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TextIO

FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(name)s %(levelname)s %(message)s"
IDS = ("worker", "submission_id")

# For the web server's own loggers (startup lines and the access log): the same JSON lines.
SERVER_JSON_CONFIG: dict[str, Any] = {
    "formatters": {
        "generic": {"()": "arena.logconfig.JsonFormatter"},
        "access": {"()": "arena.logconfig.JsonFormatter"},
    }
}

_bound: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar("arena_log_ids", default=None)


class JsonFormatter(logging.Formatter):
    """Format a record as one JSON object on one line."""

    def __init__(self, defaults: dict[str, Any] | None = None) -> None:
        super().__init__()
        self.ids = dict(defaults or {})

    def format(self, record: logging.LogRecord) -> str:
        """Return the record as JSON: time, level, logger, message, the ids known, and any exception."""
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        ids = {**self.ids, **(_bound.get() or {})}
        for name in IDS:
            value = getattr(record, name, ids.get(name))
            if value is not None and value != "":
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class _ArenaHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The handler ``configure`` installs, recognised so that configuring again replaces it."""


def configure(log_format: str, *, worker: str = "", stream: TextIO | None = None) -> logging.Handler:
    """Send the root logger's records (INFO and up) to ``stream`` (stderr) as text or JSON lines; return the handler.

    Configuring again replaces the handler installed before, so a process never logs a line twice.
    """
    if log_format not in FORMATS:
        raise ValueError(f"ARENA_LOG_FORMAT must be one of {', '.join(FORMATS)}, not {log_format!r}")
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _ArenaHandler)]:
        root.removeHandler(handler)
    handler = _ArenaHandler(stream or sys.stderr)
    if log_format == "json":
        handler.setFormatter(JsonFormatter({"worker": worker} if worker else None))
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > logging.INFO:
        root.setLevel(logging.INFO)
    return handler


@contextmanager
def bound(**ids: Any) -> Iterator[None]:
    """Add ids (e.g. ``submission_id``) to every JSON record logged in this context."""
    token = _bound.set({**(_bound.get() or {}), **ids})
    try:
        yield
    finally:
        _bound.reset(token)
