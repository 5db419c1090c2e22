"""Many hosts, one S3 store: the web app stores uploads in S3, a worker with nothing local scores them.

The S3-compatible server is moto's, started by the test on a free port. The worker's data folder starts
empty: it reads hidden labels and submission files only from S3, through its own cache checked by sha256.
Then the server is stopped: uploads answer 503 with Retry-After and leave nothing behind; once it runs
again (empty: moto keeps nothing) the next upload is stored without restarting the app.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from arena.challenges.bundles import import_bundle
from arena.db import make_engine, make_session_factory
from arena.evaluation.worker import run_worker
from arena.models import Challenge, Submission
from arena.settings import Settings
from arena.storage import open_store, sha256_bytes
from sandbox import docker_available
from sandbox.builder import DEFAULT_TAG, build_runner_image
from tests.factories import PASSWORD as PASSWORD_FACTORY
from tests.factories import first_phase, make_challenge, make_team, make_user, zip_bytes
from tests.s3server import S3Server, running_s3
from web import create_app
from web.extensions import db

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "a long enough password"


@pytest.fixture
def s3() -> Iterator[S3Server]:
    """A server of this test's own: the test stops and starts it."""
    with running_s3() as server:
        yield server


def _hosts(settings: Settings, s3: S3Server, tmp_path: Path) -> tuple[Settings, Settings]:
    url = s3.url("arena")
    web = settings.with_overrides(storage_url=url, data_dir=tmp_path / "web-host")
    worker = settings.with_overrides(storage_url=url, data_dir=tmp_path / "worker-host")
    return web, worker


def _register(client: FlaskClient, name: str) -> dict[str, str]:
    page = client.get("/register").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert csrf
    form = {"csrf_token": csrf.group(1), "username": name, "password": PASSWORD, "confirm": PASSWORD}
    assert client.post("/register", data=form).status_code == 302
    token = client.post("/api/v1/tokens", json={"username": name, "password": PASSWORD}).get_json()["token"]
    return {"Authorization": f"Bearer {token}"}


def _upload(client: FlaskClient, auth: dict[str, str], phase_id: int, content: bytes) -> tuple[int, dict[str, object]]:
    response = client.post(
        f"/api/v1/phases/{phase_id}/submissions",
        data={"file": (io.BytesIO(content), "mine.csv")},
        headers=auth,
        content_type="multipart/form-data",
    )
    return response.status_code, {**response.get_json(), "retry_after": response.headers.get("Retry-After")}


def _count(settings: Settings) -> int:
    engine = make_engine(settings.database_url)
    with make_session_factory(engine)() as session:
        count = session.query(Submission).count()
    engine.dispose()
    return count


def _empty(folder: Path) -> bool:
    return not folder.is_dir() or not any(folder.iterdir())


