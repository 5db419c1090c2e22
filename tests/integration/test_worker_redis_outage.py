"""``arena worker`` rides out Redis restarts (with its data, and empty) and goes on scoring in the same process."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy.orm import Session

from arena.enums import SubmissionStatus
from arena.evaluation.intake import accept_upload
from arena.localredis import free_port, start_redis, stop
from arena.models import Phase, Submission, User
from arena.settings import Settings
from arena.storage import BlobStore
from sandbox import docker_available
from sandbox.builder import DEFAULT_TAG, build_runner_image
from tests.factories import first_phase, make_challenge, make_team, make_user, zip_bytes

pytestmark = pytest.mark.docker

# Long enough for Redis to go away while it runs and to stay away when it ends.
SLOW = """
import os, time
time.sleep(4)
ids = open(os.path.join(os.environ["ARENA_INPUT"], "ids.txt")).read().split()
with open(os.path.join(os.environ["ARENA_OUTPUT"], "predictions.csv"), "w") as out:
    out.write("id,label\\n" + "".join(f"{i},a\\n" for i in ids))
"""


class RedisServer:
    """A private redis-server on its own port that a test stops, kills and starts again."""

    def __init__(self, folder: Path) -> None:
        self.url = f"redis://127.0.0.1:{free_port()}/0"
        self.folder = folder
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start it on the same port and folder (it loads a dump left there)."""
        self.process = start_redis(self.url, self.folder)

    def shutdown_saving(self) -> None:
        """Stop it the way a restart keeps the data: SHUTDOWN SAVE."""
        try:
            Redis.from_url(self.url).shutdown(save=True)
        except RedisError:
            pass  # the connection drops as the server exits
        assert self.process is not None
        self.process.wait(timeout=10)

    def kill_and_wipe(self) -> None:
        """Kill it and remove its data, so it comes back empty."""
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=10)
        for dump in self.folder.glob("*.rdb"):
            dump.unlink()

    def close(self) -> None:
        """Stop it if it runs."""
        stop(self.process)


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A Redis of this test's own, not the session's shared one."""
    server = RedisServer(tmp_path / "redis")
    server.start()
    try:
        yield server
    finally:
        server.close()


def _wait_for(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _status(session: Session, submission_id: int) -> str:
    session.expire_all()
    submission = session.get(Submission, submission_id)
    assert submission is not None
    return str(submission.status)


def _submit(session: Session, settings: Settings, store: BlobStore, user: User, phase: Phase) -> int:
    archive = io.BytesIO(zip_bytes({"main.py": SLOW}))
    return int(accept_upload(session, settings, store, user=user, phase=phase, stream=archive, filename="code.zip").id)


def test_worker_rides_out_redis_restarts_and_keeps_scoring(
    session: Session, store: BlobStore, tmp_path: Path, settings: Settings, own_redis: RedisServer
) -> None:
    if not docker_available():
        if os.environ.get("ARENA_REQUIRE_DOCKER") == "1":
            pytest.fail("no Docker engine answers", pytrace=False)
        pytest.skip("no Docker engine answers")
    build_runner_image(DEFAULT_TAG, log=lambda line: None)
    settings = replace(settings, redis_url=own_redis.url)
    challenge = make_challenge(
        session,
        store,
        tmp_path / "bundle",
        kind="code",
        labels=["a"] * 9 + ["b"],
        runner={"image": DEFAULT_TAG, "limits": {"wall_seconds": 60}},
    )
    user = make_user(session, "alice")
    make_team(session, user, challenge)
    phase = first_phase(challenge)
    log_path = tmp_path / "worker.log"
    with log_path.open("wb") as log_file:
        worker = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "web.cli", "worker"],
            env={**os.environ, **settings.to_env()},
            start_new_session=True,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        # 1. Redis stops (keeping its data) in the middle of a run and is still away when the run ends.
        first = _submit(session, settings, store, user, phase)
        _wait_for(lambda: _status(session, first) == SubmissionStatus.RUNNING, 60, "the first run to start")
        own_redis.shutdown_saving()
        time.sleep(8)
        own_redis.start()
        _wait_for(lambda: _status(session, first) == SubmissionStatus.SCORED, 90, "the first run to be scored")
        time.sleep(2)
        assert worker.poll() is None, "the worker exited after Redis restarted:\n" + log_path.read_text()[-3000:]

        # 2. Redis is killed and comes back empty; an upload accepted meanwhile never reached the queue.
        own_redis.kill_and_wipe()
        during = _submit(session, settings, store, user, phase)
        own_redis.start()
        after = _submit(session, settings, store, user, phase)
        for submission_id in (after, during):
            _wait_for(
                lambda sid=submission_id: _status(session, sid) == SubmissionStatus.SCORED,  # type: ignore[misc]
                120,
                f"submission {submission_id} to be scored after Redis came back empty",
            )
        assert worker.poll() is None, "the worker exited after Redis restarted empty:\n" + log_path.read_text()[-3000:]
        worker.terminate()
        assert worker.wait(timeout=15) == 0, "SIGTERM still stops the worker"
    finally:
        stop(worker)
