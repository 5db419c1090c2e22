"""Watching one run from the worker: its log stream (attached before start) and its memory high-water mark."""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass, field
from typing import Any, cast

import docker

from sandbox.engine import ENGINE_ERRORS
from sandbox.logs import BoundedLog


@dataclass
class RunWatch:
    """Mutable bookkeeping for one run, shared with its helper threads."""

    stdout: BoundedLog
    stderr: BoundedLog
    peak_memory: int | None = None
    done: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)

    def spawn(self, role: str, target: Any, *args: Any, awaited: bool = True) -> None:
        """Run ``target(*args)`` in a daemon thread whose errors cannot mask the run's outcome.

        ``join`` waits only for awaited threads; the others must stop by themselves once ``done`` is set.
        """
        thread = threading.Thread(target=_swallow, args=(target, *args), name=f"sandbox-{role}", daemon=True)
        thread.start()
        if awaited:
            self.threads.append(thread)

    def join(self, timeout: float = 5.0) -> None:
        """Wait for the awaited helper threads (the log pump ends when the container goes away)."""
        for thread in self.threads:
            thread.join(timeout=timeout)


def track_memory(client: docker.DockerClient, container_id: str, watch: RunWatch, interval: float) -> None:
    """Sample the container's memory until the run is done, keeping the highest value seen.

    Not awaited: a sample asked for while the container exits blocks in the engine for most of a second and
    comes back empty, so the run's result never waits for it.
    """
    # One-shot samples: the cgroup v1 high-water mark (max_usage) makes a late sample enough.
    while not watch.done.is_set():
        try:
            sample = cast(dict[str, Any], client.api.stats(container_id, stream=False, one_shot=True))
        except ENGINE_ERRORS:
            return
        memory = sample.get("memory_stats") or {}
        value = memory.get("max_usage") or memory.get("usage")
        if isinstance(value, int) and value > 0:
            watch.peak_memory = max(watch.peak_memory or 0, value)
        watch.done.wait(interval)


class AttachedStream:
    """The container's multiplexed stdout/stderr socket, attached before start and closed without leaks."""

    def __init__(self, client: docker.DockerClient, container_id: str) -> None:
        api = client.api
        # The public attach helpers hide the HTTP response, which then can never be closed cleanly.
        self._response = api._post(
            api._url("/containers/{0}/attach", container_id),
            params={"stdout": 1, "stderr": 1, "stream": 1},
            stream=True,
            headers={"Connection": "Upgrade", "Upgrade": "tcp"},
        )
        api._raise_for_status(self._response)
        self.sock = api._get_raw_response_socket(self._response)
        self._raw = getattr(self.sock, "_sock", None)

    def close(self) -> None:
        """Close the HTTP response and the socket under it."""
        with contextlib.suppress(Exception):
            self._response.close()
        if self._raw is not None:
            with contextlib.suppress(OSError):
                self._raw.close()


def _swallow(target: Any, *args: Any) -> None:
    # Helper threads end when the container goes away; their errors must not mask the run's outcome.
    with contextlib.suppress(Exception):
        target(*args)
