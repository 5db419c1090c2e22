"""A progress bar on the terminal (standard error), drawn only when it is a terminal or when asked."""

from __future__ import annotations

import sys
import time
from typing import TextIO

WIDTH = 28


def human_bytes(count: float) -> str:
    """Return a byte count in B, KiB, MiB or GiB."""
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(count) < 1024 or unit == "GiB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1024
    return f"{count:.1f} GiB"


class Progress:
    """Bytes done out of a total, redrawn at most ten times a second."""

    def __init__(
        self, label: str, total: int, *, start: int = 0, stream: TextIO | None = None, enabled: bool | None = None
    ):
        self.label = label
        self.total = total
        self.done = start
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self._drawn = 0.0
        self._began = time.monotonic()
        self._start = start

    def advance(self, count: int) -> None:
        """Count ``count`` more bytes and redraw if it is time."""
        self.done += count
        if self.enabled and (time.monotonic() - self._drawn >= 0.1 or self.done >= self.total):
            self.draw()

    def line(self) -> str:
        """Return the bar as text: label, bar, percentage, bytes and speed."""
        fraction = min(self.done / self.total, 1.0) if self.total else 1.0
        filled = int(fraction * WIDTH)
        elapsed = max(time.monotonic() - self._began, 1e-6)
        speed = (self.done - self._start) / elapsed
        bar = "#" * filled + "-" * (WIDTH - filled)
        return (
            f"{self.label} [{bar}] {fraction * 100:5.1f}% "
            f"{human_bytes(self.done)}/{human_bytes(self.total)} {human_bytes(speed)}/s"
        )

    def draw(self) -> None:
        """Redraw the bar in place."""
        self._drawn = time.monotonic()
        self.stream.write("\r" + self.line())
        self.stream.flush()

    def finish(self) -> None:
        """Draw the final state and end the line."""
        if self.enabled:
            self.draw()
            self.stream.write("\n")
            self.stream.flush()
