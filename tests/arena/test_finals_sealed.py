"""Sealed final test sets: checked like a hidden key, stored by hash, audited, and used by reproduction."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from arena import finals
from arena.challenges import InvalidKey
from arena.enums import FinalStatus
from arena.errors import Conflict, InvalidArchive, InvalidInput, NotFound
from arena.evaluation import get_rerun
from arena.models import AuditEvent, FinalSealedSet, Rerun
from arena.settings import Settings
from arena.storage import BlobStore, sha256_tree
from tests.arena.sealed_world import GOOD_KEY, SEALED_IDS, code_final, finalist_with_code, key_of, sealed_inputs
from tests.factories import zip_bytes


def _actions(session: Session) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action.like("final.sealed%"))))


def test_a_sealed_set_is_checked_like_a_hidden_key_and_stored_by_hash(
    session: Session, store: BlobStore, tmp_path: Path
) -> None:
    world = code_final(session, store, tmp_path)
    inputs = sealed_inputs(tmp_path)
    refused = [
        (key_of([("s0", "a"), ("s0", "b")]), "s0"),  # a repeated id
        (key_of([("s0", "a"), ("s1", "zebra")]), "zebra"),  # a label outside the declared set
    ]
    for key, named in refused:
        with pytest.raises(InvalidKey) as raised:
            finals.provide_sealed_set(session, store, world.organizer, world.final.id, world.phase.id, inputs, key)
        assert named in raised.value.message
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InvalidInput) as missing:
        finals.provide_sealed_set(session, store, world.organizer, world.final.id, world.phase.id, empty, GOOD_KEY)
    assert missing.value.field == "inputs"
    assert session.scalars(select(FinalSealedSet)).all() == []
    row = finals.provide_sealed_set(session, store, world.organizer, world.final.id, world.phase.id, inputs, GOOD_KEY)
    session.commit()
    assert row.cases == len(SEALED_IDS) and row.source == "upload" and row.provided_by_id == world.organizer.id
    assert store.read_bytes(row.labels_sha256) == GOOD_KEY
    assert row.inputs_sha256 == sha256_tree(inputs) and (store.tree_path(row.inputs_sha256) / "ids.txt").is_file()
    assert finals.sealed_set_for(session, world.final.id, world.phase.id) is row
    (event,) = _actions(session)
    assert event.action == "final.sealed_set_provided" and event.actor_id == world.organizer.id
    assert event.data["cases"] == len(SEALED_IDS) and event.data["labels_sha256"] == row.labels_sha256


def test_only_the_organizer_provides_one_for_a_code_source_and_not_after_the_lock(
    session: Session, store: BlobStore, tmp_path: Path
) -> None:
    world = code_final(session, store, tmp_path)
    inputs = sealed_inputs(tmp_path)
    with pytest.raises(NotFound):
        finals.provide_sealed_set(session, store, world.captain, world.final.id, world.phase.id, inputs, GOOD_KEY)
    with pytest.raises(InvalidInput) as not_source:
        finals.provide_sealed_set(
            session, store, world.organizer, world.final.id, world.phase.id + 99, inputs, GOOD_KEY
        )
    assert not_source.value.field == "phase_id"
    world.final.status = FinalStatus.LOCKED
    with pytest.raises(Conflict):
        finals.provide_sealed_set(session, store, world.organizer, world.final.id, world.phase.id, inputs, GOOD_KEY)


def test_a_result_track_has_no_sealed_set(session: Session, store: BlobStore, tmp_path: Path) -> None:
    world = code_final(session, store, tmp_path, kind="result")
    with pytest.raises(InvalidInput) as raised:
        finals.provide_sealed_set(
            session, store, world.organizer, world.final.id, world.phase.id, sealed_inputs(tmp_path), GOOD_KEY
        )
    assert "code track" in raised.value.message


def test_an_uploaded_archive_becomes_the_same_inputs_tree(session: Session, store: BlobStore, tmp_path: Path) -> None:
    world = code_final(session, store, tmp_path)
    archive = zip_bytes({"ids.txt": "".join(f"{i}\n" for i in SEALED_IDS)})
    row = finals.upload_sealed_set(
        session, store, world.organizer, world.final.id, world.phase.id, io.BytesIO(archive), io.BytesIO(GOOD_KEY)
    )
    assert row.inputs_sha256 == sha256_tree(sealed_inputs(tmp_path))
    with pytest.raises(InvalidArchive) as raised:
        finals.upload_sealed_set(
            session, store, world.organizer, world.final.id, world.phase.id, io.BytesIO(b"no"), io.BytesIO(GOOD_KEY)
        )
    assert raised.value.field == "inputs"


def _finish(session: Session, rerun: Rerun, **detail: object) -> None:
    """Write what the worker records at the end of a re-run (the worker path itself runs in the Docker test)."""
    rerun.status = "done"
    rerun.detail = {**(rerun.detail or {}), **detail}
    session.commit()


def test_reproduction_on_a_sealed_set_passes_within_the_tolerance_and_hides_thekey_of(
    session: Session, worker_env: Settings, store: BlobStore, tmp_path: Path
) -> None:
    world = code_final(session, store, tmp_path)
    finalist = finalist_with_code(session, store, world)
    row = finals.provide_sealed_set(
        session, store, world.organizer, world.final.id, world.phase.id, sealed_inputs(tmp_path), GOOD_KEY
    )
    finals.update_final(session, world.organizer, world.final.id, tolerance=0.05, reason="sealed set")
    session.commit()
    finals.request_reproduction(session, worker_env, world.organizer, finalist.id)
    assert finalist.rerun_id is not None
    rerun = get_rerun(session, finalist.rerun_id)
    assert rerun.detail["sealed"] == {"inputs_sha256": row.inputs_sha256, "labels_sha256": row.labels_sha256}
    requested = session.scalar(select(AuditEvent).where(AuditEvent.action == "final.reproduction_requested"))
    assert requested is not None and requested.data["sealed"] is True
    assert finals.record_reproduction(session, finalist.id) == "pending"
    run = {"duration_seconds": 1.5, "peak_memory_bytes": 50_000_000, "exit_code": 0, "stdout": "x"}
    sealed = {**rerun.detail["sealed"], "score": 0.83, "metrics": {"accuracy": 0.83}, "cases": 6}
    _finish(session, rerun, sealed=sealed, run=run, image_digest="sha256:abc")
    assert finals.record_reproduction(session, finalist.id) == "passed"
    result = finalist.reproduction_result
    assert result["reproduced"] == 0.83 and result["difference"] == pytest.approx(0.03)
    assert result["sealed"] == {"score": 0.83, "cases": 6}
    assert result["run"] == {"duration_seconds": 1.5, "peak_memory_bytes": 50_000_000, "exit_code": 0}
    packet = finals.finalist_packet(session, world.organizer, finalist.id)
    assert packet["reproduction"]["sealed"] == {"score": 0.83, "cases": 6}
    text = json.dumps(packet, default=str)
    assert row.labels_sha256 not in text and row.inputs_sha256 not in text
    finals.update_final(session, world.organizer, world.final.id, tolerance=0.01, reason="stricter")
    assert finals.record_reproduction(session, finalist.id) == "failed"


def test_a_sealed_run_that_fails_does_not_pass_and_a_new_set_clears_old_reproductions(
    session: Session, worker_env: Settings, store: BlobStore, tmp_path: Path
) -> None:
    world = code_final(session, store, tmp_path)
    finalist = finalist_with_code(session, store, world)
    finals.provide_sealed_set(
        session, store, world.organizer, world.final.id, world.phase.id, sealed_inputs(tmp_path), GOOD_KEY
    )
    finals.update_final(session, world.organizer, world.final.id, tolerance=1.0, reason="sealed set")
    session.commit()
    finals.request_reproduction(session, worker_env, world.organizer, finalist.id)
    assert finalist.rerun_id is not None
    _finish(session, get_rerun(session, finalist.rerun_id), failure_class="output_invalid", run={"exit_code": 0})
    assert finals.record_reproduction(session, finalist.id) == "failed"
    assert finalist.reproduction_result["failure_class"] == "output_invalid"
    assert finalist.reproduction_result["sealed"] == {"score": None, "cases": None}
    other = key_of([(i, "a") for i in SEALED_IDS])
    finals.provide_sealed_set(
        session, store, world.organizer, world.final.id, world.phase.id, sealed_inputs(tmp_path), other
    )
    cleared = finals.get_finalist(session, finalist.id)
    assert (cleared.reproduction_status, cleared.rerun_id, cleared.reproduction_result) == ("none", None, {})
    finals.remove_sealed_set(session, world.organizer, world.final.id, world.phase.id)
    session.commit()
    assert finals.sealed_sets(session, world.final.id) == []
    provided, replaced, removed = _actions(session)
    assert replaced.data["reproductions_cleared"] == [finalist.id] and removed.action == "final.sealed_set_removed"
    finals.request_reproduction(session, worker_env, world.organizer, finalist.id)
    assert finalist.rerun_id is not None and "sealed" not in get_rerun(session, finalist.rerun_id).detail
