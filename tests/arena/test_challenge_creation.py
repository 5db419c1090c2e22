"""Creators and creating challenges from a form or a bundle, as drafts (services, on a real database)."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from arena import publishing
from arena.challenges.bundles import validate_bundle
from arena.enums import ChallengeRoleKind
from arena.errors import BundleError, Forbidden, NotFound
from arena.models import AuditEvent, Challenge
from arena.permissions import roles_in
from arena.storage import BlobStore
from tests.factories import make_challenge, make_user, write_bundle, zip_bytes

KEY = b"id,label\n" + b"".join(f"r{i},{'a' if i % 3 else 'b'}\n".encode() for i in range(12))
SAMPLE = b"id,label\n" + b"".join(f"r{i},a\n".encode() for i in range(12))
FIELDS = {
    "slug": "cats",
    "title_en": "Cats",
    "title_zh": "猫",
    "track_slug": "main",
    "track_title_en": "Main",
    "track_title_zh": "主赛道",
    "scorer": "accuracy",
    "scorer_options": "",
    "id_column": "id",
    "target_columns": "label",
    "phase_slug": "open",
    "phase_title_en": "Open round",
    "phase_title_zh": "公开赛",
    "opens": "2027-01-01T08:00",
    "closes": "2027-03-01T08:00",
    "daily_quota": "5",
    "public_fraction": "0.3",
}
FILES = publishing.DraftFiles(labels=KEY, sample=SAMPLE, baseline=SAMPLE)


def _creator(session: Session, name: str = "carol"):  # type: ignore[no-untyped-def]
    admin = make_user(session, "root", admin=True)
    user = make_user(session, name)
    publishing.grant_creator(session, admin, name)
    session.commit()
    return user


def _form(**changes: str) -> publishing.DraftForm:
    return publishing.DraftForm.from_mapping({**FIELDS, **changes}, zone="Asia/Shanghai")


def _actions(session: Session) -> list[str]:
    rows = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id))
    return [action for action in rows if action != "user.created"]


def test_admins_grant_and_revoke_creators_with_an_audit(session: Session) -> None:
    admin = make_user(session, "root", admin=True)
    user = make_user(session, "carol")
    other = make_user(session, "dave")
    with pytest.raises(Forbidden):
        publishing.grant_creator(session, other, "carol")
    assert not publishing.is_creator(session, user)
    publishing.grant_creator(session, admin, "carol")
    publishing.grant_creator(session, admin, "carol")
    assert [u.username for u in publishing.list_creators(session, admin)] == ["carol"]
    assert publishing.is_creator(session, user)
    with pytest.raises(NotFound):
        publishing.grant_creator(session, admin, "nobody@example.org")
    publishing.revoke_creator(session, admin, user.id)
    assert not publishing.is_creator(session, user)
    with pytest.raises(NotFound):
        publishing.revoke_creator(session, admin, user.id)
    assert _actions(session) == ["creator.granted", "creator.revoked"]


def test_a_creator_makes_a_draft_from_the_form_and_organizes_it(session: Session, store: BlobStore) -> None:
    user = _creator(session)
    report = publishing.create_challenge(session, store, user, _form(), FILES)
    session.commit()
    challenge = session.get(Challenge, report.challenge_id)
    assert challenge is not None and challenge.slug == "cats" and not challenge.is_published
    assert challenge.title == {"en": "Cats", "zh": "猫"}
    track = challenge.tracks[0]
    assert (track.scorer, track.id_column, track.target_columns) == ("accuracy", "id", ["label"])
    phase = track.phases[0]
    # A time typed without a zone is read in the creator's zone (08:00 in Shanghai is 00:00 UTC).
    assert phase.opens_at.isoformat() == "2027-01-01T00:00:00+00:00"
    assert (phase.daily_quota, phase.public_fraction, phase.labels_rows) == (5, 0.3, 12)
    assert phase.sample_sha256 and phase.baseline_sha256
    assert [f.path for f in challenge.files] == ["public/sample_submission.csv"]
    assert ChallengeRoleKind.ORGANIZER in roles_in(session, user.id, challenge.id)
    assert [c.slug for c in publishing.drafts_of(session, user)] == ["cats"]
    assert "challenge.created" in _actions(session) and "challenge.imported" in _actions(session)


def test_the_form_gets_the_importers_messages_and_nothing_is_made(session: Session, store: BlobStore) -> None:
    user = _creator(session)
    form = _form(slug="Cats!", scorer="mapk", daily_quota="many", closes="2026-01-01T00:00", title_zh="")
    problems = dict(publishing.check_draft(session, form))
    assert problems["slug"] == "'Cats!' must be 2–64 lower-case letters, digits or '-'"
    assert problems["tracks[0].scorer"].startswith("Unknown scorer 'mapk'; known scorers: accuracy")
    assert problems["tracks[0].phases[0].daily_quota"] == "must be a whole number from 1 to 10000, got 'many'"
    assert problems["tracks[0].phases[0].closes"] == "must be later than opens"
    assert problems["title.zh"] == "must be a non-empty text"
    # The live check does not ask for files not chosen yet; creating does, in the importer's words.
    assert "tracks[0].phases[0].labels" not in problems and "public_files" not in problems
    with pytest.raises(BundleError) as refused:
        publishing.create_challenge(session, store, user, _form(), publishing.DraftFiles())
    fields = dict(refused.value.problems)
    assert fields["tracks[0].phases[0].labels"] == "is required"
    assert fields["public_files"].startswith("must include a sample_submission.csv")
    session.rollback()
    assert session.scalar(select(Challenge.id)) is None


def test_scorer_options_and_a_bad_key_are_named(session: Session, store: BlobStore) -> None:
    user = _creator(session)
    problems = dict(publishing.check_draft(session, _form(scorer="map_at_k", scorer_options="k: [")))
    assert problems["tracks[0].scorer_options"].startswith("is not valid YAML")
    problems = dict(publishing.check_draft(session, _form(scorer="map_at_k", scorer_options="k: 0")))
    assert "Option 'k' of scorer 'map_at_k'" in problems["tracks[0].scorer"]
    bad_key = publishing.DraftFiles(labels=b"id,label\nr1,a\nr1,b\n", sample=SAMPLE)
    with pytest.raises(BundleError) as refused:
        publishing.create_challenge(session, store, user, _form(), bad_key)
    assert "repeats id(s) 'r1'" in dict(refused.value.problems)["tracks[0].phases[0].labels"]


def test_a_taken_slug_is_refused_in_the_importers_words(session: Session, store: BlobStore, tmp_path: Path) -> None:
    user = _creator(session)
    make_challenge(session, store, tmp_path / "b", slug="cats")
    expected = ("slug", "'cats' is the address of another challenge; choose another slug")
    assert expected in publishing.check_draft(session, _form())
    with pytest.raises(BundleError) as refused:
        publishing.create_challenge(session, store, user, _form(), FILES)
    assert refused.value.problems == [expected]


def test_only_creators_and_admins_create(session: Session, store: BlobStore) -> None:
    user = make_user(session, "dave")
    with pytest.raises(Forbidden):
        publishing.create_challenge(session, store, user, _form(), FILES)


def _tar_gz(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        archive.add(folder, arcname="bundle")
    return buffer.getvalue()


def test_a_creator_uploads_a_bundle_as_a_draft_but_never_a_build_step(
    session: Session, store: BlobStore, tmp_path: Path
) -> None:
    user = _creator(session)
    archive = tmp_path / "toy.tar.gz"
    archive.write_bytes(_tar_gz(write_bundle(tmp_path / "toy", slug="toy")))
    report = publishing.create_from_bundle(session, store, user, archive)
    session.commit()
    challenge = session.get(Challenge, report.challenge_id)
    assert challenge is not None and not challenge.is_published
    assert ChallengeRoleKind.ORGANIZER in roles_in(session, user.id, challenge.id)
    built = write_bundle(tmp_path / "built", slug="built")
    data = yaml.safe_load((built / "challenge.yaml").read_text())
    (built / "challenge.yaml").write_text(yaml.safe_dump({**data, "build": "build.py"}))
    (built / "build.py").write_text("raise SystemExit('must never run')\n")
    archive.write_bytes(_tar_gz(built))
    with pytest.raises(BundleError) as refused:
        publishing.create_from_bundle(session, store, user, archive)
    assert refused.value.problems[0][0] == "build" and "only site admins" in refused.value.problems[0][1]


def test_organizers_reimport_their_own_challenge_only(session: Session, store: BlobStore, tmp_path: Path) -> None:
    user = _creator(session)
    report = publishing.create_challenge(session, store, user, _form(), FILES)
    session.commit()
    challenge = session.get(Challenge, report.challenge_id)
    assert challenge is not None
    folder = write_bundle(tmp_path / "again", slug="cats", daily_quota=7)
    archive = tmp_path / "again.zip"
    archive.write_bytes(
        zip_bytes({str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()})
    )
    publishing.reimport_bundle(session, store, user, challenge, archive)
    session.commit()
    assert challenge.tracks[0].phases[0].daily_quota == 7 and not challenge.is_published
    other = write_bundle(tmp_path / "other", slug="dogs")
    with pytest.raises(BundleError) as refused:
        publishing.reimport_bundle(session, store, user, challenge, other)
    assert refused.value.problems == [("slug", "must stay 'cats': this imports that challenge again, got 'dogs'")]
    stranger = make_user(session, "erin")
    with pytest.raises(Forbidden):
        publishing.reimport_bundle(session, store, stranger, challenge, folder)


BASELINE_CODE = """
import os
ids = open(os.path.join(os.environ["ARENA_INPUT"], "ids.txt")).read().split()
with open(os.path.join(os.environ["ARENA_OUTPUT"], "predictions.csv"), "w") as out:
    out.write("id,label\\n")
    for i, name in enumerate(ids):
        out.write(f"{name},{'a' if i % 3 else 'b'}\\n")
