"""Operations endpoints: /healthz answers for load balancers, /metrics for Prometheus, workers for site admins."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis

from arena import accounts
from arena.db import Base
from arena.evaluation.heartbeats import Heartbeat, beat, live_workers
from arena.models import Phase
from arena.settings import Settings
from tests.factories import accepted_unchecked, make_team
from tests.web.conftest import World, login, make_user
from web import state
from web.app import create_app
from web.extensions import db


@pytest.fixture
def live(settings: Settings, redis_url: str) -> Iterator[Flask]:
    """The app with Redis answering (the other web tests point it at a closed port on purpose)."""
    flask_app = create_app(settings.with_overrides(redis_url=redis_url))
    with flask_app.app_context():
        Base.metadata.create_all(db.engine)
    yield flask_app
    with flask_app.app_context():
        db.engine.dispose()


def test_healthz_answers_ok_when_the_database_and_redis_answer(live: Flask) -> None:
    response = live.test_client().get("/healthz")
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"status": "ok", "database": "ok", "redis": "ok"}


def test_healthz_answers_503_with_a_retry_hint_when_redis_is_away(client: FlaskClient) -> None:
    response = client.get("/healthz")  # these tests' Redis URL points at a closed port
    assert response.status_code == 503 and response.headers["Retry-After"] == "10"
    body = response.get_json()
    assert body["status"] == "unavailable" and body["database"] == "ok" and body["redis"].startswith("error")


def test_metrics_count_submissions_by_status_and_failures_by_class(
    app: Flask, client: FlaskClient, world: World
) -> None:
    with app.app_context():
        session = db.session()
        make_user(app, "ann")
        ann = accounts.get_user_by_name(session, "ann")
        phase = session.get(Phase, world.open_phase_id)
        assert phase is not None
        make_team(session, ann, phase.track.challenge, "Ann")
        submission = accepted_unchecked(session, state.store(), ann, phase, b"id,label\n")
        now = datetime.now(UTC)
        submission.status, submission.failure_class = "failed", "crashed"
        submission.started_at, submission.finished_at = now - timedelta(seconds=3), now
        session.commit()
    text = client.get("/metrics").get_data(as_text=True)
    assert 'arena_submissions{status="failed"} 1.0' in text
    assert 'arena_queue_depth{class="cpu"} 0.0' in text
    assert 'arena_failures_recent_total{class="cpu",failure_class="crashed"} 1.0' in text
    assert 'arena_run_seconds_count{class="cpu"} 1.0' in text


def test_site_admins_see_live_workers_and_others_do_not(live: Flask, redis_url: str) -> None:
    app, client = live, live.test_client()
    redis = Redis.from_url(redis_url)
    seen = datetime.now(UTC)
    queue = state_settings(app).queue_name
    started = seen - timedelta(hours=1)
    beat(redis, Heartbeat("gpu-host-1", "gpu-host-1", 42, ("gpu", "cpu"), started, seen, queue), ttl=30)
    # Another installation sharing the Redis, one of its workers even under the same name.
    beat(redis, Heartbeat("gpu-host-1", "other-host", 9, ("large-memory",), started, seen, f"{queue}-b"), ttl=30)
    beat(redis, Heartbeat("other-2", "other-host", 10, ("large-memory",), started, seen, f"{queue}-b"), ttl=30)
    make_user(app, "root", admin=True)
    make_user(app, "someone")
    login(client, "someone")
    assert client.get("/admin/workers").status_code in (403, 404)
    client.post("/logout")
    login(client, "root")
    page = client.get("/admin/workers").get_data(as_text=True)
    assert "gpu-host-1" in page and "gpu, cpu" in page
    assert "other-host" not in page and "other-2" not in page and "large-memory" not in page
    metrics = client.get("/metrics").get_data(as_text=True)
    assert 'arena_workers{class="gpu"} 1.0' in metrics and 'arena_workers{class="large-memory"}' not in metrics
    assert [(h.name, h.host) for h in live_workers(redis, f"{queue}-b")] == [
        ("gpu-host-1", "other-host"),
        ("other-2", "other-host"),
    ]


def test_a_running_worker_keeps_a_heartbeat_and_removes_it_when_stopped(live: Flask, redis_url: str) -> None:
    redis = Redis.from_url(redis_url)
    env = {
        **os.environ,
        **state_settings(live).to_env(),
        "ARENA_WORKER_NAME": "test-worker",
        "ARENA_WORKER_CLASSES": "cpu,large-memory",
    }
    env["ARENA_SWEEP_SECONDS"] = "1"
    queue = env["ARENA_QUEUE"]
    worker = subprocess.Popen([sys.executable, "-m", "web.cli", "worker"], env=env, cwd=Path(__file__).parents[2])
    try:
        deadline = time.monotonic() + 30
        found: list[Heartbeat] = []
        while time.monotonic() < deadline and not found:
            found = [h for h in live_workers(redis, queue) if h.name == "test-worker"]
            time.sleep(0.2)
        assert found and found[0].classes == ("cpu", "large-memory") and found[0].pid == worker.pid
        first = found[0].seen_at
        time.sleep(2.5)
        renewed = [h for h in live_workers(redis, queue) if h.name == "test-worker"]
        assert renewed and renewed[0].seen_at > first
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert [h for h in live_workers(redis, queue) if h.name == "test-worker"] == []


def state_settings(flask_app: Flask) -> Settings:
    """The settings the app was built with."""
    with flask_app.app_context():
        return state.settings()
