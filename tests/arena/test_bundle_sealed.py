"""A bundle's sealed final test sets: read under ``final.sealed``, checked like hidden keys, installed by hash."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from arena import finals
from arena.challenges.bundles import import_bundle, validate_bundle
from arena.errors import BundleError
from arena.models import AuditEvent, Final, FinalSealedSet
from arena.storage import BlobStore, sha256_file, sha256_tree
from tests.factories import write_bundle

FINAL = {
    "title": {"en": "On-site final", "zh": "现场决赛"},
    "sources": ["main/one"],
    "formula": {"weights": {"online": 0.6, "judges": 0.4}},
    "rubric": [{"name": {"en": "Innovation", "zh": "算法创新性"}, "weight": 1.0}],
}
SEALED = {"source": "main/one", "inputs": "hidden/final/inputs", "labels": "hidden/final/labels.csv"}


def _bundle(root: Path, *, kind: str = "code", key: str = "id,label\ns0,a\ns1,b\ns2,a\n", **sealed: Any) -> Path:
    write_bundle(root, kind=kind)
    (root / "hidden" / "final" / "inputs").mkdir(parents=True)
    (root / "hidden" / "final" / "inputs" / "ids.txt").write_text("s0\ns1\ns2\n", encoding="utf-8")
    (root / "hidden" / "final" / "labels.csv").write_text(key, encoding="utf-8")
    path = root / "challenge.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["final"] = {**FINAL, "sealed": [{**SEALED, **sealed}]}
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return root


def _problems(root: Path) -> dict[str, str]:
    with pytest.raises(BundleError) as caught:
        validate_bundle(root)
    found: dict[str, str] = {}
    for field, message in caught.value.problems:
        found[field] = f"{found[field]} | {message}" if field in found else message
    return found


def test_a_declared_sealed_set_is_installed_by_hash_and_audited(
    session: Session, store: BlobStore, tmp_path: Path
) -> None:
    root = _bundle(tmp_path / "b")
    spec = validate_bundle(root)
    assert spec.final is not None and [(s.track, s.phase) for s in spec.final.sealed] == [("main", "one")]
    report = import_bundle(session, store, root)
    session.commit()
    final = session.scalar(select(Final).where(Final.challenge_id == report.challenge_id))
    assert final is not None
    (row,) = finals.sealed_sets(session, final.id)
    assert row.source == "bundle" and row.cases == 3 and row.phase_id == final.source_phase_ids[0]
    assert row.labels_sha256 == sha256_file(root / "hidden" / "final" / "labels.csv")
    assert row.inputs_sha256 == sha256_tree(root / "hidden" / "final" / "inputs") and store.exists(row.labels_sha256)
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "final.sealed_set_provided"))
    assert event is not None and event.data["source"] == "bundle"
    # Importing again without the declaration removes the set the bundle had declared.
    path = root / "challenge.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    del data["final"]["sealed"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    import_bundle(session, store, root)
    session.commit()
    assert session.scalars(select(FinalSealedSet)).all() == []


def test_a_sealed_key_is_checked_like_a_hidden_key(tmp_path: Path) -> None:
    repeated = _problems(_bundle(tmp_path / "a", key="id,label\ns0,a\ns0,b\n"))
    assert "s0" in repeated["final.sealed[0].labels"]
    outside = _problems(_bundle(tmp_path / "b", key="id,label\ns0,a\ns1,zebra\n"))
    assert "zebra" in outside["final.sealed[0].labels"]


def test_a_sealed_set_needs_a_code_source_and_real_paths(tmp_path: Path) -> None:
    assert "code track" in _problems(_bundle(tmp_path / "a", kind="result"))["final.sealed[0].source"]
    assert "final.sealed[0].source" in _problems(_bundle(tmp_path / "b", source="main/two"))
    missing = _problems(_bundle(tmp_path / "c", inputs="hidden/final/nothing", colour="red"))
    assert "final.sealed[0].inputs" in missing and "final.sealed[0].colour" in missing


def test_a_sealed_key_can_never_be_a_public_file(tmp_path: Path) -> None:
    root = _bundle(tmp_path / "b")
    path = root / "challenge.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["public_files"].append({"path": "hidden/final/labels.csv", "title": {"en": "Key", "zh": "答案"}})
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert "final.sealed[0].labels" in _problems(root)["public_files[1].path"]