"""
INPUTS = zip_bytes({"ids.txt": " ".join(f"r{i}" for i in range(12))})
CODE_FILES = publishing.DraftFiles(
    labels=KEY, sample=SAMPLE, inputs=INPUTS, baseline_program=zip_bytes({"main.py": BASELINE_CODE})
)
CODE_FIELDS = {"kind": "code", "resource_class": "large-memory", "wall_seconds": "120", "memory_mb": "512",
               "cpus": "0.5", "pids": "64", "output_mb": "10"}  # fmt: skip


def test_a_code_track_from_the_form_goes_through_the_bundle_importer(
    session: Session, store: BlobStore, tmp_path: Path
) -> None:
    user = _creator(session)
    form = _form(**CODE_FIELDS)
    data, problems = publishing.draftbundle.bundle_data(form, CODE_FILES)
    assert problems == []
    track = data["tracks"][0]
    assert track["kind"] == "code" and "sample_submission" not in track and "baseline" not in track
    assert track["runner"] == {
        "limits": {"wall_seconds": 120, "memory_mb": 512, "cpus": 0.5, "pids": 64, "output_mb": 10},
        "resource_class": "large-memory",
    }
    phase = track["phases"][0]
    assert (phase["inputs"], phase["baseline"]) == ("hidden/inputs", "programs/baseline.zip")
    # The folder written from the form is a bundle the importer accepts as it is.
    root = tmp_path / "draft"
    root.mkdir()
    assert publishing.draftbundle.write_draft(root, data, CODE_FILES) == []
    spec = validate_bundle(root)
    assert spec.tracks[0].kind == "code" and spec.tracks[0].phases[0].inputs == root / "hidden/inputs"
    assert (root / "hidden/inputs/ids.txt").is_file()
    report = publishing.create_challenge(session, store, user, form, CODE_FILES)
    session.commit()
    challenge = session.get(Challenge, report.challenge_id)
    assert challenge is not None and not challenge.is_published
    made = challenge.tracks[0]
    assert made.kind == "code" and made.runner["resource_class"] == "large-memory"
    assert made.runner["limits"]["memory_mb"] == 512
    made_phase = made.phases[0]
    assert made_phase.inputs_sha256 and made_phase.baseline_sha256 and not made_phase.sample_sha256
    assert store.read_bytes(made_phase.baseline_sha256) == CODE_FILES.baseline_program
    assert [f.path for f in challenge.files] == ["public/sample_submission.csv"]


def test_a_code_tracks_defaults_are_the_sandboxs(session: Session) -> None:
    form = _form(kind="code")
    assert {name: getattr(form, name) for name in publishing.LIMIT_NAMES} == {
        "wall_seconds": "600", "memory_mb": "2048", "cpus": "1", "pids": "256", "output_mb": "256"
    }  # fmt: skip
    data, problems = publishing.draftbundle.bundle_data(form, CODE_FILES)
    assert problems == [] and data["tracks"][0]["runner"]["resource_class"] == "cpu"
    # A blank limit is left to the importer's default; the live check does not ask for inputs not chosen yet.
    blank = _form(kind="code", wall_seconds="")
    runner = publishing.draftbundle.bundle_data(blank, CODE_FILES)[0]["tracks"][0]["runner"]
    assert "wall_seconds" not in runner["limits"]
    assert publishing.check_draft(session, blank) == []


def test_code_track_fields_get_the_importers_and_the_sandboxs_messages(session: Session, store: BlobStore) -> None:
    user = _creator(session)
    form = _form(kind="code", resource_class="tpu", memory_mb="4", cpus="none", pids="0")
    problems = dict(publishing.check_draft(session, form))
    assert problems["tracks[0].runner.resource_class"] == "must be one of cpu, gpu, large-memory"
    assert problems["tracks[0].runner.limits.memory_mb"] == "Limits.memory_mb must be at least 8"
    assert problems["tracks[0].runner.limits.cpus"] == "Limits.cpus must be a positive number, got 'none'"
    assert problems["tracks[0].runner.limits.pids"] == "Limits.pids must be a positive number, got 0"
    assert dict(publishing.check_draft(session, _form(kind="job")))["tracks[0].kind"] == (
        "must be 'result' or 'code', got 'job'"
    )
    bad = publishing.DraftFiles(
        labels=KEY,
        sample=SAMPLE,
        inputs=zip_bytes({"../escape.txt": "x"}),
        baseline_program=zip_bytes({"readme.txt": "no entry point"}),
        sample_program=b"not an archive",
    )
    with pytest.raises(BundleError) as refused:
        publishing.create_challenge(session, store, user, _form(kind="code"), bad)
    fields = dict(refused.value.problems)
    assert "points outside the archive" in fields["tracks[0].phases[0].inputs"]
    assert fields["tracks[0].phases[0].baseline"].startswith("The archive must contain main.py")
    assert fields["tracks[0].phases[0].sample_submission"].startswith("must be a .zip or .tar.gz archive")
    # Each refused archive is named once, not again as a path that does not exist.
    assert len([f for f, _m in refused.value.problems if f == "tracks[0].phases[0].inputs"]) == 1
    with pytest.raises(BundleError) as missing:
        publishing.create_challenge(session, store, user, _form(kind="code"), FILES)
    fields = dict(missing.value.problems)
    assert fields["tracks[0].phases[0].inputs"] == "is required"
    assert "must be a folder of code or a .zip or .tar.gz archive" in fields["tracks[0].baseline"]
    # A program is for code tracks only; inputs in a result track are refused by the importer.
    with pytest.raises(BundleError) as wrong:
        publishing.create_challenge(session, store, user, _form(), CODE_FILES)
    fields = dict(wrong.value.problems)
    assert fields["tracks[0].phases[0].baseline"].startswith("is a program, for tracks of kind 'code'")
    assert fields["tracks[0].phases[0].inputs"] == "is only for tracks of kind 'code'"
    session.rollback()
    assert session.scalar(select(Challenge.id)) is None
