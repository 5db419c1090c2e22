"""Leases: a short-lived Redis key that says "a live worker is evaluating this submission".

A worker holds the lease for the whole evaluation and renews it from a background thread. If the
worker dies (killed, out of memory, machine gone) the key expires within ``lease_seconds`` and the
reconciler knows the run is orphaned: it removes the run's containers and queues it again.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from redis import Redis

from arena.runtime import redis_connection
from arena.settings import Settings


def lease_key(settings: Settings, submission_id: int) -> str:
    """Return the Redis key of a submission's lease."""
    return f"arena:{settings.queue_name}:lease:{submission_id}"


def lease_alive(settings: Settings, submission_id: int) -> bool:
    """Whether a live worker holds the submission's lease."""
    return bool(redis_connection(settings.redis_url).exists(lease_key(settings, submission_id)))


def _renew(redis: Redis, key: str, seconds: int, stop: threading.Event) -> None:
    while not stop.wait(max(seconds / 3, 0.2)):
        redis.set(key, "1", ex=seconds)


@contextmanager
def held_lease(settings: Settings, submission_id: int) -> Iterator[None]:
    """Hold the submission's lease while the block runs, renewing it in the background."""
    redis = redis_connection(settings.redis_url)
    key = lease_key(settings, submission_id)
    seconds = settings.lease_seconds
    redis.set(key, "1", ex=seconds)
    stop = threading.Event()
    renewer = threading.Thread(target=_renew, args=(redis, key, seconds, stop), daemon=True)
    renewer.start()
    try:
        yield
    finally:
        stop.set()
        renewer.join()
        redis.delete(key)
