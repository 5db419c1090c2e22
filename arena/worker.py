"""The evaluation worker process: reconcile the database with the queue, then work jobs."""

from __future__ import annotations

import logging
import os
import threading

from rq import SimpleWorker, Worker
from rq.serializers import JSONSerializer

from arena import events
from arena.db import session_scope
from arena.queueing import get_queue, reconcile
from arena.reruns import reconcile_reruns
from arena.runtime import runtime_for
from arena.settings import Settings

log = logging.getLogger(__name__)


def reconcile_once(settings: Settings) -> int:
    """Re-enqueue submissions and re-runs the queue lost or a dead worker left, and settle statistics it left
    stale; return how many submissions were re-enqueued."""
    runtime = runtime_for(settings)
    with session_scope(runtime.sessions) as session:
        requeued = reconcile(session, settings)
        reconcile_reruns(session, settings)
        events.settle_all(session, runtime.store)
        return requeued


def _reconcile_forever(settings: Settings, every: float, stop: threading.Event) -> None:
    while not stop.wait(every):
        try:
            reconcile_once(settings)
        except Exception:
            log.exception("reconciling the queue failed; will retry")


def run_worker(settings: Settings, *, burst: bool = False, simple: bool = False, reconcile_every: float = 60.0) -> bool:
    """Work evaluation jobs until stopped (or until the queue is empty with ``burst``)."""
    # Jobs read their settings from the environment, as in any other worker process.
    os.environ.update(settings.to_env())
    reconcile_once(settings)
    queue = get_queue(settings)
    worker_class = SimpleWorker if simple else Worker
    worker = worker_class([queue], connection=queue.connection, serializer=JSONSerializer)
    stop = threading.Event()
    if not burst:
        threading.Thread(target=_reconcile_forever, args=(settings, reconcile_every, stop), daemon=True).start()
    try:
        return bool(worker.work(burst=burst, with_scheduler=False))
    finally:
        stop.set()
