"""``arena demo`` supervises its worker: a worker that dies is started again, and the new one scores uploads."""

from __future__ import annotations

import io
import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

import yaml
from sqlalchemy.orm import Session

from arena.enums import SubmissionStatus
from arena.evaluation.intake import accept_upload
from arena.models import Submission
from arena.settings import Settings
from arena.storage import BlobStore
from tests.factories import answers, first_phase, make_challenge, make_team, make_user
from web.demo import WorkerSupervisor


def _wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_the_demo_restarts_a_worker_that_died(
    session: Session, store: BlobStore, tmp_path: Path, settings: Settings
) -> None:
    challenge = make_challenge(session, store, tmp_path / "bundle", labels=["a", "b", "a", "a"])
    user = make_user(session, "alice")
    make_team(session, user, challenge)
    supervisor = WorkerSupervisor(
        [sys.executable, "-m", "web.cli", "worker"], {**os.environ, **settings.to_env()}, first_delay=0.2
    )
    supervisor.start()
    try:
        first = supervisor.process
        assert first is not None
        time.sleep(1)
        os.kill(first.pid, signal.SIGKILL)
        assert _wait_for(lambda: supervisor.restarts == 1, 10), "the dead worker was not started again"
        second = supervisor.process
        assert second is not None and second.pid != first.pid and second.poll() is None

        submission = accept_upload(
            session,
            settings,
            store,
            user=user,
            phase=first_phase(challenge),
            stream=io.BytesIO(answers(["a", "b", "a", "b"])),
            filename="sub.csv",
        )

        def scored() -> bool:
            session.expire_all()
            found = session.get(Submission, submission.id)
            return found is not None and found.status == SubmissionStatus.SCORED

        assert _wait_for(scored, 60), "the restarted worker did not score the upload"
        assert supervisor.process is second and second.poll() is None
    finally:
        supervisor.stop()
    assert second.poll() is not None, "stopping the demo stops its worker"


def test_every_compose_service_is_restarted_when_it_exits() -> None:
    compose = yaml.safe_load((Path(__file__).resolve().parents[2] / "docker-compose.yml").read_text())
    policies = {name: service.get("restart") for name, service in compose["services"].items()}
    assert policies == dict.fromkeys(policies, "unless-stopped")
    assert {"postgres", "redis", "web", "worker"} <= set(policies)
