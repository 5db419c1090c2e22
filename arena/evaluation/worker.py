"""The evaluation worker process: reconcile the database with the queue, then work jobs, riding out Redis outages.

rq's work loop quits on any Redis error it does not expect (its work-horse monitor, the bookkeeping after a
job); ``run_worker`` then waits for Redis with back-off, reconciles what Redis lost and starts a fresh rq
worker in the same process, so evaluation goes on without anyone restarting it.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from datetime import UTC, datetime
from typing import Any

from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rq import SimpleWorker, Worker
from rq.serializers import JSONSerializer

from arena import events
from arena.db import session_scope
from arena.evaluation.heartbeats import Heartbeat, beat, forget, identity, ttl_seconds
from arena.evaluation.queueing import enqueue_grace, get_queue, reap_orphans, reconcile
from arena.evaluation.reruns import reconcile_reruns
from arena.runtime import redis_connection, runtime_for
from arena.settings import Settings

log = logging.getLogger(__name__)

MAX_REDIS_WAIT_SECONDS = 10.0
STEADY_SECONDS = 60.0


class _RidesOutRedisOutages:
    """rq worker behaviour for outages: a lost heartbeat never abandons the running job."""

    # rq's own dequeue loop backs off up to a minute; ten seconds lets it notice a returned Redis sooner.
    max_connection_wait_time = MAX_REDIS_WAIT_SECONDS
    stop_signalled = False

    def request_stop(self, signum: Any, frame: Any) -> None:
        """Remember that a signal asked the worker to stop (rq records it only while a job runs), then stop."""
        self.stop_signalled = True
        super().request_stop(signum, frame)  # type: ignore[misc]

    def maintain_heartbeats(self, job: Any, execution: Any) -> None:
        """Send rq's heartbeats, logging instead of quitting when Redis does not answer."""
        try:
            super().maintain_heartbeats(job, execution)  # type: ignore[misc]
        except (RedisConnectionError, RedisTimeoutError) as error:
            log.warning("Redis does not answer while job %s runs (%s); the run goes on", job.id, error)


class EvaluationWorker(_RidesOutRedisOutages, Worker):
    """rq's forking worker (each job in a work horse) that keeps monitoring its job through a Redis outage."""


class SimpleEvaluationWorker(_RidesOutRedisOutages, SimpleWorker):
    """rq's in-process worker with the same outage behaviour: the default, since a job that re-opens its
    database connections and re-reads its key in a fresh work horse costs more than a trivial run."""


def reconcile_once(settings: Settings) -> int:
    """Re-enqueue submissions and re-runs the queue lost or a dead worker left, and settle statistics it left
    stale; return how many submissions were re-enqueued."""
    runtime = runtime_for(settings)
    with session_scope(runtime.sessions) as session:
        requeued = reconcile(session, settings)
        reconcile_reruns(session, settings)
        events.settle_all(session, runtime.store)
        return requeued


def sweep_once(settings: Settings) -> int:
    """Queue again the submissions whose worker died (their lease expired); return how many."""
    runtime = runtime_for(settings)
    with session_scope(runtime.sessions) as session:
        return reap_orphans(session, settings)


def _redis_run_id(redis: Redis) -> str:
    info: Any = redis.info("server")  # typed differently across redis-py versions
    return str(info.get("run_id", ""))


class _Reconciler:
    """The worker's background duty: a cheap orphan sweep every ``sweep_seconds``, a full reconcile every
    ``reconcile_seconds``, and full reconciles right after Redis restarted (it may have lost the queue)."""

    def __init__(self, settings: Settings, heartbeat: Heartbeat | None = None) -> None:
        self.settings = settings
        self.heartbeat = heartbeat
        self.stop = threading.Event()
        self._run_id = ""
        self._next_full = time.monotonic() + settings.reconcile_seconds
        self._full_until = 0.0

    def redis_restarted(self) -> None:
        """Reconcile fully on every sweep for one enqueue grace period, so nothing Redis lost waits a minute."""
        self._full_until = time.monotonic() + enqueue_grace(self.settings).total_seconds() + self.settings.sweep_seconds

    def tick(self) -> None:
        """Renew the worker's heartbeat and run one sweep (and a full reconcile when one is due)."""
        redis = redis_connection(self.settings.redis_url)
        if self.heartbeat is not None:
            beat(redis, self.heartbeat, ttl_seconds(self.settings))
        run_id = _redis_run_id(redis)
        if self._run_id and run_id != self._run_id:
            log.warning("Redis restarted; reconciling the queue with the database")
            self.redis_restarted()
        self._run_id = run_id
        now = time.monotonic()
        if now >= self._next_full or now < self._full_until:
            self._next_full = now + self.settings.reconcile_seconds
            reconcile_once(self.settings)
        else:
            sweep_once(self.settings)

    def forever(self) -> None:
        """Tick until stopped, logging (never raising) failures such as Redis being away."""
        while not self.stop.wait(self.settings.sweep_seconds):
            try:
                self.tick()
            except RedisError as error:  # an outage: say so once per sweep, without a traceback
                log.warning("reconciling the queue failed, Redis does not answer (%s); will retry", error)
            except Exception:
                log.exception("reconciling the queue failed; will retry")


