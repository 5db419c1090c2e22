"""Operations: the health endpoint, Prometheus metrics, and the site admins' page of live workers."""

# mypy: allow-untyped-decorators
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import Blueprint, jsonify, render_template
from flask_login import login_required
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    SummaryMetricFamily,
)
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from arena import evaluation
from arena.permissions import Action, actor_for, require
from arena.runtime import redis_connection
from web import state
from web.auth.identity import page_user, required

bp = Blueprint("operations", __name__)


def _checks() -> dict[str, str]:
    checks = {}
    try:
        state.session().execute(text("SELECT 1"))
        checks["database"] = "ok"
    except SQLAlchemyError as error:
        state.session().rollback()
        checks["database"] = f"error: {type(error).__name__}"
    try:
        redis_connection(state.settings().redis_url).ping()
        checks["redis"] = "ok"
    except (RedisError, OSError) as error:
        checks["redis"] = f"error: {type(error).__name__}"
    return checks


@bp.route("/healthz")
def healthz() -> tuple[Response, int]:
    """Answer 200 when the database and Redis answer, else 503 naming what does not (for load balancers)."""
    checks = _checks()
    healthy = all(value == "ok" for value in checks.values())
    response = jsonify({"status": "ok" if healthy else "unavailable", **checks})
    if not healthy:
        response.headers["Retry-After"] = "10"
    return response, 200 if healthy else 503


class _EvaluationCollector:
    """Prometheus metrics read from the database and the workers' heartbeats at scrape time."""

    def collect(self) -> Iterator[Any]:
        """Yield the queue depth, submissions by status, failures by class, run durations and live workers."""
        now = state.now()
        snap = evaluation.snapshot(state.session(), now=now)
        by_status = GaugeMetricFamily("arena_submissions", "Submissions by status", labels=["status"])
        for status, count in sorted(snap.by_status.items()):
            by_status.add_metric([status], count)
        yield by_status
        queued = GaugeMetricFamily(
            "arena_queue_depth", "Submissions waiting for a worker by resource class", labels=["class"]
        )
        for kind, count in sorted(snap.queued_by_class.items()):
            queued.add_metric([kind], count)
        yield queued
        waited = GaugeMetricFamily(
            "arena_queue_oldest_seconds",
            "How long the oldest queued submission of each resource class has waited",
            labels=["class"],
        )
        for kind, seconds in sorted(snap.oldest_by_class.items()):
            waited.add_metric([kind], seconds)
        yield waited
        failures = CounterMetricFamily(
            "arena_failures_recent",
            "Failed submissions of the last 24 hours by resource class and failure class",
            labels=["class", "failure_class"],
        )
        for kind, by_failure in sorted(snap.failures_by_resource.items()):
            for failure, count in sorted(by_failure.items()):
                failures.add_metric([kind, failure], count)
        yield failures
        runs = SummaryMetricFamily(
            "arena_run_seconds", "Duration of the last finished runs (up to 1,000) by resource class", labels=["class"]
        )
        for kind, spans in sorted(snap.run_seconds_by_class.items()):
            runs.add_metric([kind], count_value=len(spans), sum_value=sum(spans))
        yield runs
        yield from _shared_histograms()
        workers = GaugeMetricFamily(
            "arena_workers", "Workers with a live heartbeat by resource class", labels=["class"]
        )
        counts: dict[str, int] = {}
        try:
            settings = state.settings()
            for heartbeat in evaluation.live_workers(redis_connection(settings.redis_url), settings.queue_name):
                for kind in heartbeat.classes:
                    counts[kind] = counts.get(kind, 0) + 1
        except (RedisError, OSError):
            pass
        for kind, count in sorted(counts.items()):
            workers.add_metric([kind], count)
        yield workers


_HISTOGRAM_HELP = {
    "run_duration_seconds": "Durations of finished runs by resource class, as workers finish them",
    "board_latency_seconds": "Time from a submission's score to its board rows committed, by resource class",
}


def _shared_histograms() -> Iterator[Any]:
    """The histograms every worker adds to in Redis (none while Redis does not answer)."""
    try:
        redis = redis_connection(state.settings().redis_url)
        found = {name: evaluation.histogram(redis, name) for name in _HISTOGRAM_HELP}
    except (RedisError, OSError):
        return
    for name, help_text in _HISTOGRAM_HELP.items():
        family = HistogramMetricFamily(f"arena_{name}", help_text, labels=["class"])
        for kind, shares in found[name].items():
            family.add_metric([kind], shares.buckets, sum_value=shares.total)
        yield family


@bp.route("/metrics")
def metrics() -> Response:
    """Serve Prometheus metrics in the text exposition format."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_EvaluationCollector())
    return Response(generate_latest(registry), mimetype="text/plain; version=0.0.4; charset=utf-8")


@bp.route("/admin/workers")
@login_required
def workers() -> str:
    """Show site admins every live worker of this installation with its host, resource classes and last heartbeat."""
    user = required(page_user())
    require(actor_for(state.session(), user, None), Action.MANAGE_USERS, hide=True)
    settings = state.settings()
    try:
        live = evaluation.live_workers(redis_connection(settings.redis_url), settings.queue_name)
        reachable = True
    except (RedisError, OSError):
        live, reachable = [], False
    return render_template("admin/workers.html", workers=live, reachable=reachable, now=state.now())
