"""Reproducing a finalist's code on a sealed final test set, through the real worker and sandbox."""

from __future__ import annotations

import io
import json
import os
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from arena import accounts, finals
from arena.db import utcnow
from arena.enums import ChallengeRoleKind, SubmissionStatus
from arena.evaluation import get_rerun, intake
from arena.evaluation.worker import run_worker
from arena.models import Score, Submission
from arena.settings import Settings
from arena.storage import BlobStore
from sandbox import docker_available
from sandbox.builder import DEFAULT_TAG, build_runner_image
from tests.arena.finals_world import FORMULA, person
from tests.factories import first_phase, make_challenge, make_team, zip_bytes

pytestmark = pytest.mark.docker

TRUTH = ["a" if i % 3 else "b" for i in range(20)]
# Labels the position in the inputs' ids.txt: whatever ids the inputs hold, the predictions name them.
DETERMINISTIC = """
import os
ids = open(os.path.join(os.environ["ARENA_INPUT"], "ids.txt")).read().split()
with open(os.path.join(os.environ["ARENA_OUTPUT"], "predictions.csv"), "w") as out:
    out.write("id,label\\n")
    for i, name in enumerate(ids):
        out.write(f"{name},{'a' if i % 2 else 'b'}\\n")
"""
SEALED_IDS = [f"sealed{i}" for i in range(12)]
# The code's answer on every sealed row but the first: 11 of 12 right.
SEALED_KEY = "id,label\n" + "".join(
    f"{name},{('b' if i % 2 else 'a') if i == 0 else ('a' if i % 2 else 'b')}\n" for i, name in enumerate(SEALED_IDS)
)


@pytest.fixture(scope="module")
def runner_image() -> str:
    """The default runner image (built once if missing); fails instead of skipping when Docker is required."""
    if not docker_available():
        if os.environ.get("ARENA_REQUIRE_DOCKER") == "1":
            pytest.fail("no Docker engine answers (run sandbox/images/setup-docker-host.sh)", pytrace=False)
        pytest.skip("no Docker engine answers")
    build_runner_image(DEFAULT_TAG, log=lambda line: None)
    return DEFAULT_TAG


def test_a_finalists_code_is_reproduced_on_the_sealed_set(
    session: Session, worker_env: Settings, store: BlobStore, tmp_path: Path, runner_image: str
) -> None:
    runner = {"image": runner_image, "limits": {"wall_seconds": 20, "memory_mb": 256, "pids": 64}}
    challenge = make_challenge(session, store, tmp_path / "bundle", kind="code", labels=TRUTH, runner=runner)
    phase = first_phase(challenge)
    organizer = person(session, "org", email="org@sponsor.example")
    accounts.grant_role(session, challenge.id, organizer, ChallengeRoleKind.ORGANIZER)
    captain = person(session, "cap", email="cap@tju.edu.cn")
    make_team(session, captain, challenge, "team")
    submission = intake.accept_upload(
        session,
        worker_env,
        store,
        user=captain,
        phase=phase,
        stream=io.BytesIO(zip_bytes({"main.py": DETERMINISTIC})),
        filename="code.zip",
    )
    run_worker(worker_env, burst=True, simple=True)
    session.refresh(submission)
    assert submission.status == SubmissionStatus.SCORED, (submission.error_message, submission.run_info)
    scores_before = sorted((s.id, s.primary) for s in session.scalars(select(Score)))
    phase.closes_at = utcnow() - timedelta(minutes=1)
    final = finals.create_final(
        session, organizer, challenge, {"en": "Final", "zh": "总决赛"}, source_phase_ids=[phase.id], formula=FORMULA
    )
    finals.set_rubric(session, organizer, final.id, finals.rubric_template())
    finals.announce_final(session, organizer, final.id)
    (finalist,) = finals.name_finalists(session, organizer, final.id, phase.id, top_n=1)
    finals.choose_code_submission(session, captain, finalist.id, submission.id)
    inputs = tmp_path / "sealed"
    inputs.mkdir()
    (inputs / "ids.txt").write_text("".join(f"{name}\n" for name in SEALED_IDS), encoding="utf-8")
    sealed = finals.provide_sealed_set(session, store, organizer, final.id, phase.id, inputs, SEALED_KEY.encode())
    assert finalist.online_score is not None
    gap = abs(11 / 12 - finalist.online_score)
    assert gap > 0, "the online score happens to equal the sealed score; the tolerance rule is not exercised"
    finals.update_final(session, organizer, final.id, tolerance=gap + 0.01, reason="scored on the sealed set")
    session.commit()

    finals.request_reproduction(session, worker_env, organizer, finalist.id)
    run_worker(worker_env, burst=True, simple=True)
    session.expire_all()
    # The code ran on the sealed inputs (on the phase's own, its ids would not match the sealed key).
    assert finals.record_reproduction(session, finalist.id) == "passed", finalist.reproduction_result
    result = finalist.reproduction_result
    assert result["sealed"] == {"score": pytest.approx(11 / 12), "cases": 12}
    assert result["reproduced"] == pytest.approx(11 / 12) and result["difference"] == pytest.approx(gap)
    assert result["run"]["exit_code"] == 0 and result["run"]["duration_seconds"] > 0
    assert "peak_memory_bytes" in result["run"] and result["image_digest"].startswith("sha256:")
    assert finalist.rerun_id is not None
    rerun = get_rerun(session, finalist.rerun_id)
    assert rerun.status == "done" and rerun.detail["sealed"]["metrics"]["accuracy"] == pytest.approx(11 / 12)
    assert rerun.detail["labels_sha256"] == sealed.labels_sha256 and rerun.detail["run"]["outcome"] == "ok"
    logs = json.loads(store.read_bytes(rerun.detail["run"]["log_sha256"]))
    assert "sealed" not in logs["stdout"] + logs["stderr"]
    packet = json.dumps(finals.finalist_packet(session, organizer, finalist.id), default=str)
    assert sealed.labels_sha256 not in packet and "sealed0" not in packet

    # Nothing about the submission changed; a stricter tolerance fails the same re-run.
    assert sorted((s.id, s.primary) for s in session.scalars(select(Score))) == scores_before
    fresh = session.get(Submission, submission.id)
    assert fresh is not None and fresh.status == SubmissionStatus.SCORED and fresh.attempts == 1
    finals.update_final(session, organizer, final.id, tolerance=gap / 2, reason="stricter")
    assert finals.record_reproduction(session, finalist.id) == "failed"
