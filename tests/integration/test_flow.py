"""The main flow end to end: register → token → team → submit → rq worker → scored → leaderboard."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from flask.testing import FlaskClient

from arena.challenges.bundles import import_bundle
from arena.db import make_engine, make_session_factory
from arena.evaluation.worker import run_worker
from arena.models import Challenge
from arena.settings import Settings
from arena.storage import BlobStore
from web import create_app
from web.extensions import db

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "a long enough password"


@pytest.fixture
def digits(worker_env: Settings) -> Challenge:
    """The digits demo challenge imported into the test database."""
    engine = make_engine(worker_env.database_url)
    with make_session_factory(engine)() as session:
        report = import_bundle(session, BlobStore(worker_env.data_dir), REPO / "challenges" / "digits")
        session.commit()
        challenge = session.get(Challenge, report.challenge_id)
        assert challenge is not None
        for track in challenge.tracks:  # loaded while the session is open: the tests read them detached
            list(track.phases)
    engine.dispose()
    return challenge


@pytest.fixture
def client(worker_env: Settings) -> Iterator[FlaskClient]:
    """A test client of the app on the test settings."""
    app = create_app(worker_env)
    yield app.test_client()
    with app.app_context():
        db.engine.dispose()


def register_and_get_token(client: FlaskClient, name: str) -> str:
    """Register through the CSRF-protected form, then ask the API for a token."""
    page = client.get("/register").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert csrf, "the registration form carries a CSRF token"
    response = client.post(
        "/register",
        data={"csrf_token": csrf.group(1), "username": name, "password": PASSWORD, "confirm": PASSWORD},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    client.post("/logout", data={"csrf_token": csrf.group(1)})
    token = client.post("/api/v1/tokens", json={"username": name, "password": PASSWORD})
    assert token.status_code in (200, 201), token.get_json()
    return str(token.get_json()["token"])


def drain(settings: Settings) -> None:
    """Run a real rq worker in burst mode until the queue is empty."""
    run_worker(settings, burst=True, simple=True)


def test_register_team_submit_score_rank(client: FlaskClient, digits: Challenge, worker_env: Settings) -> None:
    token = register_and_get_token(client, "alice")
    auth = {"Authorization": f"Bearer {token}"}
    detail = client.get("/api/v1/challenges/digits", headers=auth).get_json()
    phase = detail["tracks"][0]["phases"][0]
    files = {f["name"]: f for f in detail["files"]}
    assert "labels.csv" not in files

    team = client.post("/api/v1/challenges/digits/teams", json={"name": "Owls"}, headers=auth)
    assert team.status_code == 201, team.get_json()

    with client.get(files["sample_submission.csv"]["download_url"], headers=auth) as sample:
        assert sample.status_code == 200
        sample_bytes = sample.data
    upload = client.post(
        f"/api/v1/phases/{phase['id']}/submissions",
        data={"file": (io.BytesIO(sample_bytes), "sample_submission.csv")},
        headers=auth,
        content_type="multipart/form-data",
    )
    assert upload.status_code == 202, upload.get_json()
    submission_id = upload.get_json()["id"]
    assert upload.get_json()["status"] == "queued"

    drain(worker_env)
    result = client.get(f"/api/v1/submissions/{submission_id}", headers=auth).get_json()
    assert result["status"] == "scored", result
    assert set(result["scores"]) == {"public"}, "the private score stays hidden while the phase runs"
    assert 0.0 <= result["scores"]["public"]["score"] <= 1.0

    board = client.get(f"/api/v1/phases/{phase['id']}/leaderboard?split=public", headers=auth).get_json()
    assert [row["team"]["name"] for row in board["rows"]] == ["Owls"] and board["rows"][0]["rank"] == 1
    private = client.get(f"/api/v1/phases/{phase['id']}/leaderboard?split=private", headers=auth)
    assert private.status_code == 403 and private.get_json()["error"]["code"]


def test_a_perfect_submission_beats_the_sample(client: FlaskClient, digits: Challenge, worker_env: Settings) -> None:
    store = BlobStore(worker_env.data_dir)
    phase = digits.tracks[0].phases[0]
    perfect = store.read_bytes(phase.labels_sha256)
    scores = {}
    for name, content in (("bob", perfect), ("carol", None)):
        auth = {"Authorization": f"Bearer {register_and_get_token(client, name)}"}
        client.post("/api/v1/challenges/digits/teams", json={"name": f"team {name}"}, headers=auth)
        if content is None:
            key = pd.read_csv(io.BytesIO(perfect))
            key["label"] = 0
            content = key.to_csv(index=False).encode()
        response = client.post(
            f"/api/v1/phases/{phase.id}/submissions",
            data={"file": (io.BytesIO(content), "mine.csv")},
            headers=auth,
            content_type="multipart/form-data",
        )
        assert response.status_code == 202
        scores[name] = (auth, response.get_json()["id"])
    drain(worker_env)
    auth, bob_id = scores["bob"]
    assert client.get(f"/api/v1/submissions/{bob_id}", headers=auth).get_json()["scores"]["public"]["score"] == 1.0
    rows = client.get(f"/api/v1/phases/{phase.id}/leaderboard", headers=auth).get_json()["rows"]
    assert [r["team"]["name"] for r in rows] == ["team bob", "team carol"]


def test_a_bad_file_fails_with_a_message_not_a_500(
    client: FlaskClient, digits: Challenge, worker_env: Settings
) -> None:
    auth = {"Authorization": f"Bearer {register_and_get_token(client, 'dave')}"}
    client.post("/api/v1/challenges/digits/teams", json={"name": "Daves"}, headers=auth)
    phase = digits.tracks[0].phases[0]
    response = client.post(
        f"/api/v1/phases/{phase.id}/submissions",
        data={"file": (io.BytesIO(b"id,label\n1,3\n1,3\n"), "bad.csv")},
        headers=auth,
        content_type="multipart/form-data",
    )
    # Refused at upload, before it becomes a submission (the worker's own check is tested in tests/arena).
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] and error["message"] and error["rows"]
    drain(worker_env)
    assert client.get(f"/api/v1/phases/{phase.id}/submissions", headers=auth).get_json()["submissions"] == []
    empty = client.post(
        f"/api/v1/phases/{phase.id}/submissions",
        data={"file": (io.BytesIO(b""), "empty.csv")},
        headers=auth,
        content_type="multipart/form-data",
    )
    assert empty.status_code == 400 and "empty" in empty.get_json()["error"]["message"]
    missing = client.post(f"/api/v1/phases/{phase.id}/submissions", headers=auth)
    assert missing.status_code == 400 and missing.get_json()["error"]["code"]
