"""Export back to a bundle: export → import gives the same challenge, field by field, for both demo bundles."""

from __future__ import annotations

import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from arena import publishing
from arena.challenges.bundles import import_bundle
from arena.db import Base, make_engine, make_session_factory, utcnow
from arena.errors import Conflict
from arena.models import Challenge, Final, RubricCriterion
from arena.settings import Settings
from arena.storage import BlobStore
from tests.factories import make_challenge

REPO = Path(__file__).resolve().parents[2]
# Row identities and bookkeeping differ between two databases; everything else must be equal.
SKIPPED = {
    "id",
    "challenge_id",
    "track_id",
    "final_id",
    "previous_phase_id",
    "created_at",
    "updated_at",
    "bundle_sha256",
}


def _fields(row: Any) -> dict[str, Any]:
    return {c.key: getattr(row, c.key) for c in inspect(row).mapper.column_attrs if c.key not in SKIPPED}


def _record(session: Session, slug: str) -> dict[str, Any]:
    challenge = session.scalar(select(Challenge).where(Challenge.slug == slug))
    assert challenge is not None
    phase_names = {ph.id: f"{t.slug}/{ph.slug}" for t in challenge.tracks for ph in t.phases}
    final = session.scalar(select(Final).where(Final.challenge_id == challenge.id))
    record: dict[str, Any] = {
        "challenge": _fields(challenge),
        "files": [_fields(f) for f in challenge.files],
        "tracks": [_fields(t) for t in challenge.tracks],
        "phases": [
            {**_fields(ph), "previous": phase_names.get(ph.previous_phase_id or 0)}
            for t in challenge.tracks
            for ph in t.phases
        ],
        "final": None,
    }
    if final is not None:
        rubric = session.scalars(select(RubricCriterion).where(RubricCriterion.final_id == final.id))
        record["final"] = {
            **_fields(final),
            "source_phase_ids": [phase_names[i] for i in final.source_phase_ids],
            "rubric": [_fields(c) for c in rubric],
        }
    return record


def _round_trip(session: Session, store: BlobStore, bundle: Path, tmp_path: Path) -> tuple[dict[str, Any], bytes]:
    report = import_bundle(session, store, bundle)
    session.commit()
    challenge = session.get(Challenge, report.challenge_id)
    assert challenge is not None
    exported = publishing.export_bundle(session, store, challenge)
    (tmp_path / "export.zip").write_bytes(exported)
    engine = make_engine(f"sqlite:///{tmp_path}/other.sqlite")
    Base.metadata.create_all(engine)
    other_store = BlobStore(tmp_path / "other-data")
    with make_session_factory(engine)() as other:
        import_bundle(other, other_store, tmp_path / "export.zip")
        other.commit()
        again = _record(other, challenge.slug)
        assert again == _record(session, challenge.slug)
        # The blobs the records name are there, byte for byte.
        for phase in again["phases"]:
            assert other_store.read_bytes(phase["labels_sha256"]) == store.read_bytes(phase["labels_sha256"])
    engine.dispose()
    return _record(session, challenge.slug), exported


def test_the_digits_bundle_survives_export_and_import(session: Session, store: BlobStore, tmp_path: Path) -> None:
    record, exported = _round_trip(session, store, REPO / "challenges" / "digits", tmp_path)
    phase = record["phases"][0]
    assert phase["sample_sha256"] and phase["baseline_sha256"]
    with zipfile.ZipFile(tmp_path / "export.zip") as archive:
        names = set(archive.namelist())
        data = yaml.safe_load(archive.read("challenge.yaml"))
    assert {"pages/rules.zh.md", "public/train.csv", "hidden/classify/open/labels.csv"} <= names
    assert "build" not in data and data["tracks"][0]["phases"][0]["split_seed"] == phase["split_seed"]
    assert exported.startswith(b"PK")


@pytest.mark.slow
def test_the_snow_leopard_bundle_survives_export_and_import(session: Session, store: BlobStore, tmp_path: Path) -> None:
    record, _ = _round_trip(session, store, REPO / "challenges" / "snow-leopard", tmp_path)
    code = [p for p in record["phases"] if p["inputs_sha256"]]
    assert code and all(p["baseline_sha256"] for p in code)
    assert record["final"] is not None and record["final"]["source_phase_ids"] == ["identify/final"]


