"""Bounded capture of a container's output: keep the head and the tail, count what was dropped."""

from __future__ import annotations

import threading
from collections.abc import Iterable

TRUNCATION_MARKER = "\n[... {dropped} bytes of output truncated by the sandbox ...]\n"


class BoundedLog:
    """Collects a byte stream, keeping at most `limit` bytes: the first half and the most recent half."""

    def __init__(self, limit: int) -> None:
        self._limit = max(0, limit)
        self._head_cap = self._limit // 2
        self._tail_cap = self._limit - self._head_cap
        self._head = bytearray()
        self._tail = bytearray()
        self._total = 0
        self._lock = threading.Lock()

    def feed(self, chunk: bytes) -> None:
        """Append a chunk, discarding the middle once the budget is used up."""
        if not chunk:
            return
        with self._lock:
            self._total += len(chunk)
            room = self._head_cap - len(self._head)
            if room > 0:
                self._head += chunk[:room]
                chunk = chunk[room:]
            if chunk and self._tail_cap:
                self._tail += chunk[-self._tail_cap :]
                if len(self._tail) > self._tail_cap:
                    del self._tail[: len(self._tail) - self._tail_cap]

    @property
    def total_bytes(self) -> int:
        """Bytes seen so far, kept or not."""
        return self._total

    @property
    def truncated(self) -> bool:
        """True when some bytes were dropped."""
        return self._total > len(self._head) + len(self._tail)

    def text(self) -> str:
        """Return the kept bytes as text, with a marker where bytes were dropped."""
        with self._lock:
            head = self._head.decode("utf-8", errors="replace")
            tail = self._tail.decode("utf-8", errors="replace")
            dropped = self._total - len(self._head) - len(self._tail)
        if dropped > 0:
            return head + TRUNCATION_MARKER.format(dropped=dropped) + tail
        return head + tail


def pump(frames: Iterable[tuple[int, bytes]], stdout: BoundedLog, stderr: BoundedLog) -> None:
    """Drain multiplexed (stream number, chunk) frames into the two logs until the stream ends."""
    for stream, chunk in frames:
        (stderr if stream == 2 else stdout).feed(chunk)
