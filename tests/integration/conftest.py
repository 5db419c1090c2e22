"""Fixtures for hostile code submissions driven through the real path: HTTP → rq → Docker → scorer.

The `hostile` fixture is a small harness: it writes and imports code-track bundles (parametrized over the
container runtimes), creates participants, uploads archives through the API, runs real rq workers (in this
process, or as subprocesses when runs must overlap) and reads back what Arena recorded.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from arena.accounts import users as accounts
from arena.challenges.bundles import import_bundle
from arena.evaluation.worker import run_worker
from arena.models import Challenge, Phase, Submission
from arena.settings import Settings
from arena.storage import BlobStore
from arena.teams import membership as teams
from sandbox import docker_available, runtimes
from sandbox.builder import DEFAULT_TAG, build_runner_image
from sandbox.outputfs import AREA_PREFIX
from tests.factories import write_bundle
from web import create_app
from web.extensions import db

PASSWORD = "hostile horse battery"
ROWS = 12
WORKER = (
    "from arena.settings import Settings; from arena.evaluation.worker import run_worker; "
    "run_worker(Settings.from_env(), burst=True, simple=True)"
)
HOSTILE_LIMITS: dict[str, Any] = {
    "wall_seconds": 20,
    "memory_mb": 256,
    "cpus": 1,
    "pids": 64,
    "nofile": 256,
    "fsize_mb": 8,
    "tmpfs_mb": 16,
    "output_mb": 16,
    "log_bytes": 64 * 1024,
}
PREDICT = """
def write_predictions(label="a"):
    ids = open("/data/ids.txt").read().split()
    with open("/output/predictions.csv", "w") as out:
        out.write("id,label\\n" + "".join(f"{i},{label}\\n" for i in ids))
"""
"""A helper every hostile program can paste in: valid predictions, so an attack that fails still scores."""


def write_code_bundle(
    root: Path,
    *,
    slug: str,
    runtime: str,
    image: str,
    limits: dict[str, Any],
    hide_logs: bool = False,
    key_extra: dict[str, str] | None = None,
    input_files: dict[str, str] | None = None,
) -> Path:
    """Write a small code-track bundle (ids r0..; labels a/b; optional extra key columns and input files)."""
    return write_bundle(
        root,
        slug=slug,
        kind="code",
        rows=ROWS,
        daily_quota=50,
        max_upload_mb=2,
        runner={"image": image, "runtime": runtime, "limits": limits},
        phase_options={"hide_logs": hide_logs},
        key_extra=key_extra,
        input_files=input_files,
        overrides={
            "title": {"en": f"Hostile {slug}", "zh": f"对抗 {slug}"},
            "summary": {"en": "Hostile", "zh": "对抗"},
        },
    )


def last_json(text: str) -> dict[str, Any]:
    """Parse the last line of a program's stdout that is a JSON object."""
    for line in reversed(text.strip().splitlines()):
        if line.startswith("{"):
            return dict(json.loads(line))
    raise AssertionError(f"no JSON report in the output: {text[-2000:]!r}")


