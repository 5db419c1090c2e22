"""A code challenge created in the browser form goes all the way: form → bundle → import → dry run in the real
sandbox (rq job → worker → Docker) → publish."""

from __future__ import annotations

import io
import os

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from arena import publishing
from arena.evaluation.worker import run_worker
from arena.models import Challenge
from arena.settings import Settings
from sandbox import docker_available
from sandbox.builder import DEFAULT_TAG, build_runner_image
from tests.factories import zip_bytes
from tests.web.conftest import csrf_from, login, make_user
from web import create_app

pytestmark = pytest.mark.docker
KEY = "id,label\n" + "".join(f"r{i},{'a' if i % 3 else 'b'}\n" for i in range(12))
SAMPLE = "id,label\n" + "".join(f"r{i},a\n" for i in range(12))
BASELINE = """
import os
ids = open(os.path.join(os.environ["ARENA_INPUT"], "ids.txt")).read().split()
with open(os.path.join(os.environ["ARENA_OUTPUT"], "predictions.csv"), "w") as out:
    out.write("id,label\\n")
    for i, name in enumerate(ids):
        out.write(f"{name},{'a' if i % 3 else 'b'}\\n")
"""
SAMPLE_PROGRAM = """
import os
ids = open(os.path.join(os.environ["ARENA_INPUT"], "ids.txt")).read().split()
with open(os.path.join(os.environ["ARENA_OUTPUT"], "predictions.csv"), "w") as out:
    out.write("id,label\\n" + "".join(f"{name},a\\n" for name in ids))
"""
FIELDS = {
    "slug": "code-cats",
    "title_en": "Code cats",
    "title_zh": "代码猫",
    "track_slug": "main",
    "track_title_en": "Main",
    "track_title_zh": "主赛道",
    "kind": "code",
    "scorer": "accuracy",
    "id_column": "id",
    "target_columns": "label",
    "resource_class": "cpu",
    "wall_seconds": "60",
    "memory_mb": "256",
    "cpus": "1",
    "pids": "128",
    "output_mb": "16",
    "phase_slug": "open",
    "phase_title_en": "Open round",
    "phase_title_zh": "公开赛",
    "opens": "2027-01-01T08:00",
    "closes": "2027-03-01T08:00",
    "daily_quota": "5",
    "public_fraction": "0.5",
}


@pytest.fixture(scope="module")
def runner_image() -> str:
    """The default runner image (built once if missing); fails instead of skipping when Docker is required."""
    if not docker_available():
        if os.environ.get("ARENA_REQUIRE_DOCKER") == "1":
            pytest.fail("no Docker engine answers", pytrace=False)
        pytest.skip("no Docker engine answers")
    build_runner_image(DEFAULT_TAG, log=lambda line: None)
    return DEFAULT_TAG


def test_a_code_challenge_made_in_the_form_dry_runs_in_the_sandbox_and_publishes(
    session: Session, worker_env: Settings, runner_image: str
) -> None:
    app = create_app(worker_env)
    client = app.test_client()
    make_user(app, "root", admin=True)
    make_user(app, "carol")
    login(client, "root")
    token = csrf_from(client.get("/admin/creators").get_data(as_text=True))
    assert client.post("/admin/creators", data={"who": "carol", "csrf_token": token}).status_code == 302
    client.get("/logout")
    client = app.test_client()
    login(client, "carol")
    files = {
        "labels": (io.BytesIO(KEY.encode()), "labels.csv"),
        "sample": (io.BytesIO(SAMPLE.encode()), "sample.csv"),
        "inputs": (io.BytesIO(zip_bytes({"ids.txt": " ".join(f"r{i}" for i in range(12))})), "inputs.zip"),
        "baseline_program": (io.BytesIO(zip_bytes({"main.py": BASELINE})), "baseline.zip"),
        "sample_program": (io.BytesIO(zip_bytes({"code/main.py": SAMPLE_PROGRAM})), "sample.zip"),
    }
    token = csrf_from(client.get("/challenges/new").get_data(as_text=True))
    sent = client.post(
        "/challenges/new", data={**FIELDS, **files, "csrf_token": token}, content_type="multipart/form-data"
    )
    assert sent.status_code == 302, sent.get_data(as_text=True)
    token = csrf_from(client.get("/c/code-cats/manage/dry-run").get_data(as_text=True))
    started = client.post("/c/code-cats/manage/dry-run?lang=en", data={"csrf_token": token}, follow_redirects=True)
    assert "code runs in the sandbox" in started.get_data(as_text=True)
    refused = client.post("/c/code-cats/manage/publish", data={"csrf_token": token})
    assert refused.status_code == 409
    run_worker(worker_env, burst=True, simple=True)
    challenge = session.scalar(select(Challenge).where(Challenge.slug == "code-cats"))
    assert challenge is not None
    done = publishing.latest_dry_run(session, challenge.id)
    assert done is not None and done.finished_at is not None
    entries = {e["reference"]: e for e in done.entries}
    assert entries["baseline"]["status"] == "scored", entries["baseline"]
    assert entries["baseline"]["scores"] == {"public": 1.0, "private": 1.0}
    assert entries["sample"]["status"] == "scored", entries["sample"]
    assert 0 < entries["sample"]["scores"]["public"] < 1
    published = client.post("/c/code-cats/manage/publish", data={"csrf_token": token})
    assert published.status_code == 302, published.get_data(as_text=True)
    session.expire_all()
    assert session.get(Challenge, challenge.id).is_published  # type: ignore[union-attr]
    assert app.test_client().get("/c/code-cats").status_code == 200
