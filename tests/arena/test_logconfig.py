"""Log formats: one JSON object per line with the ids a record is about, or the readable text lines."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from arena import logconfig


@pytest.fixture
def restore_root() -> Iterator[None]:
    """Leave the root logger as it was found."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_json_lines_hold_time_level_logger_message_and_the_ids(restore_root: None) -> None:
    stream = io.StringIO()
    logconfig.configure("json", worker="gpu-host-1", stream=stream)
    log = logging.getLogger("arena.test")
    log.info("started")
    with logconfig.bound(submission_id=42):
        log.warning("submission %s needs a gpu", 42)
    log.info("from the call", extra={"submission_id": 7})
    try:
        raise ValueError("broken")
    except ValueError:
        log.exception("it failed")
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert len(lines) == 4
    first, second, third, fourth = lines
    assert set(first) == {"time", "level", "logger", "message", "worker"}
    assert first["level"] == "INFO" and first["logger"] == "arena.test" and first["message"] == "started"
    assert first["worker"] == "gpu-host-1" and first["time"].endswith("+00:00")
    assert second["submission_id"] == 42 and second["message"] == "submission 42 needs a gpu"
    assert second["level"] == "WARNING"
    assert third["submission_id"] == 7 and "submission_id" not in first
    assert "ValueError: broken" in fourth["exception"] and fourth["level"] == "ERROR"


def test_configuring_again_replaces_the_handler_and_text_stays_readable(restore_root: None) -> None:
    first, second = io.StringIO(), io.StringIO()
    logconfig.configure("json", stream=first)
    logconfig.configure("text", stream=second)
    logging.getLogger("arena.test").info("once")
    assert first.getvalue() == ""
    assert second.getvalue().rstrip().endswith("arena.test INFO once")
    with pytest.raises(ValueError, match="ARENA_LOG_FORMAT"):
        logconfig.configure("xml")