def wait_for_redis(settings: Settings, stop: threading.Event | None = None) -> bool:
    """Block until Redis answers, backing off from 0.5 s up to 10 s and logging each attempt; False if stopped."""
    redis = redis_connection(settings.redis_url)
    delay, attempt = 0.5, 0
    while stop is None or not stop.is_set():
        attempt += 1
        try:
            redis.ping()
            if attempt > 1:
                log.info("Redis at %s answers again after %d attempts", settings.redis_url, attempt)
            return True
        except (RedisError, OSError) as error:
            log.warning(
                "Redis at %s does not answer (attempt %d: %s); retrying in %.1f s",
                settings.redis_url,
                attempt,
                error,
                delay,
            )
        if stop is not None and stop.wait(delay):
            return False
        if stop is None:
            time.sleep(delay)
        delay = min(delay * 2, MAX_REDIS_WAIT_SECONDS)
    return False


def run_worker(settings: Settings, *, burst: bool = False, simple: bool | None = None) -> bool:
    """Work evaluation jobs until stopped (or until the queue is empty with ``burst``), surviving Redis outages.

    Jobs run in this process unless ``simple`` is False, or is None and ``settings.worker_fork`` is set.
    """
    # Jobs read their settings from the environment, as in any other worker process.
    os.environ.update(settings.to_env())
    in_process = not settings.worker_fork if simple is None else simple
    worker_class = SimpleEvaluationWorker if in_process else EvaluationWorker
    heartbeat = identity(settings, datetime.now(UTC))
    reconciler = _Reconciler(settings, heartbeat)
    if not burst:
        wait_for_redis(settings)
        beat(redis_connection(settings.redis_url), heartbeat, ttl_seconds(settings))
    reconcile_once(settings)
    if not burst:
        threading.Thread(target=reconciler.forever, daemon=True, name="arena-reconciler").start()
    worked = False
    restart_delay = 0.5
    try:
        while True:
            # One queue per resource class this host serves; rq takes from them in this order.
            queues = [get_queue(settings, resource_class) for resource_class in heartbeat.classes]
            worker = worker_class(queues, connection=queues[0].connection, serializer=JSONSerializer)
            started = time.monotonic()
            try:
                worked = bool(worker.work(burst=burst, with_scheduler=False)) or worked
            except (RedisConnectionError, RedisTimeoutError) as error:
                # rq's teardown talks to Redis too; an outage there must not end the process.
                log.warning("the rq worker lost Redis while stopping: %s", error)
            if burst or worker.stop_signalled:
                return worked
            _stop_on_signals(reconciler.stop)
            # A worker that keeps failing at once is restarted ever more slowly, not in a tight loop.
            restart_delay = 0.5 if time.monotonic() - started > STEADY_SECONDS else min(restart_delay * 2, 10.0)
            log.warning("the rq worker stopped on an error; working again once Redis answers")
            if reconciler.stop.wait(restart_delay) or not wait_for_redis(settings, reconciler.stop):
                return worked
            reconciler.redis_restarted()
            try:
                reconcile_once(settings)
            except Exception:
                log.exception("reconciling the queue after an outage failed; the sweep will retry")
    finally:
        reconciler.stop.set()
        if not burst:
            try:
                forget(redis_connection(settings.redis_url), heartbeat)
            except RedisError:
                log.warning("could not remove the worker's heartbeat; it expires by itself")


def _stop_on_signals(stop: threading.Event) -> None:
    # Between two rq workers nobody listens for SIGTERM/SIGINT; let them end the wait (and the process).
    if threading.current_thread() is threading.main_thread():
        for number in (signal.SIGTERM, signal.SIGINT):
            signal.signal(number, lambda _signum, _frame: stop.set())
