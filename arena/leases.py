"""Leases: a short-lived Redis key that says "a live worker is evaluating this submission".

A worker holds the lease for the whole evaluation (or an organizer's re-run, ``rerun_subject``) and renews
it from a background thread. If the worker dies (killed, out of memory, machine gone) the key expires within
``lease_seconds`` and the reconciler knows the run is orphaned: it removes the run's containers and queues it
again.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from redis import Redis

from arena.runtime import redis_connection
from arena.settings import Settings


def rerun_subject(rerun_id: int) -> str:
    """Return the lease subject of an organizer's re-run (a submission's subject is its id)."""
    return f"rerun-{rerun_id}"


def lease_key(settings: Settings, subject: int | str) -> str:
    """Return the Redis key of a submission's (or a re-run's) lease."""
    return f"arena:{settings.queue_name}:lease:{subject}"


def lease_alive(settings: Settings, subject: int | str) -> bool:
    """Whether a live worker holds the submission's (or re-run's) lease."""
    return bool(redis_connection(settings.redis_url).exists(lease_key(settings, subject)))


def _renew(redis: Redis, key: str, seconds: int, stop: threading.Event) -> None:
    while not stop.wait(max(seconds / 3, 0.2)):
        redis.set(key, "1", ex=seconds)


@contextmanager
def held_lease(settings: Settings, subject: int | str) -> Iterator[None]:
    """Hold the submission's (or re-run's) lease while the block runs, renewing it in the background."""
    redis = redis_connection(settings.redis_url)
    key = lease_key(settings, subject)
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