def test_web_and_worker_share_only_s3(
    settings: Settings, s3: S3Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    web, worker = _hosts(settings, s3, tmp_path)
    engine = make_engine(web.database_url)
    with make_session_factory(engine)() as session:
        importer = open_store(web.blob_storage_url, cache_dir=tmp_path / "importer-cache")
        report = import_bundle(session, importer, REPO / "challenges" / "digits")
        session.commit()
        challenge = session.get(Challenge, report.challenge_id)
        assert challenge is not None
        phase = challenge.tracks[0].phases[0]
        phase_id, labels_sha = phase.id, phase.labels_sha256
    engine.dispose()
    labels = importer.read_bytes(labels_sha)
    assert f"arena/blobs/{labels_sha[:2]}/{labels_sha[2:]}" in s3.keys("arena/")

    app = create_app(web)
    client = app.test_client()
    auth = _register(client, "alice")
    assert client.post("/api/v1/challenges/digits/teams", json={"name": "Owls"}, headers=auth).status_code == 201
    zeros = pd.read_csv(io.BytesIO(labels)).assign(label=0).to_csv(index=False).encode()
    status, first = _upload(client, auth, phase_id, zeros)
    assert status == 202, first
    assert f"arena/blobs/{sha256_bytes(zeros)[:2]}/{sha256_bytes(zeros)[2:]}" in s3.keys("arena/")
    assert not (tmp_path / "web-host" / "blobs").exists(), "the web host keeps no blob of its own"

    for key, value in worker.to_env().items():
        monkeypatch.setenv(key, value)
    run_worker(worker, burst=True, simple=True)
    cache = worker.blob_cache_dir
    assert cache.is_relative_to(tmp_path / "worker-host")
    cached_labels = cache / "blobs" / labels_sha[:2] / labels_sha[2:]
    assert cached_labels.read_bytes() == labels, "the worker read the hidden labels through its cache"
    assert not (tmp_path / "worker-host" / "blobs").exists()
    result = client.get(f"/api/v1/submissions/{first['id']}", headers=auth).get_json()
    assert result["status"] == "scored", result

    # A damaged cached copy is never used: the worker fetches it again and scores a perfect file 1.0.
    cached_labels.write_bytes(labels.replace(b",", b";"))
    status, perfect = _upload(client, auth, phase_id, labels)
    assert status == 202, perfect
    run_worker(worker, burst=True, simple=True)
    scored = client.get(f"/api/v1/submissions/{perfect['id']}", headers=auth).get_json()
    assert scored["status"] == "scored" and scored["scores"]["public"]["score"] == 1.0, scored
    assert cached_labels.read_bytes() == labels

    # The store goes away: uploads answer 503, nothing is half-written, no quota is used.
    s3.stop()
    before = _count(web)
    other = zeros.replace(b",0", b",1")
    status, refused = _upload(client, auth, phase_id, other)
    assert status == 503 and refused["retry_after"] == "30", refused
    error = refused["error"]
    assert (
        isinstance(error, dict) and error["code"] == "storage_unavailable" and "nothing was saved" in error["message"]
    )
    login = client.get("/login").get_data(as_text=True)
    assert "csrf_token" in login  # pages still answer
    token = re.search(
        r'name="csrf_token"[^>]*value="([^"]+)"', client.get(f"/phases/{phase_id}/submit").get_data(as_text=True)
    )
    assert token
    page = client.post(
        f"/phases/{phase_id}/submit?lang=zh_CN",
        data={"file": (io.BytesIO(other), "mine.csv"), "csrf_token": token.group(1)},
        content_type="multipart/form-data",
    )
    assert page.status_code == 503 and page.headers["Retry-After"] == "30"
    assert "暂时无法连接文件存储" in page.get_data(as_text=True)
    assert _count(web) == before, "no submission row without its blob"
    assert _empty(tmp_path / "web-host" / "cache" / "tmp"), "no staged file left behind"

    # It comes back (empty): the same app stores the next upload without a restart.
    s3.start()
    status, accepted = _upload(client, auth, phase_id, other)
    assert status == 202, accepted
    assert s3.keys("arena/") == [f"arena/blobs/{sha256_bytes(other)[:2]}/{sha256_bytes(other)[2:]}"]
    assert _count(web) == before + 1
    with app.app_context():
        db.engine.dispose()


CODE = """
import os
ids = open(os.path.join(os.environ["ARENA_INPUT"], "ids.txt")).read().split()
extra = open(os.path.join(os.environ["ARENA_INPUT"], "hint.txt")).read().strip()
with open(os.path.join(os.environ["ARENA_OUTPUT"], "predictions.csv"), "w") as out:
    out.write("id,label\\n" + "".join(f"{name},{extra}\\n" for name in ids))
"""


@pytest.mark.docker
def test_a_code_run_stages_its_hidden_inputs_from_the_workers_cache(
    settings: Settings, s3: S3Server, tmp_path: Path, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not docker_available():
        pytest.fail("no Docker engine answers (run sandbox/images/setup-docker-host.sh)", pytrace=False)
    build_runner_image(DEFAULT_TAG, log=lambda line: None)
    web, worker = _hosts(settings, s3, tmp_path)
    importer = open_store(web.blob_storage_url, cache_dir=tmp_path / "importer-cache")
    challenge = make_challenge(
        session,
        importer,
        tmp_path / "bundle",
        kind="code",
        labels=["b"] * 10,
        daily_quota=5,
        input_files={"hint.txt": "b\n"},
        runner={"image": DEFAULT_TAG, "limits": {"wall_seconds": 20, "memory_mb": 256, "pids": 64}},
    )
    make_team(session, make_user(session, "alice"), challenge)
    phase = first_phase(challenge)
    inputs_sha = phase.inputs_sha256
    assert f"arena/trees/{inputs_sha}.json" in s3.keys("arena/")

    app = create_app(web)
    client = app.test_client()
    token = client.post("/api/v1/tokens", json={"username": "alice", "password": PASSWORD_FACTORY}).get_json()
    auth = {"Authorization": f"Bearer {token['token']}"}
    response = client.post(
        f"/api/v1/phases/{phase.id}/submissions",
        data={"file": (io.BytesIO(zip_bytes({"main.py": CODE})), "code.zip")},
        headers=auth,
        content_type="multipart/form-data",
    )
    assert response.status_code == 202, response.get_json()
    for key, value in worker.to_env().items():
        monkeypatch.setenv(key, value)
    run_worker(worker, burst=True, simple=True)
    result = client.get(f"/api/v1/submissions/{response.get_json()['id']}", headers=auth).get_json()
    assert result["status"] == "scored" and result["scores"]["public"]["score"] == 1.0, result
    cached = worker.blob_cache_dir / "trees" / inputs_sha
    assert (cached / "hint.txt").read_text() == "b\n", "the inputs came through the worker's cache"
    assert not (tmp_path / "worker-host" / "trees").exists() and not (tmp_path / "worker-host" / "blobs").exists()
    with app.app_context():
        db.engine.dispose()
