"""Data files, hidden keys checked at once, dry runs and publishing (services, on a real database)."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from arena import publishing
from arena.db import utcnow
from arena.enums import SubmissionStatus
from arena.errors import Conflict, InvalidInput
from arena.evaluation.pipeline import evaluate_submission
from arena.models import AuditEvent, Challenge, Notification, RescoreRun
from arena.settings import Settings
from arena.storage import BlobStore
from tests.factories import answers, first_phase, make_challenge, make_team, make_user, upload

KEY = "id,label\n" + "".join(f"r{i},{'a' if i % 3 else 'b'}\n" for i in range(20))


def _toy(session: Session, store: BlobStore, tmp_path: Path, **options: object) -> Challenge:
    return make_challenge(session, store, tmp_path / "bundle", **options)


def _with_references(session: Session, store: BlobStore, tmp_path: Path, baseline: bytes) -> Challenge:
    root = tmp_path / "refs"
    (root / "refs").mkdir(parents=True)
    (root / "refs" / "baseline.csv").write_bytes(baseline)
    return make_challenge(
        session,
        store,
        root,
        phase_options={"sample_submission": "public/sample_submission.csv", "baseline": "refs/baseline.csv"},
    )


def _actions(session: Session, challenge: Challenge) -> list[str]:
    rows = session.scalars(select(AuditEvent.action).where(AuditEvent.challenge_id == challenge.id))
    return list(rows)


def test_check_key_accepts_a_good_key_and_names_the_first_offending_rows(
    session: Session, store: BlobStore, tmp_path: Path
) -> None:
    track = _toy(session, store, tmp_path).tracks[0]
    assert publishing.check_key(track, KEY.encode()).rows == 20
    with pytest.raises(publishing.KeyRefused) as repeated:
        publishing.check_key(track, b"id,label\nr1,a\nr2,b\nr1,b\n")
    assert "line 2 ('r1')" in repeated.value.message and "line 4 ('r1')" in repeated.value.message
    assert "previous key is kept" in repeated.value.message
    with pytest.raises(publishing.KeyRefused) as missing:
        publishing.check_key(track, b"id,answer\nr1,a\nr2,b\n")
    assert "'label'" in missing.value.message and "id,answer" in missing.value.message
    with pytest.raises(publishing.KeyRefused) as blank:
        publishing.check_key(track, b"id,label\nr1,a\nr2,\n")
    assert "line 3" in blank.value.message
    with pytest.raises(publishing.KeyRefused):
        publishing.check_key(track, b"id,label\nr1,a\n")


def test_check_key_refuses_labels_outside_the_declared_set(session: Session, store: BlobStore, tmp_path: Path) -> None:
    track = _toy(session, store, tmp_path).tracks[0]
    track.targets = {"label": {"type": "label", "labels": ["a", "b"], "truth": True}}
    assert publishing.check_key(track, KEY.encode()).rows == 20
    with pytest.raises(publishing.KeyRefused) as outside:
        publishing.check_key(track, b"id,label\nr1,a\nr2,cat\nr3,b\n")
    assert "Row 2 of the key file (id 'r2')" in outside.value.message
    assert "'cat'" in outside.value.message and "declared labels" in outside.value.message


def test_a_refused_key_leaves_the_old_key_in_place(
    session: Session, settings: Settings, store: BlobStore, tmp_path: Path
) -> None:
    phase = first_phase(_toy(session, store, tmp_path))
    old = phase.labels_sha256
    with pytest.raises(publishing.KeyRefused):
        publishing.replace_key(
            session, settings, store, phase, b"id,label\nr1,a\nr1,b\n", actor_id=None, reason="x", now=utcnow()
        )
    session.rollback()
    assert phase.labels_sha256 == old


def test_replacing_the_key_of_a_running_phase_needs_a_reason_is_audited_and_rescores(
    session: Session, settings: Settings, store: BlobStore, tmp_path: Path
) -> None:
    challenge = _toy(session, store, tmp_path)
    phase = first_phase(challenge)
    user = make_user(session, "alice")
    make_team(session, user, challenge)
    submission = upload(session, store, user, phase, answers(["a"] * 20))
    evaluate_submission(session, settings, store, submission.id)
    assert submission.status == SubmissionStatus.SCORED
    new_key = KEY.replace("r0,b", "r0,a").encode()
    with pytest.raises(InvalidInput) as no_reason:
        publishing.replace_key(session, settings, store, phase, new_key, actor_id=user.id, reason=" ", now=utcnow())
    assert no_reason.value.field == "reason"
    done = publishing.replace_key(
        session, settings, store, phase, new_key, actor_id=user.id, reason="row r0 was mislabelled", now=utcnow()
    )
    assert phase.labels_rows == 20 and store.read_bytes(phase.labels_sha256) == new_key
    run = session.get(RescoreRun, done.rescore_run_id)
    assert run is not None and run.submission_ids == [submission.id] and phase.score_version == 2
    assert {"phase.key_replaced", "phase.rescore_started"} <= set(_actions(session, challenge))
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "phase.key_replaced"))
    assert event is not None and event.data["reason"] == "row r0 was mislabelled"
    notice = session.scalar(select(Notification).where(Notification.recipient_id == user.id))
    assert notice is not None and notice.kind == "phase.settings_changed"
    assert notice.params["changes"] == "key" and notice.params["reason"] == "row r0 was mislabelled"


def test_a_key_of_an_upcoming_phase_without_submissions_needs_no_reason(
    session: Session, settings: Settings, store: BlobStore, tmp_path: Path
) -> None:
    soon = utcnow() + timedelta(days=3)
    phase = first_phase(_toy(session, store, tmp_path, opens=soon, closes=soon + timedelta(days=9)))
    done = publishing.replace_key(
        session, settings, store, phase, KEY.replace("r1,a", "r1,b").encode(), actor_id=None, reason="", now=utcnow()
    )
    assert done.rescore_run_id is None and phase.score_version == 1
    assert session.scalar(select(Notification.id)) is None


def test_public_files_are_added_replaced_and_removed_but_never_a_hidden_key(
    session: Session, store: BlobStore, tmp_path: Path
) -> None:
    challenge = _toy(session, store, tmp_path)
    row = publishing.put_public_file(
        session,
        store,
        challenge,
        io.BytesIO(b"a,b\n1,2\n"),
        filename="extra.csv",
        title_en="Extra",
        title_zh="附加",
        max_bytes=1000,
        actor_id=None,
    )
    assert row.path == "public/extra.csv" and row.title == {"en": "Extra", "zh": "附加"}
    with pytest.raises(Conflict):
        publishing.put_public_file(
            session,
            store,
            challenge,
            io.BytesIO(b"x"),
            filename="extra.csv",
            title_en="E",
            title_zh="附",
            max_bytes=1000,
            actor_id=None,
        )
    publishing.put_public_file(
        session,
        store,
        challenge,
        io.BytesIO(b"a,b\n3,4\n"),
        filename="ignored",
        title_en="Extra v2",
        title_zh="附加 2",
        max_bytes=1000,
        actor_id=None,
        replace_id=row.id,
    )
    assert store.read_bytes(row.sha256) == b"a,b\n3,4\n" and row.path == "public/extra.csv"
    key = store.read_bytes(first_phase(challenge).labels_sha256)
    with pytest.raises(InvalidInput, match="hidden key"):
        publishing.put_public_file(
            session,
            store,
            challenge,
            io.BytesIO(key),
            filename="leak.csv",
            title_en="L",
            title_zh="漏",
            max_bytes=10_000,
            actor_id=None,
        )
    with pytest.raises(InvalidInput, match="title"):
        publishing.put_public_file(
            session,
            store,
            challenge,
            io.BytesIO(b"z"),
            filename="t.csv",
            title_en="Only English",
            title_zh="",
            max_bytes=1000,
            actor_id=None,
        )
    with pytest.raises(InvalidInput, match="letters"):
        publishing.put_public_file(
            session,
            store,
            challenge,
            io.BytesIO(b"z"),
            filename="../etc/..",
            title_en="E",
            title_zh="中",
            max_bytes=1000,
            actor_id=None,
        )
    sample = next(f for f in challenge.files if f.path.endswith("sample_submission.csv"))
    with pytest.raises(Conflict, match="sample_submission"):
        publishing.remove_public_file(session, challenge, sample.id, actor_id=None)
    assert publishing.remove_public_file(session, challenge, row.id, actor_id=None) == "public/extra.csv"
    session.commit()
    assert [f.path for f in challenge.files] == ["public/sample_submission.csv"]
    actions = _actions(session, challenge)
    assert {"challenge.file_added", "challenge.file_replaced", "challenge.file_removed"} <= set(actions)


def test_a_dry_run_scores_the_sample_and_the_baseline_and_publishing_follows_it(
    session: Session, settings: Settings, store: BlobStore, tmp_path: Path
) -> None:
    challenge = _with_references(session, store, tmp_path, KEY.encode())
    challenge.is_published = False
    session.commit()
    with pytest.raises(Conflict, match="dry run first"):
        publishing.publish(session, challenge, actor_id=None)
    run = publishing.start_dry_run(session, settings, store, challenge, actor_id=None)
    assert run.finished_at is not None
    by_reference = {e["reference"]: e for e in run.entries}
    assert by_reference["baseline"]["status"] == "scored" and by_reference["baseline"]["scores"]["public"] == 1.0
    assert by_reference["sample"]["status"] == "scored" and 0 < by_reference["sample"]["scores"]["private"] < 1
    publishing.publish(session, challenge, actor_id=None)
    session.commit()
    assert challenge.is_published
    publishing.unpublish(session, challenge, actor_id=None, reason="typo in the rules")
    session.commit()
    assert not challenge.is_published
    assert {"challenge.dry_run", "challenge.published", "challenge.unpublished"} <= set(_actions(session, challenge))
    # A new key makes the dry run outdated.
    phase = first_phase(challenge)
    publishing.replace_key(
        session,
        settings,
        store,
        phase,
        KEY.replace("r1,a", "r1,b").encode(),
        actor_id=None,
        reason="fix",
        now=utcnow(),
    )
    with pytest.raises(Conflict, match="changed since the last dry run"):
        publishing.publish(session, challenge, actor_id=None)


def test_publishing_refuses_a_baseline_that_does_not_score(
    session: Session, settings: Settings, store: BlobStore, tmp_path: Path
) -> None:
    challenge = _with_references(session, store, tmp_path, b"id,label\nr0,a\n")
    challenge.is_published = False
    session.commit()
    run = publishing.start_dry_run(session, settings, store, challenge, actor_id=None)
    baseline = next(e for e in run.entries if e["reference"] == "baseline")
    assert baseline["status"] == "failed" and "have no row" in baseline["message"]
    with pytest.raises(Conflict) as refused:
        publishing.publish(session, challenge, actor_id=None)
    assert refused.value.message.startswith("the baseline of main/one did not score:")
    assert not challenge.is_published


def test_publishing_refuses_a_challenge_without_any_baseline(
    session: Session, settings: Settings, store: BlobStore, tmp_path: Path
) -> None:
    challenge = _toy(session, store, tmp_path)
    challenge.is_published = False
    session.commit()
    run = publishing.start_dry_run(session, settings, store, challenge, actor_id=None)
    assert {e["status"] for e in run.entries} == {"missing"}
    with pytest.raises(Conflict, match="no phase declares a baseline"):
        publishing.publish(session, challenge, actor_id=None)
