"""Organizer scoring programs: the bundle's own scorer runs in its own sandbox, the only one that sees the key."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from arena.challenges.bundles import import_bundle
from arena.enums import FailureClass, Split, SubmissionStatus
from arena.evaluation.pipeline import evaluate_submission
from arena.evaluation.sandboxing import runner_for
from arena.models import Challenge, User
from arena.settings import Settings
from arena.storage import BlobStore
from sandbox import docker_available
from sandbox.builder import DEFAULT_TAG, build_runner_image
from tests.factories import answers, first_phase, make_team, make_user, upload, write_bundle

pytestmark = pytest.mark.docker

TRUTH = ["a" if i % 3 else "b" for i in range(20)]
PROGRAM = """
import csv, json, os
data, out = os.environ["ARENA_INPUT"], os.environ["ARENA_OUTPUT"]
truth = {r["id"]: r["label"] for r in csv.DictReader(open(os.path.join(data, "labels.csv")))}
split = {r["id"]: r["split"] for r in csv.DictReader(open(os.path.join(data, "split.csv")))}
try:
    guess = {r["id"]: r["label"] for r in csv.DictReader(open(os.path.join(data, "predictions.csv")))}
except KeyError:
    json.dump({"error": "the file needs the columns id and label"}, open(os.path.join(out, "scores.json"), "w"))
    raise SystemExit(0)
report = {}
for part in ("public", "private"):
    ids = [i for i in truth if split[i] == part]
    hits = [1.0 if guess.get(i) == truth[i] else 0.0 for i in ids]
    report[part] = {"score": sum(hits) / len(hits), "metrics": {"hits": sum(hits)}, "per_case": hits}
json.dump(report, open(os.path.join(out, "scores.json"), "w"))
"""


@pytest.fixture
def challenge(session: Session, store: BlobStore, tmp_path: Path) -> Challenge:
    """A result track scored by the bundle's own program."""
    if not docker_available():
        if os.environ.get("ARENA_REQUIRE_DOCKER") == "1":
            pytest.fail("no Docker engine answers", pytrace=False)
        pytest.skip("no Docker engine answers")
    build_runner_image(DEFAULT_TAG, log=lambda line: None)
    root = write_bundle(tmp_path / "bundle", labels=TRUTH, daily_quota=20)
    (root / "scoring").mkdir()
    (root / "scoring" / "main.py").write_text(PROGRAM, encoding="utf-8")
    data = yaml.safe_load((root / "challenge.yaml").read_text(encoding="utf-8"))
    data["tracks"][0].update(scorer="program", scoring_program="scoring", direction="max")
    (root / "challenge.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    report = import_bundle(session, store, root)
    session.commit()
    found = session.get(Challenge, report.challenge_id)
    assert found is not None and found.tracks[0].scoring_program_sha256
    make_team(session, make_user(session, "alice"), found)
    return found


def _alice(session: Session) -> User:
    return session.scalars(select(User).where(User.username == "alice")).one()


def test_the_program_scores_both_splits(
    session: Session, store: BlobStore, settings: Settings, challenge: Challenge
) -> None:
    submission = upload(session, store, _alice(session), first_phase(challenge), answers(TRUTH))
    outcome = evaluate_submission(session, settings, store, submission.id, runner_for(settings))
    assert outcome.status == SubmissionStatus.SCORED, submission.error_message
    scores = {s.split: s for s in submission.scores}
    assert scores[Split.PUBLIC].primary == 1.0 and scores[Split.PRIVATE].primary == 1.0
    assert scores[Split.PUBLIC].scorer_name == "program"
    assert scores[Split.PUBLIC].scorer_version == challenge.tracks[0].scoring_program_sha256[:12]
    assert scores[Split.PUBLIC].cases + scores[Split.PRIVATE].cases == len(TRUTH)


def test_the_programs_error_reaches_the_participant(
    session: Session, store: BlobStore, settings: Settings, challenge: Challenge
) -> None:
    bad = b"id,guess\n" + b"".join(f"r{i},a\n".encode() for i in range(20))
    submission = upload(session, store, _alice(session), first_phase(challenge), bad)
    outcome = evaluate_submission(session, settings, store, submission.id, runner_for(settings))
    assert outcome.status == SubmissionStatus.FAILED
    assert submission.failure_class == FailureClass.INVALID_FILE
    assert submission.error_message == "the file needs the columns id and label"
