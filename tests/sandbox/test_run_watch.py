"""The helper threads of a run: the result waits for the awaited ones only."""

from __future__ import annotations

import threading
import time

from sandbox.logs import BoundedLog
from sandbox.monitor import RunWatch


def test_join_waits_for_awaited_threads_only() -> None:
    watch = RunWatch(stdout=BoundedLog(100), stderr=BoundedLog(100))
    release = threading.Event()
    finished: list[str] = []
    watch.spawn("slow", lambda: (release.wait(10), finished.append("slow")), awaited=False)
    watch.spawn("quick", lambda: (time.sleep(0.05), finished.append("quick")))
    started = time.monotonic()
    watch.join(timeout=5)
    assert finished == ["quick"] and time.monotonic() - started < 2
    release.set()


def test_a_helper_error_never_escapes() -> None:
    watch = RunWatch(stdout=BoundedLog(100), stderr=BoundedLog(100))

    def broken() -> None:
        raise RuntimeError("engine went away")

    watch.spawn("broken", broken)
    watch.join()
    assert not any(t.is_alive() for t in watch.threads)
