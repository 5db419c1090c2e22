"""A running Arena for the client: the app served over HTTP in a thread with the digits challenge, and an rq worker.

The server, the worker (a subprocess scoring what the client submits) and the digits bundle are set up once per
module; each test gets its own participant, team and config folder, so tests do not see each other's state.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

from arena.accounts import users as accounts
from arena.challenges import import_bundle
from arena.db import Base
from arena.models import Challenge, Phase
from arena.settings import Settings
from web import create_app, state
from web.extensions import db

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "client horse battery"
WORKER = (
    "from arena.settings import Settings; from arena.evaluation.worker import run_worker; "
    "run_worker(Settings.from_env(), simple=True)"
)


@dataclass(frozen=True)
class Server:
    """The running app: its address, the app (for arranging rows) and the digits phase."""

    url: str
    app: Flask
    slug: str
    phase_id: int
    phase_path: str
    blobs: Path
    env: dict[str, str]

    def set_phase(self, **fields: object) -> None:
        """Change columns of the digits phase."""
        with self.app.app_context():
            phase = db.session.get(Phase, self.phase_id)
            assert phase is not None
            for key, value in fields.items():
                setattr(phase, key, value)
            db.session.commit()
            db.session.remove()

    def user(self, name: str) -> None:
        """Create a participant account."""
        with self.app.app_context():
            accounts.create_user(db.session(), name, PASSWORD)
            db.session.commit()
            db.session.remove()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, redis_url: str) -> Iterator[Server]:
    """Arena on a fresh SQLite database with the digits challenge, on a free port, with a worker scoring."""
    root = tmp_path_factory.mktemp("client-site")
    settings = Settings.from_env(
        {},
        data_dir=root,
        database_url=f"sqlite:///{root}/arena.sqlite",
        secret_key="client-test-secret",
        testing=True,
        queue_name=f"test-client-{uuid.uuid4().hex[:8]}",
        redis_url=redis_url,
        default_locale="en",
    )
    app = create_app(settings)
    with app.app_context():
        Base.metadata.create_all(db.engine)
        report = import_bundle(db.session(), state.store(), REPO / "challenges" / "digits")
        db.session.commit()
        challenge = db.session.get(Challenge, report.challenge_id)
        assert challenge is not None
        track = challenge.tracks[0]
        phase = track.phases[0]
        slug, phase_id, path = challenge.slug, phase.id, f"{challenge.slug}/{track.slug}/{phase.slug}"
        blobs = state.store().root
        db.session.remove()
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER],
        env={**os.environ, **settings.to_env()},
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, name="client-test-server", daemon=True)
    thread.start()
    try:
        yield Server(f"http://127.0.0.1:{http.server_port}", app, slug, phase_id, path, Path(blobs), settings.to_env())
    finally:
        http.shutdown()
        thread.join(timeout=10)
        http.server_close()
        worker.terminate()
        worker.wait(timeout=30)
        with app.app_context():
            db.engine.dispose()
