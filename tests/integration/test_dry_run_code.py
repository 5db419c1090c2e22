"""A code track's dry run goes through the real path: rq job → worker → Docker sandbox → scorer."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from arena import publishing
from arena.challenges.bundles import import_bundle
from arena.errors import Conflict
from arena.evaluation.worker import run_worker
from arena.models import Challenge
from arena.settings import Settings
from arena.storage import BlobStore
from sandbox import docker_available
from sandbox.builder import DEFAULT_TAG, build_runner_image
from tests.factories import make_challenge

pytestmark = pytest.mark.docker
REPO = Path(__file__).resolve().parents[2]

BASELINE = """
import os
ids = open(os.path.join(os.environ["ARENA_INPUT"], "ids.txt")).read().split()
with open(os.path.join(os.environ["ARENA_OUTPUT"], "predictions.csv"), "w") as out:
    out.write("id,label\\n")
    for i, name in enumerate(ids):
        out.write(f"{name},{'a' if i % 3 else 'b'}\\n")
"""
CRASHES = "raise SystemExit('the sample forgot its model')\n"


@pytest.fixture(scope="module")
def runner_image() -> str:
    """The default runner image (built once if missing); fails instead of skipping when Docker is required."""
    if not docker_available():
        if os.environ.get("ARENA_REQUIRE_DOCKER") == "1":
            pytest.fail("no Docker engine answers", pytrace=False)
        pytest.skip("no Docker engine answers")
    build_runner_image(DEFAULT_TAG, log=lambda line: None)
    return DEFAULT_TAG


def test_a_code_track_dry_run_runs_the_baseline_in_the_sandbox(
    session: Session, worker_env: Settings, store: BlobStore, tmp_path: Path, runner_image: str
) -> None:
    root = tmp_path / "bundle"
    for name, code in (("baseline", BASELINE), ("sample", CRASHES)):
        (root / name).mkdir(parents=True)
        (root / name / "main.py").write_text(code, encoding="utf-8")
    challenge = make_challenge(
        session,
        store,
        root,
        kind="code",
        overrides={},
        phase_options={"baseline": "baseline", "sample_submission": "sample"},
    )
    challenge.is_published = False
    session.commit()
    run = publishing.start_dry_run(session, worker_env, store, challenge, actor_id=None)
    assert run.finished_at is None and {e["status"] for e in run.entries} == {"queued"}
    with pytest.raises(Conflict, match="still running"):
        publishing.publish(session, challenge, actor_id=None)
    run_worker(worker_env, burst=True, simple=True)
    session.expire_all()
    done = publishing.latest_dry_run(session, challenge.id)
    assert done is not None and done.finished_at is not None
    entries = {e["reference"]: e for e in done.entries}
    assert entries["baseline"]["status"] == "scored", entries["baseline"]
    assert entries["baseline"]["scores"] == {"public": 1.0, "private": 1.0}
    assert entries["sample"]["status"] == "failed" and entries["sample"]["message"] == "your code exited with an error"
    with pytest.raises(Conflict, match="sample submission of main/one did not score"):
        publishing.publish(session, challenge, actor_id=None)


@pytest.mark.slow
def test_the_snow_leopard_bundle_passes_its_dry_run(
    session: Session, worker_env: Settings, store: BlobStore, runner_image: str
) -> None:
    """The demo bundle's samples score, and its code track's baseline folder runs in the sandbox and scores."""
    report = import_bundle(session, store, REPO / "challenges" / "snow-leopard")
    session.commit()
    challenge = session.get(Challenge, report.challenge_id)
    assert challenge is not None
    publishing.start_dry_run(session, worker_env, store, challenge, actor_id=None)
    run_worker(worker_env, burst=True, simple=True)
    session.expire_all()
    done = publishing.latest_dry_run(session, challenge.id)
    assert done is not None and done.finished_at is not None
    scored = {(e["track"], e["phase"], e["reference"]) for e in done.entries if e["status"] == "scored"}
    assert scored == {
        ("identify", "prelim", "sample"),
        ("identify", "final", "sample"),
        ("identify-code", "prelim", "baseline"),
        ("identify-code", "final", "baseline"),
    }
    baseline = next(e for e in done.entries if e["track"] == "identify-code" and e["reference"] == "baseline")
    assert baseline["scores"]["public"] > 0.5  # far above all `new_individual` (0.46) and random (0.04)
    assert publishing.publish_problems(session, challenge) == []
