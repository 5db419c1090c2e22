"""ARENA_LOG_FORMAT=json: the web app, its production server and the workers log one JSON object per line."""

from __future__ import annotations

import io
import json
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from arena import accounts, logconfig
from arena.db import Base
from arena.evaluation.queueing import enqueue_evaluation
from arena.models import Phase, Submission
from arena.schema import upgrade
from arena.settings import Settings
from tests.factories import accepted_unchecked, make_team
from tests.web.conftest import World, api_team, make_user, token_for
from web import state
from web.app import create_app
from web.extensions import db

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def app(settings: Settings) -> Iterator[Flask]:
    """The app in JSON mode (Redis unreachable, as in the other web tests), the root logger restored after."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    flask_app = create_app(settings.with_overrides(log_format="json"))
    with flask_app.app_context():
        Base.metadata.create_all(db.engine)
    yield flask_app
    with flask_app.app_context():
        db.engine.dispose()
    root.handlers[:] = handlers
    root.setLevel(level)


def _json_lines(text: str) -> list[dict[str, Any]]:
    """Every line of ``text`` as a JSON object (fails on any line that is not one)."""
    found = []
    for line in text.splitlines():
        if line.strip():
            entry = json.loads(line)
            assert isinstance(entry, dict) and {"time", "level", "logger", "message"} <= set(entry), line
            found.append(entry)
    return found


def test_the_web_app_logs_json_lines_with_the_submission_id(app: Flask, world: World) -> None:
    handler = next(h for h in logging.getLogger().handlers if isinstance(h.formatter, logconfig.JsonFormatter))
    stream = io.StringIO()
    handler.setStream(stream)  # type: ignore[attr-defined]
    client = app.test_client()
    make_user(app, "ann")
    ann = token_for(client, "ann")
    api_team(client, ann, "Ann")
    sent = client.post(
        f"/api/v1/phases/{world.open_phase_id}/submissions",
        headers=ann,
        data={"file": (io.BytesIO(b"id,label\n1,3\n2,5\n3,7\n"), "sub.csv")},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 202, sent.get_json()
    lines = _json_lines(stream.getvalue())
    wanted = [e for e in lines if e["logger"] == "arena.evaluation.intake"]
    assert wanted and wanted[0]["submission_id"] == sent.get_json()["id"] and wanted[0]["level"] == "WARNING"
    assert "could not enqueue submission" in wanted[0]["message"]


def test_a_worker_logs_json_lines_with_its_name_and_the_submission_id(
    tmp_path: Path, settings: Settings, redis_url: str, world: World, app: Flask
) -> None:
    with app.app_context():
        session = db.session()
        make_user(app, "bob")
        bob = accounts.get_user_by_name(session, "bob")
        phase = session.get(Phase, world.open_phase_id)
        assert phase is not None
        make_team(session, bob, phase.track.challenge, "Bob")
        submission = accepted_unchecked(session, state.store(), bob, phase, b"id,label\n1,3\n2,5\n3,7\n")
        submission.job_id = enqueue_evaluation(settings.with_overrides(redis_url=redis_url), submission)
        session.commit()
        submission_id = submission.id
    env = {
        **os.environ,
        **settings.with_overrides(redis_url=redis_url, log_format="json").to_env(),
        "ARENA_WORKER_NAME": "json-worker",
    }
    done = subprocess.run(
        [sys.executable, "-m", "web.cli", "worker", "--burst"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = _json_lines(done.stderr) + _json_lines(done.stdout)
    about = [e for e in lines if e.get("submission_id") == submission_id]
    assert any(e["message"] == f"evaluating submission {submission_id}" for e in about), lines
    assert any(e["message"] == f"submission {submission_id} is scored" for e in about), lines
    assert all(e["worker"] == "json-worker" for e in lines), lines
    with app.app_context():
        found = db.session.get(Submission, submission_id)
        assert found is not None and found.status == "scored"


def test_the_production_server_logs_json_lines_including_its_access_log(tmp_path: Path, redis_url: str) -> None:
    settings = Settings.from_env({}, data_dir=tmp_path, secret_key="test-secret", redis_url=redis_url)
    upgrade(settings.database_url)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, **settings.with_overrides(log_format="json").to_env()}
    process = subprocess.Popen(
        [sys.executable, "-m", "web.cli", "serve", "--workers", "1", "--port", str(port)],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        body: dict[str, Any] = {}
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not body:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:  # noqa: S310
                    body = json.loads(response.read())
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.3)
        assert body.get("status") == "ok", body
    finally:
        process.terminate()
        out, err = process.communicate(timeout=30)
    lines = _json_lines(out) + _json_lines(err)
    assert any("/healthz" in e["message"] and e["logger"] == "granian.access" for e in lines), lines
