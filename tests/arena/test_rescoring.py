"""Rescoring a phase: a new score version, progress derived from the database, earlier versions kept."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from arena.boards.ranking import leaderboard
from arena.challenges.bundles import import_bundle
from arena.enums import Split, SubmissionStatus
from arena.evaluation import rescoring
from arena.evaluation.pipeline import evaluate_submission
from arena.evaluation.worker import run_worker
from arena.models import AuditEvent, Challenge, Phase, Score, Submission
from arena.settings import Settings
from arena.storage import BlobStore
from tests.factories import answers, first_phase, make_team, make_user, upload, write_bundle

TRUTH = ["a" if i % 3 else "b" for i in range(20)]


def _scored_phase(session: Session, settings: Settings, store: BlobStore, root: Path) -> tuple[Phase, list[int]]:
    report = import_bundle(session, store, write_bundle(root, labels=TRUTH))
    session.commit()
    challenge = session.get(Challenge, report.challenge_id)
    assert challenge is not None
    phase = first_phase(challenge)
    ids = []
    for name, values in (("alice", TRUTH), ("bob", ["a"] * 20)):
        user = make_user(session, name)
        make_team(session, user, challenge)
        submission = upload(session, store, user, phase, answers(values))
        evaluate_submission(session, settings, store, submission.id)
        ids.append(submission.id)
    return phase, ids


def test_rescoring_a_phase_reports_progress_and_keeps_earlier_versions(
    session: Session, worker_env: Settings, store: BlobStore, tmp_path: Path
) -> None:
    phase, ids = _scored_phase(session, worker_env, store, tmp_path / "b")
    organizer = make_user(session, "org")
    run = rescoring.rescore_phase(session, worker_env, phase, reason="scorer fix", requested_by_id=organizer.id)
    assert (run.version, run.total, sorted(run.submission_ids)) == (2, 2, sorted(ids))
    session.refresh(phase)
    assert phase.score_version == 2
    before = rescoring.rescore_progress(session, run)
    assert (before.total, before.done, before.finished_at) == (2, 0, None)
    assert {session.get(Submission, i).status for i in ids} == {SubmissionStatus.QUEUED}  # type: ignore[union-attr]
    assert leaderboard(session, phase, Split.PUBLIC) == []  # the new version's board fills as rescoring proceeds
    run_worker(worker_env, burst=True, simple=True)
    session.expire_all()
    after = rescoring.rescore_progress(session, run)
    assert (after.done, after.scored, after.failed, after.percent) == (2, 2, 0, 100)
    assert after.finished_at is not None
    versions = sorted(session.scalars(select(Score.version).where(Score.submission_id == ids[0])))
    assert versions == [1, 1, 2, 2]
    assert len(leaderboard(session, phase, Split.PUBLIC)) == 2
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "phase.rescore_started"))
    assert event is not None and event.actor_id == organizer.id and event.data["reason"] == "scorer fix"
    assert [p.id for p in rescoring.phase_rescores(session, phase.id)] == [run.id]


def test_a_changed_key_on_import_creates_a_run_per_phase(
    session: Session, worker_env: Settings, store: BlobStore, tmp_path: Path
) -> None:
    root = tmp_path / "b"
    phase, ids = _scored_phase(session, worker_env, store, root)
    flipped = ["b" if v == "a" else "a" for v in TRUTH]
    write_bundle(root, labels=flipped)
    report = import_bundle(session, store, root)
    session.commit()
    [run] = rescoring.rescore_imported(
        session, worker_env, report.rescore_submission_ids, reason="new key", requested_by_id=None
    )
    assert (run.phase_id, run.version, run.total) == (phase.id, 2, 2)
    run_worker(worker_env, burst=True, simple=True)
    session.expire_all()
    assert rescoring.rescore_progress(session, run).done == 2
    alice = session.get(Submission, ids[0])
    assert alice is not None
    by_version = {(s.version, s.split): s.primary for s in alice.scores}
    assert by_version[(1, "public")] == 1.0 and by_version[(2, "public")] == 0.0


def test_a_failed_submission_counts_as_done_and_a_newer_version_supersedes(
    session: Session, worker_env: Settings, store: BlobStore, tmp_path: Path
) -> None:
    phase, ids = _scored_phase(session, worker_env, store, tmp_path / "b")
    first = rescoring.rescore_phase(session, worker_env, phase, reason="one", requested_by_id=None)
    broken = session.get(Submission, ids[1])
    assert broken is not None
    broken.file_sha256 = store.put_bytes(b"not,a\nprediction,file\n")  # as if the file no longer validated
    session.commit()
    second = rescoring.rescore_phase(session, worker_env, phase, reason="two", requested_by_id=None)
    assert sorted(second.submission_ids) == sorted(ids)  # still-queued submissions of the first run are included
    assert rescoring.rescore_progress(session, first).superseded
    run_worker(worker_env, burst=True, simple=True)
    session.expire_all()
    done = rescoring.rescore_progress(session, second)
    assert (done.scored, done.failed, done.done) == (1, 1, 2) and done.finished_at is not None
