"""Code submissions through the real path: HTTP upload → rq worker → Docker sandbox → scorer → board."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from arena.enums import FailureClass, SubmissionStatus
from arena.evaluation.worker import run_worker
from arena.models import Submission
from arena.settings import Settings
from arena.storage import BlobStore
from sandbox import docker_available
from sandbox.builder import DEFAULT_TAG, build_runner_image
from tests.factories import PASSWORD, first_phase, make_challenge, make_team, make_user, zip_bytes
from web import create_app
from web.extensions import db

pytestmark = pytest.mark.docker

TRUTH = ["a" if i % 3 else "b" for i in range(20)]
GOOD = """
import os
ids = open(os.path.join(os.environ["ARENA_INPUT"], "ids.txt")).read().split()
with open(os.path.join(os.environ["ARENA_OUTPUT"], "predictions.csv"), "w") as out:
    out.write("id,label\\n")
    for i, name in enumerate(ids):
        out.write(f"{name},{'a' if i % 3 else 'b'}\\n")
"""


@pytest.fixture(scope="module")
def runner_image() -> str:
    """The default runner image (built once if missing); fails instead of skipping when Docker is required."""
    if not docker_available():
        if os.environ.get("ARENA_REQUIRE_DOCKER") == "1":
            pytest.fail("no Docker engine answers (run sandbox/images/setup-docker-host.sh)", pytrace=False)
        pytest.skip("no Docker engine answers")
    build_runner_image(DEFAULT_TAG, log=lambda line: None)
    return DEFAULT_TAG


@pytest.fixture
def client(worker_env: Settings) -> Iterator[FlaskClient]:
    """A test client of the app on the test settings."""
    app = create_app(worker_env)
    yield app.test_client()
    with app.app_context():
        db.engine.dispose()


def _submit_code(client: FlaskClient, phase_id: int, archive: bytes) -> int:
    token = client.post("/api/v1/tokens", json={"username": "alice", "password": PASSWORD}).get_json()["token"]
    response = client.post(
        f"/api/v1/phases/{phase_id}/submissions",
        data={"file": (io.BytesIO(archive), "code.zip")},
        headers={"Authorization": f"Bearer {token}"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 202, response.get_json()
    return int(response.get_json()["id"])


@pytest.fixture
def code_phase(session: Session, store: BlobStore, tmp_path: Path, runner_image: str) -> int:
    """A code track whose hidden inputs list the ids; alice has a team."""
    challenge = make_challenge(
        session,
        store,
        tmp_path / "bundle",
        kind="code",
        labels=TRUTH,
        daily_quota=20,
        runner={"image": runner_image, "limits": {"wall_seconds": 20, "memory_mb": 256, "pids": 64}},
    )
    make_team(session, make_user(session, "alice"), challenge)
    return first_phase(challenge).id


def test_code_runs_in_the_sandbox_and_is_scored(
    client: FlaskClient, code_phase: int, worker_env: Settings, session: Session
) -> None:
    submission_id = _submit_code(client, code_phase, zip_bytes({"main.py": GOOD}))
    run_worker(worker_env, burst=True, simple=True)
    submission = session.get(Submission, submission_id)
    assert submission is not None
    session.refresh(submission)
    assert submission.status == SubmissionStatus.SCORED, (submission.error_message, submission.run_info)
    assert {s.primary for s in submission.scores} == {1.0}
    assert all(s.image_digest.startswith("sha256:") for s in submission.scores)
    assert submission.run_info["outcome"] == "ok"


@pytest.mark.parametrize(
    ("files", "failure", "hint"),
    [
        ({"main.py": "raise SystemExit(3)"}, FailureClass.CRASHED, "exited with an error"),
        ({"main.py": "print('no output')"}, FailureClass.OUTPUT_INVALID, "predictions.csv"),
        (
            {"main.py": GOOD.replace("'a' if i % 3 else 'b'", "'a'") + "\nimport time; time.sleep(60)\n"},
            FailureClass.TIMEOUT,
            "time limit",
        ),
    ],
    ids=["crash", "no-output", "timeout"],
)
def test_participant_failures_are_classified(  # noqa: PLR0913
    client: FlaskClient,
    code_phase: int,
    worker_env: Settings,
    session: Session,
    files: dict[str, str],
    failure: FailureClass,
    hint: str,
) -> None:
    submission_id = _submit_code(client, code_phase, zip_bytes(files))
    run_worker(worker_env, burst=True, simple=True)
    submission = session.get(Submission, submission_id)
    assert submission is not None
    session.refresh(submission)
    assert (submission.status, submission.failure_class) == (SubmissionStatus.FAILED, failure)
    assert hint in submission.error_message and submission.counts_toward_quota


def test_an_archive_with_nothing_to_run_is_refused_at_upload(client: FlaskClient, code_phase: int) -> None:
    token = client.post("/api/v1/tokens", json={"username": "alice", "password": PASSWORD}).get_json()["token"]
    response = client.post(
        f"/api/v1/phases/{code_phase}/submissions",
        data={"file": (io.BytesIO(zip_bytes({"readme.txt": "nothing to run"})), "code.zip")},
        headers={"Authorization": f"Bearer {token}"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422 and "main.py" in response.get_json()["error"]["message"]


def test_a_missing_image_is_retried_and_never_counts(
    client: FlaskClient, session: Session, store: BlobStore, tmp_path: Path, worker_env: Settings, runner_image: str
) -> None:
    challenge = make_challenge(
        session,
        store,
        tmp_path / "bundle",
        slug="noimage",
        kind="code",
        labels=TRUTH,
        runner={"image": "arena-no-such-image:missing", "limits": {"wall_seconds": 20}},
    )
    make_team(session, make_user(session, "alice"), challenge)
    submission_id = _submit_code(client, first_phase(challenge).id, zip_bytes({"main.py": GOOD}))
    run_worker(worker_env, burst=True, simple=True)
    submission = session.get(Submission, submission_id)
    assert submission is not None
    session.refresh(submission)
    assert submission.status == SubmissionStatus.FAILED
    assert submission.failure_class == FailureClass.INFRASTRUCTURE and not submission.counts_toward_quota
    assert submission.attempts == worker_env.max_infra_retries
