"""PostgreSQL restarted under a running web app and ``arena worker``: both reconnect by themselves, nothing is lost.

While the database is away an upload is answered 503 with a retry hint (never a 500) and leaves no
submission behind; once it is back the same app and the same worker process accept and score again.
"""

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
from flask.testing import FlaskClient
from sqlalchemy import func, select

from arena.db import Base, make_engine, make_session_factory
from arena.localredis import stop
from arena.models import Submission
from arena.settings import Settings
from arena.storage import BlobStore
from tests.factories import PASSWORD, answers, first_phase, make_challenge, make_team, make_user
from tests.pgserver import PostgresServer
from web import create_app
from web.extensions import db


@pytest.fixture
def own_postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL of this test's own, not the shared test database."""
    server = PostgresServer()
    server.create()
    try:
        yield server
    finally:
        server.close()


def _wait_for(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def _upload(client: FlaskClient, auth: dict[str, str], phase_id: int, rows: list[str]) -> tuple[int, dict]:
    response = client.post(
        f"/api/v1/phases/{phase_id}/submissions",
        data={"file": (io.BytesIO(answers(rows)), "predictions.csv")},
        headers=auth,
        content_type="multipart/form-data",
    )
    return response.status_code, {**(response.get_json() or {}), "_headers": dict(response.headers)}


def _scored(client: FlaskClient, auth: dict[str, str], submission_id: int) -> bool:
    body = client.get(f"/api/v1/submissions/{submission_id}", headers=auth).get_json() or {}
    return body.get("status") == "scored"


def test_web_and_worker_reconnect_after_postgres_restarts(
    settings: Settings, tmp_path: Path, own_postgres: PostgresServer
) -> None:
    settings = replace(settings, database_url=own_postgres.url)
    engine = make_engine(settings.database_url)
    Base.metadata.create_all(engine)
    store = BlobStore(settings.data_dir)
    with make_session_factory(engine)() as session:
        challenge = make_challenge(session, store, tmp_path / "bundle", rows=10, daily_quota=20)
        user = make_user(session, "alice")
        make_team(session, user, challenge)
        phase_id = first_phase(challenge).id
    engine.dispose()

    app = create_app(settings)
    client = app.test_client()
    token = client.post("/api/v1/tokens", json={"username": "alice", "password": PASSWORD}).get_json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
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
        status, before = _upload(client, auth, phase_id, ["a"] * 10)
        assert status == 202, before
        _wait_for(lambda: _scored(client, auth, before["id"]), 90, "the first submission to be scored")

        # 1. The database goes away: an upload is answered 503 with Retry-After and leaves nothing behind.
        own_postgres.stop()
        own_postgres.wait_gone()
        status, during = _upload(client, auth, phase_id, ["b"] * 10)
        assert status == 503, during
        assert during["error"]["code"] == "database_unavailable", during
        assert int(during["_headers"]["Retry-After"]) > 0
        time.sleep(2)  # the worker's reconciler ticks against the missing database meanwhile

        # 2. It comes back: the same app and the same worker process go on, with no restart.
        own_postgres.start()
        status, after = _upload(client, auth, phase_id, ["a"] * 5 + ["b"] * 5)
        assert status == 202, after
        _wait_for(lambda: _scored(client, auth, after["id"]), 120, "the upload after the restart to be scored")
        assert worker.poll() is None, "the worker exited when PostgreSQL restarted:\n" + log_path.read_text()[-3000:]

        engine = make_engine(settings.database_url)
        with make_session_factory(engine)() as session:
            count = session.scalar(select(func.count()).select_from(Submission))
        engine.dispose()
        assert count == 2, "the refused upload left no submission; the two accepted ones are both there"
        worker.terminate()
        assert worker.wait(timeout=20) == 0, "SIGTERM still stops the worker"
    finally:
        stop(worker)
        with app.app_context():
            db.engine.dispose()
