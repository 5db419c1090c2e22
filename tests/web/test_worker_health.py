"""`arena worker-health`: a worker host's health answer, read from the heartbeats its workers keep in Redis."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner
from redis import Redis

from arena.evaluation.heartbeats import KEY_PREFIX, Heartbeat, beat
from arena.schema import upgrade
from arena.settings import Settings
from web.cli import main

REPO = Path(__file__).resolve().parents[2]


def _clear(redis: Redis) -> None:
    for key in redis.scan_iter(match=KEY_PREFIX + "*"):
        redis.delete(key)


def test_healthy_only_with_a_live_heartbeat_of_this_host_or_of_the_named_worker(tmp_path: Path, redis_url: str) -> None:
    redis = Redis.from_url(redis_url)
    _clear(redis)
    settings = Settings.from_env({}, data_dir=tmp_path, redis_url=redis_url)
    runner = CliRunner()
    none = runner.invoke(main, ["worker-health"], obj=settings)
    assert none.exit_code == 1 and json.loads(none.output) == {"status": "unavailable", "workers": []}
    now = datetime.now(UTC)
    queue = settings.queue_name
    beat(redis, Heartbeat("elsewhere:1", "elsewhere", 1, ("gpu",), now, now, queue), ttl=30)
    assert runner.invoke(main, ["worker-health"], obj=settings).exit_code == 1  # another host's worker
    beat(redis, Heartbeat("here:8", socket.gethostname(), 8, ("cpu",), now, now, "another-installation"), ttl=30)
    assert runner.invoke(main, ["worker-health"], obj=settings).exit_code == 1  # another installation's
    beat(redis, Heartbeat("here:7", socket.gethostname(), 7, ("cpu", "gpu"), now, now, queue), ttl=30)
    here = runner.invoke(main, ["worker-health"], obj=settings)
    assert here.exit_code == 0, here.output
    body = json.loads(here.output)
    assert body["status"] == "ok" and [w["name"] for w in body["workers"]] == ["here:7"]
    assert body["workers"][0]["classes"] == ["cpu", "gpu"]
    named = settings.with_overrides(worker_name="elsewhere:1")
    assert json.loads(runner.invoke(main, ["worker-health"], obj=named).output)["workers"][0]["host"] == "elsewhere"
    assert runner.invoke(main, ["worker-health"], obj=settings.with_overrides(worker_name="gone")).exit_code == 1
    other = settings.with_overrides(queue_name="another-installation")
    assert [w["name"] for w in json.loads(runner.invoke(main, ["worker-health"], obj=other).output)["workers"]] == [
        "here:8"
    ]
    _clear(redis)


def test_unhealthy_when_redis_does_not_answer(tmp_path: Path) -> None:
    settings = Settings.from_env({}, data_dir=tmp_path, redis_url="redis://127.0.0.1:1/0")
    result = CliRunner().invoke(main, ["worker-health"], obj=settings)
    assert result.exit_code == 1 and json.loads(result.output)["redis"].startswith("error")


def test_a_running_worker_is_healthy_and_a_stopped_one_is_not(tmp_path: Path, redis_url: str) -> None:
    _clear(Redis.from_url(redis_url))
    settings = Settings.from_env({}, data_dir=tmp_path, redis_url=redis_url, queue_name="health-test")
    upgrade(settings.database_url)
    env = {**os.environ, **settings.to_env(), "ARENA_SWEEP_SECONDS": "1", "ARENA_WORKER_NAME": "health-worker"}
    check = [sys.executable, "-m", "web.cli", "worker-health"]
    worker = subprocess.Popen([sys.executable, "-m", "web.cli", "worker"], env=env, cwd=REPO)
    try:
        deadline, answer = time.monotonic() + 60, None
        while time.monotonic() < deadline:
            answer = subprocess.run(check, env=env, cwd=REPO, capture_output=True, text=True, check=False)
            if answer.returncode == 0:
                break
            time.sleep(0.5)
        assert answer is not None and answer.returncode == 0, answer
        assert json.loads(answer.stdout)["workers"][0]["pid"] == worker.pid
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    after = subprocess.run(check, env=env, cwd=REPO, capture_output=True, text=True, check=False)
    assert after.returncode == 1 and json.loads(after.stdout)["status"] == "unavailable"
