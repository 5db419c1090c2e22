"""The per-run output directory: made writable for the sandbox user, measured, and watched while running."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable
from pathlib import Path


def prepare_output_dir(path: Path, uid: int, gid: int) -> None:
    """Create the run's output directory and let the sandbox user write to it (and nobody else in)."""
    path.mkdir(parents=True, exist_ok=True)
    try:
        os.chown(path, uid, gid)
        path.chmod(0o750)
    except PermissionError:
        # Without root we cannot hand the directory over; open it up instead (it is this run's own).
        path.chmod(0o777)  # noqa: S103 - per-run directory, mounted only into this run's container


def measure_tree(path: Path, stop_after: int | None = None) -> int:
    """Return the bytes held by files under `path` (sizes as stat reports them, links not followed)."""
    total = 0
    stack = [path]
    while stack:
        current = stack.pop()
        try:
            entries = list(os.scandir(current))
        except OSError:
            continue
        for entry in entries:
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            # Count a little for every entry so millions of empty files still add up.
            total += max(info.st_size, info.st_blocks * 512) + 512
            if entry.is_dir(follow_symlinks=False):
                stack.append(Path(entry.path))
            if stop_after is not None and total > stop_after:
                return total
    return total


class OutputWatch:
    """Polls a run's output size while it goes and calls `on_exceeded` once it grows past the cap.

    ``measure`` returns the bytes in use (``measure_tree`` of the directory, or a capped area's usage).
    """

    def __init__(
        self, measure: Callable[[], int], cap_bytes: int, interval: float, on_exceeded: Callable[[], object]
    ) -> None:
        self._measure = measure
        self._cap = cap_bytes
        self._interval = interval
        self._on_exceeded = on_exceeded
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.exceeded = False

    def start(self) -> None:
        """Begin polling in a background thread."""
        self._thread = threading.Thread(target=self._loop, name="sandbox-output", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop polling and wait for the thread."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5.0)

    def _loop(self) -> None:
        while not self._stop.wait(self._interval):
            if self._measure() > self._cap:
                self.exceeded = True
                with contextlib.suppress(Exception):
                    self._on_exceeded()
                return
