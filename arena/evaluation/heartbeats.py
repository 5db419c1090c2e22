"""Worker heartbeats: each worker says in Redis who it is, which resource classes it serves and that it is alive.

A heartbeat is one Redis key per worker that expires unless renewed, so a dead worker disappears from the list
by itself; admins read the list on their workers page and monitoring reads it through the metrics. Several
installations may share one Redis: each heartbeat names its installation's queue (ARENA_QUEUE), its key
holds that name too, and every reader lists only the workers of its own queue.
"""

from __future__ import annotations

import json
import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from redis import Redis

from arena.settings import Settings

KEY_PREFIX = "arena:worker:"


@dataclass(frozen=True)
class Heartbeat:
    """What a worker last said about itself."""

    name: str
    host: str
    pid: int
    classes: tuple[str, ...]
    started_at: datetime
    seen_at: datetime
    queue: str = ""  # the installation's queue name (ARENA_QUEUE): a Redis may serve several


def ttl_seconds(settings: Settings) -> int:
    """How long a heartbeat lives without renewal: three sweeps, and never under 15 seconds."""
    return max(3 * settings.sweep_seconds, 15)


def classes_of(settings: Settings) -> tuple[str, ...]:
    """The resource classes a worker serves, from ARENA_WORKER_CLASSES (comma-separated; cpu by default)."""
    found = tuple(dict.fromkeys(c.strip() for c in settings.worker_classes.split(",") if c.strip()))
    return found or ("cpu",)


def identity(settings: Settings, started_at: datetime) -> Heartbeat:
    """This process's heartbeat: its name (ARENA_WORKER_NAME, else host:pid), host, pid and classes."""
    host, pid = socket.gethostname(), os.getpid()
    name = settings.worker_name or f"{host}:{pid}"
    return Heartbeat(name, host, pid, classes_of(settings), started_at, started_at, settings.queue_name)


def key_of(heartbeat: Heartbeat) -> str:
    """The Redis key of a worker's heartbeat: below its installation's queue name, so names never collide."""
    return f"{KEY_PREFIX}{heartbeat.queue}:{heartbeat.name}"


def beat(redis: Redis, heartbeat: Heartbeat, ttl: int, now: datetime | None = None) -> None:
    """Write (or renew) the worker's heartbeat with the time it was seen."""
    seen = now or datetime.now(UTC)
    record = {
        "name": heartbeat.name,
        "host": heartbeat.host,
        "pid": heartbeat.pid,
        "classes": list(heartbeat.classes),
        "started_at": heartbeat.started_at.isoformat(),
        "seen_at": seen.isoformat(),
        "queue": heartbeat.queue,
    }
    redis.set(key_of(heartbeat), json.dumps(record), ex=ttl)


def forget(redis: Redis, heartbeat: Heartbeat) -> None:
    """Remove the worker's heartbeat (it stops cleanly)."""
    redis.delete(key_of(heartbeat))


def live_workers(redis: Redis, queue: str) -> list[Heartbeat]:
    """Every worker of the installation whose queue name is ``queue`` whose heartbeat has not expired, by name.

    Heartbeats of other installations sharing the Redis (another ARENA_QUEUE) are left out.
    """
    found = []
    for key in redis.scan_iter(match=KEY_PREFIX + "*", count=500):
        raw: Any = redis.get(key)
        if raw is None:
            continue
        record = json.loads(raw)
        if record.get("queue", "") != queue:
            continue
        found.append(
            Heartbeat(
                name=str(record["name"]),
                host=str(record["host"]),
                pid=int(record["pid"]),
                classes=tuple(record["classes"]),
                started_at=datetime.fromisoformat(record["started_at"]),
                seen_at=datetime.fromisoformat(record["seen_at"]),
                queue=str(record.get("queue", "")),
            )
        )
    return sorted(found, key=lambda h: h.name)


def own_heartbeats(redis: Redis, settings: Settings, host: str | None = None) -> list[Heartbeat]:
    """The live heartbeats of this installation's workers on this host: the one named ARENA_WORKER_NAME when set,
    else all on the host."""
    host = host or socket.gethostname()
    return [
        h
        for h in live_workers(redis, settings.queue_name)
        if (h.name == settings.worker_name if settings.worker_name else h.host == host)
    ]
