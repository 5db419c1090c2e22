"""Re-runs: a result-track submission re-scored through rq reproduces its score, without any change to it."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from arena.enums import Split, SubmissionStatus
from arena.evaluation.pipeline import evaluate_submission
from arena.evaluation.queueing import get_queue
from arena.evaluation.reruns import (
    RerunStatus,
    compare_scores,
    execute_rerun,
    provenance,
    reconcile_reruns,
    request_rerun,
)
from arena.evaluation.scoring import SplitScore
from arena.evaluation.worker import run_worker
from arena.models import AuditEvent, Rerun, Score, Submission
from arena.settings import Settings
from arena.storage import BlobStore
from tests.factories import accepted_unchecked, answers, first_phase, make_challenge, make_team, make_user, upload

TRUTH = ["a" if i % 3 else "b" for i in range(20)]


def _scored(session: Session, settings: Settings, store: BlobStore, tmp_path: Path, values: list[str]) -> Submission:
    challenge = make_challenge(session, store, tmp_path / "b", labels=TRUTH)
    user = make_user(session, "alice")
    make_team(session, user, challenge)
    submission = upload(session, store, user, first_phase(challenge), answers(values))
    evaluate_submission(session, settings, store, submission.id)
    session.refresh(submission)
    assert submission.status == SubmissionStatus.SCORED
    return submission


def _snapshot(session: Session, submission: Submission) -> tuple[str, list[tuple[int, str, int, float]]]:
    session.expire_all()
    rows = session.scalars(select(Score).where(Score.submission_id == submission.id).order_by(Score.id))
    fresh = session.get(Submission, submission.id)
    assert fresh is not None
    return fresh.status, [(r.id, r.split, r.version, r.primary) for r in rows]


def test_a_result_submission_reproduces_its_score(
    session: Session, worker_env: Settings, store: BlobStore, tmp_path: Path
) -> None:
    submission = _scored(session, worker_env, store, tmp_path, ["a"] * 10 + TRUTH[10:])
    before = _snapshot(session, submission)
    organizer = make_user(session, "org")
    rerun = request_rerun(session, worker_env, submission, actor_id=organizer.id)
    assert rerun.status == RerunStatus.QUEUED
    run_worker(worker_env, burst=True, simple=True)
    session.expire_all()
    done = session.get(Rerun, rerun.id)
    assert done is not None and done.status == RerunStatus.DONE, done.detail
    assert done.reproduced is True and done.finished_at is not None
    assert set(done.detail["splits"]) == {"public", "private"}
    assert all(s["equal"] and s["difference"] == 0.0 for s in done.detail["splits"].values())
    assert done.detail["submission_sha256"] == submission.file_sha256
    assert _snapshot(session, submission) == before  # neither status nor scores changed
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "submission.rerun_requested")) is not None


def test_a_changed_key_is_not_reproduced(
    session: Session, settings: Settings, store: BlobStore, tmp_path: Path
) -> None:
    submission = _scored(session, settings, store, tmp_path, TRUTH)
    phase = submission.phase
    # The stored key drifted without a new score version: a re-run must notice.
    flipped = "id,label\n" + "".join(f"r{i},{'b' if v == 'a' else 'a'}\n" for i, v in enumerate(TRUTH))
    phase.labels_sha256 = store.put_bytes(flipped.encode())
    rerun = Rerun(submission_id=submission.id, status=RerunStatus.QUEUED)
    session.add(rerun)
    session.commit()
    done = execute_rerun(session, settings, store, rerun.id, runner=None)
    assert done is not None and done.status == RerunStatus.DONE and done.reproduced is False
    assert done.detail["splits"]["public"]["recorded"] == 1.0 and done.detail["splits"]["public"]["rerun"] == 0.0
    assert done.detail["recorded_labels_sha256"] != done.detail["labels_sha256"]


def test_a_failed_submission_reproduces_its_failure(
    session: Session, settings: Settings, store: BlobStore, tmp_path: Path
) -> None:
    challenge = make_challenge(session, store, tmp_path / "b", labels=TRUTH)
    user = make_user(session, "alice")
    make_team(session, user, challenge)
    submission = accepted_unchecked(session, store, user, first_phase(challenge), b"id,label\nr0,a\n")
    evaluate_submission(session, settings, store, submission.id)
    rerun = Rerun(submission_id=submission.id, status=RerunStatus.QUEUED)
    session.add(rerun)
    session.commit()
    done = execute_rerun(session, settings, store, rerun.id, runner=None)
    assert done is not None and done.reproduced is True and done.detail["failure_class"] == "invalid_file"


def test_compare_scores_needs_every_split_within_tolerance(
    session: Session, settings: Settings, store: BlobStore, tmp_path: Path
) -> None:
    submission = _scored(session, settings, store, tmp_path, TRUTH)
    recorded = {row.split: row for row in submission.scores}
    per_case = io.BytesIO()
    np.save(per_case, np.ones(10))

    def fresh(public: float, private: float | None) -> list[SplitScore]:
        rows = [SplitScore(Split.PUBLIC, public, {}, 10, per_case.getvalue())]
        if private is not None:
            rows.append(SplitScore(Split.PRIVATE, private, {}, 10, per_case.getvalue()))
        return rows

    assert compare_scores(recorded, fresh(1.0, 1.0 - 1e-13))[0] is True
    assert compare_scores(recorded, fresh(1.0, 1.0 - 1e-9))[0] is False
    assert compare_scores(recorded, fresh(1.0, None))[0] is False
    assert compare_scores({}, fresh(1.0, 1.0))[0] is False


def test_provenance_lists_every_version(session: Session, settings: Settings, store: BlobStore, tmp_path: Path) -> None:
    submission = _scored(session, settings, store, tmp_path, TRUTH)
    rows = provenance(session, submission)
    assert {r.split for r in rows} == {"public", "private"} and all(r.current for r in rows)
    row = rows[0]
    assert row.submission_sha256 == submission.file_sha256
    assert row.labels_sha256 == submission.phase.labels_sha256
    assert row.scorer_name == "accuracy" and row.scorer_version and row.image_digest == ""
    assert row.to_dict()["created_at"]


def test_a_rerun_whose_worker_died_or_whose_job_was_lost_is_queued_again_and_finishes(
    session: Session, worker_env: Settings, store: BlobStore, tmp_path: Path
) -> None:
    submission = _scored(session, worker_env, store, tmp_path, TRUTH)
    organizer = make_user(session, "org")
    died = request_rerun(session, worker_env, submission, actor_id=organizer.id)
    lost = request_rerun(session, worker_env, submission, actor_id=organizer.id)
    get_queue(worker_env).empty()  # both jobs lost
    died.status = RerunStatus.RUNNING  # its worker died mid-run: no lease is held
    session.commit()
    assert reconcile_reruns(session, worker_env) == 1, "a fresh queued re-run is left alone for a while"
    assert reconcile_reruns(session, worker_env, stale_after=timedelta(0)) == 1
    session.refresh(died)
    assert died.status == RerunStatus.QUEUED
    run_worker(worker_env, burst=True, simple=True)
    session.expire_all()
    for rerun_id in (died.id, lost.id):
        done = session.get(Rerun, rerun_id)
        assert done is not None and done.status == RerunStatus.DONE and done.reproduced is True
    assert reconcile_reruns(session, worker_env, stale_after=timedelta(0)) == 0
