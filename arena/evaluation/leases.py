"""Leases: a short-lived Redis key that says "a live worker is evaluating this submission".

A worker holds the lease for the whole evaluation (or an organizer's re-run, ``rerun_subject``) and renews
it from a background thread every fifth of ``lease_seconds`` (2 s by default), riding out Redis errors. If the
worker dies (killed, out of memory, machine gone) the key expires within ``lease_seconds`` and the worker's
sweep (every ``sweep_seconds``) knows the run is orphaned: it removes the run's containers and queues it again.

A Redis that restarted empty has lost every lease; a live holder sets its key again at its next renewal, so
for one lease period after a restart no lease counts as expired.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from redis import Redis
from redis.exceptions import RedisError

from arena.db import utcnow
from arena.runtime import redis_connection
from arena.settings import Settings

log = logging.getLogger(__name__)


def rerun_subject(rerun_id: int) -> str:
    """Return the lease subject of an organizer's re-run (a submission's subject is its id)."""
    return f"rerun-{rerun_id}"


def lease_key(settings: Settings, subject: int | str) -> str:
    """Return the Redis key of a submission's (or a re-run's) lease."""
    return f"arena:{settings.queue_name}:lease:{subject}"


def renew_every(settings: Settings) -> float:
    """Return how often a holder renews its lease: five chances before it expires."""
    return max(settings.lease_seconds / 5, 0.2)


def _redis_started_at(redis: Redis) -> datetime:
    info: Any = redis.info("server")  # typed differently across redis-py versions
    return utcnow() - timedelta(seconds=int(info.get("uptime_in_seconds", 0)))


def lease_alive(settings: Settings, subject: int | str, since: datetime | None = None) -> bool:
    """Whether a live worker holds the submission's (or re-run's) lease; ``since`` is when its run began."""
    return bool(live_leases(settings, {subject: since}))


def live_leases(settings: Settings, runs: Mapping[int | str, datetime | None]) -> set[int | str]:
    """Return the subjects (mapped to when their run began) whose lease a live worker holds, asking Redis once.

    A run that began before Redis last started may have lost its lease with Redis's data: it counts as held
    until Redis has been up for a whole lease, by when a live holder has set it again.
    """
    if not runs:
        return set()
    redis = redis_connection(settings.redis_url)
    redis_since = _redis_started_at(redis)
    young = utcnow() - redis_since < timedelta(seconds=settings.lease_seconds)
    subjects = list(runs)
    with redis.pipeline(transaction=False) as pipeline:
        for subject in subjects:
            pipeline.exists(lease_key(settings, subject))
        found = pipeline.execute()
    alive = {subject for subject, exists in zip(subjects, found, strict=True) if exists}
    if young:
        alive |= {subject for subject, since in runs.items() if since is not None and since < redis_since}
    return alive


def take_lease(settings: Settings, subject: int | str) -> bool:
    """Set the lease only if no one holds it; whether this caller now does (held_lease then renews it)."""
    redis = redis_connection(settings.redis_url)
    return bool(redis.set(lease_key(settings, subject), "1", ex=settings.lease_seconds, nx=True))


def release_lease(settings: Settings, subject: int | str) -> None:
    """Give up a lease taken with take_lease without running under it."""
    redis_connection(settings.redis_url).delete(lease_key(settings, subject))


def _renew(redis: Redis, key: str, seconds: int, every: float, stop: threading.Event) -> None:
    while not stop.wait(every):
        try:
            redis.set(key, "1", ex=seconds)
        except RedisError as error:  # Redis away for a moment: keep trying, the run goes on
            log.warning("could not renew lease %s: %s", key, error)


@contextmanager
def held_lease(settings: Settings, subject: int | str) -> Iterator[None]:
    """Hold the submission's (or re-run's) lease while the block runs, renewing it in the background."""
    redis = redis_connection(settings.redis_url)
    key = lease_key(settings, subject)
    seconds = settings.lease_seconds
    redis.set(key, "1", ex=seconds)
    stop = threading.Event()
    renewer = threading.Thread(
        target=_renew, args=(redis, key, seconds, renew_every(settings), stop), daemon=True, name=f"lease-{subject}"
    )
    renewer.start()
    try:
        yield
    finally:
        stop.set()
        renewer.join()
        try:
            redis.delete(key)
        except RedisError as error:  # it expires by itself within a lease
            log.warning("could not release lease %s: %s", key, error)