class HostileArena:
    """Drives hostile submissions through Arena's real upload, queue, sandbox and scoring path."""

    def __init__(  # noqa: PLR0913
        self,
        settings: Settings,
        session: Session,
        store: BlobStore,
        client: FlaskClient,
        root: Path,
        runtime: str,
        image: str,
    ) -> None:
        self.settings = settings
        self.session = session
        self.store = store
        self.client = client
        self.root = root
        self.runtime = runtime
        self.image = image
        self._workers: list[subprocess.Popen[bytes]] = []
        self._tokens: dict[str, str] = {}

    # -- set-up ----------------------------------------------------------------------------------

    def code_phase(self, slug: str, *, limits: dict[str, Any] | None = None, **options: Any) -> int:
        """Import a code challenge running under this test's runtime; return its phase id."""
        bundle = write_code_bundle(
            self.root / f"bundle-{slug}",
            slug=slug,
            runtime=self.runtime,
            image=self.image,
            limits={**HOSTILE_LIMITS, **(limits or {})},
            **options,
        )
        report = import_bundle(self.session, self.store, bundle)
        self.session.commit()
        challenge = self.session.get(Challenge, report.challenge_id)
        assert challenge is not None
        return int(challenge.tracks[0].phases[0].id)

    def participant(self, username: str, phase_id: int, *, team_name: str | None = None, institution: str = "") -> str:
        """Create a user (once) with a team in the phase's challenge; return an API bearer token."""
        if username not in self._tokens:
            accounts.create_user(self.session, username, PASSWORD)
            self.session.commit()
            self._tokens[username] = self._token(username)
        user = accounts.get_user_by_name(self.session, username)
        phase = self.session.get(Phase, phase_id)
        assert phase is not None
        teams.create_team(self.session, user, phase.track.challenge, team_name or f"team {username}", institution)
        self.session.commit()
        return self._tokens[username]

    def _token(self, username: str) -> str:
        response = self.client.post("/api/v1/tokens", json={"username": username, "password": PASSWORD})
        assert response.status_code in (200, 201), response.get_json()
        return str(response.get_json()["token"])

    # -- submitting and working ------------------------------------------------------------------

    def submit(
        self, token: str, phase_id: int, archive: bytes, *, name: str = "code.zip", description: str = ""
    ) -> int:
        """Upload an archive through the API as the token's user; return the submission id."""
        response = self.client.post(
            f"/api/v1/phases/{phase_id}/submissions",
            data={"file": (io.BytesIO(archive), name), "description": description},
            headers={"Authorization": f"Bearer {token}"},
            content_type="multipart/form-data",
        )
        assert response.status_code == 202, response.get_json()
        return int(response.get_json()["id"])

    def work(self) -> None:
        """Drain the queue with a real rq worker in this process."""
        run_worker(self.settings, burst=True, simple=True)

    def spawn_worker(self) -> subprocess.Popen[bytes]:
        """Start a second, real worker process (burst mode) on the same queue; it inherits this environment."""
        process = subprocess.Popen(
            [sys.executable, "-c", WORKER],
            env={**os.environ, **self.settings.to_env()},
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self._workers.append(process)
        return process

    def join_workers(self, timeout: float = 120.0) -> None:
        """Wait for every spawned worker to finish its burst."""
        for process in self._workers:
            process.wait(timeout=timeout)

    def close(self) -> None:
        """Stop any worker this harness started that is still running."""
        for process in self._workers:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    # -- reading back ----------------------------------------------------------------------------

    def submission(self, submission_id: int) -> Submission:
        """Return the submission as the database holds it now."""
        self.session.expire_all()
        submission = self.session.get(Submission, submission_id)
        assert submission is not None
        return submission

    def wait_for(self, condition: Callable[[], bool], seconds: float, what: str) -> None:
        """Poll until the condition holds; fail naming `what` otherwise."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what}")

    def wait_status(self, submission_id: int, *statuses: str, seconds: float = 90.0) -> Submission:
        """Wait until the submission reaches one of the statuses."""
        self.wait_for(lambda: self.submission(submission_id).status in statuses, seconds, f"{submission_id} {statuses}")
        return self.submission(submission_id)

    def logs(self, submission_id: int) -> dict[str, str]:
        """Return the run's stored logs ({"stdout", "stderr"}), or {} when no run was recorded."""
        sha = self.submission(submission_id).log_sha256
        if not sha:
            return {}
        return dict(json.loads(self.store.read_bytes(sha)))

    def report(self, submission_id: int) -> dict[str, Any]:
        """Return the JSON report the hostile program printed last on stdout."""
        return last_json(self.logs(submission_id).get("stdout", ""))

    def run_dir(self, submission_id: int, attempt: int = 1) -> Path:
        """Return the host directory of a run (present only while it runs)."""
        return Path(self.settings.data_dir).absolute() / "runs" / f"{submission_id}-{attempt}"

    def live_output_dir(self, submission_id: int, attempt: int = 1) -> Path:
        """Return the host folder a running run's /output is: its capped area when the worker mounted one."""
        run = self.run_dir(submission_id, attempt)
        areas = sorted(run.glob(f"{AREA_PREFIX}*"))
        return areas[0] if areas else run / "output"

    def view(self, token: str, submission_id: int) -> dict[str, Any]:
        """GET /api/v1/submissions/<id> as the token's user."""
        response = self.client.get(f"/api/v1/submissions/{submission_id}", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, response.get_data(as_text=True)
        return dict(response.get_json())


@pytest.fixture(scope="session")
def hostile_image() -> str:
    """The runner image; skip without an engine (fail when ARENA_REQUIRE_DOCKER=1)."""
    if not docker_available():
        if os.environ.get("ARENA_REQUIRE_DOCKER") == "1":
            pytest.fail("no Docker engine answers (run sandbox/images/setup-docker-host.sh)", pytrace=False)
        pytest.skip("no Docker engine answers")
    build_runner_image(DEFAULT_TAG, log=lambda line: None)
    return DEFAULT_TAG


@pytest.fixture(params=["runc", "runsc"])
def sandbox_runtime(request: pytest.FixtureRequest, hostile_image: str) -> str:
    """Each container runtime; runsc skips when gVisor is not registered (fails with ARENA_REQUIRE_RUNSC=1)."""
    name = str(request.param)
    if name not in runtimes():
        if name == "runsc" and os.environ.get("ARENA_REQUIRE_RUNSC") == "1":
            pytest.fail("runsc is not registered with the Docker engine", pytrace=False)
        pytest.skip(f"{name} is not registered with the Docker engine")
    return name


@pytest.fixture
def hostile(
    worker_env: Settings, session: Session, store: BlobStore, tmp_path: Path, sandbox_runtime: str, hostile_image: str
) -> Iterator[HostileArena]:
    """The harness for one test, on its own database, data folder and queue."""
    app = create_app(worker_env)
    harness = HostileArena(worker_env, session, store, app.test_client(), tmp_path, sandbox_runtime, hostile_image)
    try:
        yield harness
    finally:
        harness.close()
        with app.app_context():
            db.engine.dispose()
