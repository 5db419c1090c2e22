"""A worker killed in the middle of a run leaves no container behind and no submission stuck in running, and
another worker runs it again within seconds."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import zipfile
from dataclasses import replace
from pathlib import Path

import docker
import pytest
from sqlalchemy.orm import Session

from arena.enums import SubmissionStatus
from arena.evaluation.queueing import enqueue_evaluation
from arena.evaluation.sandboxing import container_labels
from arena.evaluation.worker import reconcile_once, run_worker
from arena.models import Submission
from arena.settings import Settings
from arena.storage import BlobStore
from sandbox import SANDBOX_LABEL, docker_available
from sandbox.builder import DEFAULT_TAG, build_runner_image
from tests.factories import first_phase, make_challenge, make_team, make_user, upload

pytestmark = pytest.mark.docker

WORKER = (
    "from arena.settings import Settings; from arena.evaluation.worker import run_worker; "
    "run_worker(Settings.from_env(), burst=True, simple=True)"
)

SLOW = """
import os, time
time.sleep(6)
ids = open(os.path.join(os.environ["ARENA_INPUT"], "ids.txt")).read().split()
with open(os.path.join(os.environ["ARENA_OUTPUT"], "predictions.csv"), "w") as out:
    out.write("id,label\\n" + "".join(f"{i},a\\n" for i in ids))
"""


QUICK = SLOW.replace("time.sleep(6)", "time.sleep(2)")


def _containers(settings: Settings, submission_id: int) -> list[object]:
    client = docker.from_env()
    try:
        labels = container_labels(settings, submission_id)
        selector = [f"{SANDBOX_LABEL}=1", *(f"{k}={v}" for k, v in labels.items())]
        return list(client.containers.list(all=True, sparse=True, filters={"label": selector}))
    finally:
        client.close()


def _wait_for(condition, seconds: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def _need_docker() -> None:
    if not docker_available():
        if os.environ.get("ARENA_REQUIRE_DOCKER") == "1":
            pytest.fail("no Docker engine answers", pytrace=False)
        pytest.skip("no Docker engine answers")
    build_runner_image(DEFAULT_TAG, log=lambda line: None)


def _queued_code_submission(
    session: Session, store: BlobStore, tmp_path: Path, settings: Settings, code: str
) -> Submission:
    """A code track, a team, and one queued submission whose main.py is ``code``."""
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
    archive = tmp_path / "code.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("main.py", code)
    submission = upload(session, store, user, first_phase(challenge), archive.read_bytes(), name="code.zip")
    submission.job_id = enqueue_evaluation(settings, submission)
    session.commit()
    return submission


def test_killed_worker_is_cleaned_up_and_the_run_finishes(
    session: Session, store: BlobStore, tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    _need_docker()
    settings = replace(settings, lease_seconds=2)
    for key, value in settings.to_env().items():
        monkeypatch.setenv(key, value)
    submission = _queued_code_submission(session, store, tmp_path, settings, SLOW)

    worker = subprocess.Popen(  # noqa: S603
        # A worker that runs jobs in its own process, so killing it kills the run's driver too.
        [sys.executable, "-c", WORKER],
        env={**os.environ, **settings.to_env()},
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert _wait_for(lambda: _containers(settings, submission.id), 60), "the run never started"
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
    session.refresh(submission)
    assert submission.status == SubmissionStatus.RUNNING
    assert _containers(settings, submission.id), "the dead worker's container is still there before reconciling"

    time.sleep(settings.lease_seconds + 1)
    assert reconcile_once(settings) == 1
    assert _containers(settings, submission.id) == []
    session.refresh(submission)
    assert submission.status == SubmissionStatus.QUEUED

    run_worker(settings, burst=True, simple=True)
    session.expire_all()
    finished = session.get(Submission, submission.id)
    assert finished is not None and finished.status == SubmissionStatus.SCORED
    assert finished.attempts == 2


def _kill_session(session_id: int) -> None:
    """SIGKILL every process of a session: the rq worker and its work horse (which has a process group of its own)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == session_id:
            try:
                os.kill(int(stat.parent.name), signal.SIGKILL)
            except ProcessLookupError:
                pass


def _arena_worker(settings: Settings) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "web.cli", "worker"],
        env={**os.environ, **settings.to_env()},
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.mark.parametrize("fork", [False, True], ids=["in-process", "forking"])
def test_another_worker_reruns_a_killed_workers_submission_within_seconds(
    session: Session, store: BlobStore, tmp_path: Path, settings: Settings, fork: bool
) -> None:
    # The default lease and sweep: the settings fixture tunes neither.
    _need_docker()
    settings = replace(settings, worker_fork=fork)
    submission = _queued_code_submission(session, store, tmp_path, settings, QUICK)

    doomed = _arena_worker(settings)
    survivor: subprocess.Popen[bytes] | None = None
    try:
        assert _wait_for(lambda: _containers(settings, submission.id), 60), "the run never started"
        survivor = _arena_worker(settings)
        _kill_session(doomed.pid)
        doomed.wait()
        killed_at = time.monotonic()

        def scored() -> bool:
            session.expire_all()
            found = session.get(Submission, submission.id)
            return found is not None and found.status == SubmissionStatus.SCORED

        assert _wait_for(scored, 20), "no other worker re-ran and scored the submission within 20 s"
        recovered_in = time.monotonic() - killed_at
        assert survivor.poll() is None
        session.refresh(submission)
        assert submission.attempts == 2, recovered_in
    finally:
        for worker in (doomed, survivor):
            if worker is not None:
                _kill_session(worker.pid)
                worker.wait()