def test_a_toy_bundle_with_phase_rules_and_a_changed_deadline_survives(
    session: Session, store: BlobStore, tmp_path: Path
) -> None:
    challenge = make_challenge(
        session,
        store,
        tmp_path / "toy",
        phase_options={"final_selection_max": 2, "concurrent_quota": 1, "hide_logs": True},
    )
    challenge.entry_deadline = challenge.tracks[0].phases[0].closes_at
    session.commit()
    exported = publishing.export_bundle(session, store, challenge)
    (tmp_path / "toy.zip").write_bytes(exported)
    engine = make_engine(f"sqlite:///{tmp_path}/toy.sqlite")
    Base.metadata.create_all(engine)
    with make_session_factory(engine)() as other:
        import_bundle(other, BlobStore(tmp_path / "toy-data"), tmp_path / "toy.zip")
        other.commit()
        assert _record(other, "toy") == _record(session, "toy")
    engine.dispose()


def test_tracks_and_phases_added_and_edited_in_the_console_survive(
    session: Session, settings: Settings, store: BlobStore, tmp_path: Path
) -> None:
    challenge = make_challenge(session, store, tmp_path / "toy")
    track = challenge.tracks[0]
    publishing.edit_track(session, settings, store, track,
                          {"title": {"en": "Renamed", "zh": "改名"}, "targets": {"label": {"labels": ["a", "b", "z"]}}},
                          actor_id=None, reason="wider label set", now=utcnow())  # fmt: skip
    key = ("id,label\n" + "".join(f"r{i},{'a' if i % 2 else 'b'}\n" for i in range(12))).encode()
    opens = track.phases[0].closes_at
    later = {
        "slug": "two",
        "title": {"en": "Round two", "zh": "第二轮"},
        "opens": opens.isoformat(),
        "closes": (opens + timedelta(days=9)).isoformat(),
        "public_fraction": 0.25,
        "freeze_at": (opens + timedelta(days=8)).isoformat(),
        "advancement": {"from": "one", "top": 5},
    }
    publishing.add_phase(session, store, track, later, key, actor_id=None)
    extra = {
        "slug": "extra",
        "title": {"en": "Extra", "zh": "附加"},
        "scorer": "macro_f1",
        "id_column": "id",
        "target_columns": ["label"],
    }
    added = publishing.add_track(session, store, challenge, extra, actor_id=None)
    publishing.add_phase(session, store, added, {**later, "slug": "only", "advancement": None}, key, actor_id=None)
    exported = publishing.export_bundle(session, store, challenge)
    (tmp_path / "toy.zip").write_bytes(exported)
    engine = make_engine(f"sqlite:///{tmp_path}/toy.sqlite")
    Base.metadata.create_all(engine)
    with make_session_factory(engine)() as other:
        import_bundle(other, BlobStore(tmp_path / "toy-data"), tmp_path / "toy.zip")
        other.commit()
        again, here = _record(other, "toy"), _record(session, "toy")
        for mine, theirs in zip(here["phases"], again["phases"], strict=True):
            assert {k: v for k, v in mine.items() if theirs.get(k) != v} == {}
        assert again == here
        assert [p["previous"] for p in again["phases"]] == [None, "main/one", None]
        assert again["tracks"][0]["targets"]["label"]["labels"] == ["a", "b", "z"]
    engine.dispose()


def test_a_phase_still_without_its_key_stops_the_export(session: Session, store: BlobStore, tmp_path: Path) -> None:
    challenge = make_challenge(session, store, tmp_path / "toy")
    challenge.is_published = False
    session.commit()
    track = challenge.tracks[0]
    entry = {"slug": "two", "title": {"en": "Two", "zh": "二"}, "opens": "2030-01-01T00:00:00Z",
             "closes": "2030-02-01T00:00:00Z", "public_fraction": 0.5}  # fmt: skip
    publishing.add_phase(session, store, track, entry, None, actor_id=None)
    with pytest.raises(Conflict) as refused:
        publishing.export_bundle(session, store, challenge)
    assert refused.value.message == "phase main/two has no hidden key yet; upload it on the data page"
