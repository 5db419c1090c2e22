"""Bundle validation (every problem with its field) and import / re-import."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from arena.challenges.bundles import import_bundle, validate_bundle
from arena.enums import SubmissionStatus
from arena.errors import BundleError
from arena.evaluation.pipeline import evaluate_submission
from arena.evaluation.rescoring import requeue_for_rescoring
from arena.models import Challenge, Submission
from arena.settings import Settings
from arena.storage import BlobStore
from tests.factories import answers, first_phase, make_team, make_user, upload, write_bundle

REPO = Path(__file__).resolve().parents[2]


def _edit(root: Path, change) -> Path:  # type: ignore[no-untyped-def]
    path = root / "challenge.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return root


def _problems(root: Path) -> dict[str, str]:
    with pytest.raises(BundleError) as caught:
        validate_bundle(root)
    found: dict[str, str] = {}
    for field, message in caught.value.problems:
        found[field] = f"{found[field]} | {message}" if field in found else message
    return found


def test_a_valid_bundle_validates(tmp_path: Path) -> None:
    spec = validate_bundle(write_bundle(tmp_path / "b"))
    assert spec.slug == "toy" and spec.tracks[0].phases[0].public_fraction == 0.5
    assert spec.text["description"]["zh"].startswith("# description")


def test_every_problem_is_reported_with_its_field(tmp_path: Path) -> None:
    def break_it(data: dict) -> None:  # type: ignore[type-arg]
        data["slug"] = "Bad Slug"
        data["title"] = {"en": "Only English"}
        data["colour"] = "blue"
        track = data["tracks"][0]
        track["scorer"] = "no_such_metric"
        track["direction"] = "up"
        phase = track["phases"][0]
        phase["closes"] = "2020-01-01T00:00:00Z"
        phase["opens"] = "2021-01-01T00:00:00"
        phase["daily_quota"] = 0
        phase["public_fraction"] = 1.5
        phase["labels"] = "../outside.csv"
        data["public_files"].append({"path": "hidden/labels.csv"})

    problems = _problems(_edit(write_bundle(tmp_path / "b"), break_it))
    assert "2–64 lower-case" in problems["slug"]
    assert "title.zh" in problems
    assert "unknown key" in problems["colour"]
    assert "no_such_metric" in problems["tracks[0].scorer"]
    assert "tracks[0].direction" in problems
    assert "time zone" in problems["tracks[0].phases[0].opens"]
    assert "tracks[0].phases[0].daily_quota" in problems
    assert "tracks[0].phases[0].public_fraction" in problems
    assert "'..'" in problems["tracks[0].phases[0].labels"]


def test_hidden_labels_can_never_be_public(tmp_path: Path) -> None:
    root = write_bundle(tmp_path / "b")
    shutil.copy(root / "hidden" / "labels.csv", root / "public" / "answers.csv")
    problems = _problems(
        _edit(root, lambda d: d["public_files"].extend([{"path": "hidden/labels.csv"}, {"path": "public/answers.csv"}]))
    )
    assert "hidden data" in problems["public_files[1].path"]
    assert "same content as a hidden key" in problems["public_files[2].path"]


def test_labels_and_sample_are_checked(tmp_path: Path) -> None:
    root = write_bundle(tmp_path / "b")
    (root / "hidden" / "labels.csv").write_text("ident,answer\nx,1\n", encoding="utf-8")
    (root / "public" / "sample_submission.csv").unlink()
    problems = _problems(root)
    assert "tracks[0].phases[0].labels" in problems
    assert "public_files[0].path" in problems and "sample_submission.csv" in problems["public_files"]


def test_bad_yaml_is_reported(tmp_path: Path) -> None:
    root = write_bundle(tmp_path / "b")
    (root / "challenge.yaml").write_text("format: 1\nslug: [unclosed\n", encoding="utf-8")
    assert "not valid YAML" in _problems(root)["challenge.yaml"]
    assert "no challenge.yaml" in _problems(tmp_path)["challenge.yaml"]


def test_import_then_reimport_keeps_submissions(session: Session, store: BlobStore, tmp_path: Path) -> None:
    root = write_bundle(tmp_path / "b")
    report = import_bundle(session, store, root)
    session.commit()
    assert report.created
    challenge = session.get(Challenge, report.challenge_id)
    assert challenge is not None
    phase = first_phase(challenge)
    seed, files = phase.split_seed, [f.path for f in challenge.files]
    user = make_user(session, "alice")
    make_team(session, user, challenge)
    upload(session, store, user, phase, answers(["a"] * 20))

    _edit(root, lambda d: d["title"].update(en="Renamed toy"))
    again = import_bundle(session, store, root)
    session.commit()
    assert not again.created and again.challenge_id == challenge.id
    session.refresh(challenge)
    assert challenge.title["en"] == "Renamed toy"
    assert first_phase(challenge).split_seed == seed and [f.path for f in challenge.files] == files
    assert len(session.scalars(select(Submission)).all()) == 1

    # A phase with submissions cannot disappear from the bundle.
    _edit(root, lambda d: d["tracks"][0]["phases"][0].update(slug="renamed"))
    with pytest.raises(BundleError) as caught:
        import_bundle(session, store, root)
    assert "has 1 submissions" in caught.value.message


def test_changed_key_bumps_the_score_version(session: Session, store: BlobStore, tmp_path: Path) -> None:
    root = write_bundle(tmp_path / "b")
    import_bundle(session, store, root)
    session.commit()
    (root / "hidden" / "labels.csv").write_text(
        "id,label\n" + "".join(f"r{i},b\n" for i in range(20)), encoding="utf-8"
    )
    report = import_bundle(session, store, root)
    session.commit()
    challenge = session.get(Challenge, report.challenge_id)
    assert challenge is not None and first_phase(challenge).score_version == 2
    assert any("score version 2" in change for change in report.changes)


def test_zip_bundles_import(session: Session, store: BlobStore, tmp_path: Path) -> None:
    root = write_bundle(tmp_path / "b")
    archive = tmp_path / "bundle.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in root.rglob("*"):
            if path.is_file():
                zf.write(path, Path("toy") / path.relative_to(root))
    report = import_bundle(session, store, archive)
    assert report.slug == "toy"
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as zf:
        zf.writestr("../challenge.yaml", "format: 1\n")
    with pytest.raises(BundleError):
        import_bundle(session, store, evil)


def test_the_digits_demo_bundle_imports(session: Session, store: BlobStore) -> None:
    report = import_bundle(session, store, REPO / "challenges" / "digits")
    session.commit()
    challenge = session.get(Challenge, report.challenge_id)
    assert challenge is not None
    names = {Path(f.path).name for f in challenge.files}
    assert "sample_submission.csv" in names and not any("label" in n and "hidden" in n for n in names)
    phase = first_phase(challenge)
    assert phase.labels_rows > 100 and store.exists(phase.labels_sha256)
    assert not (REPO / "challenges" / "digits" / "hidden").exists()


def test_rescoring_after_a_key_change(session: Session, store: BlobStore, settings: Settings, tmp_path: Path) -> None:
    root = write_bundle(tmp_path / "b", labels=["a"] * 19 + ["b"])
    report = import_bundle(session, store, root)
    session.commit()
    challenge = session.get(Challenge, report.challenge_id)
    assert challenge is not None
    user = make_user(session, "alice")
    make_team(session, user, challenge)
    submission = upload(session, store, user, first_phase(challenge), answers(["a"] * 19 + ["b"]))
    evaluate_submission(session, settings, store, submission.id)
    flipped = "".join(f"r{i},b\n" for i in range(19)) + "r19,a\n"
    (root / "hidden" / "labels.csv").write_text("id,label\n" + flipped, "utf-8")
    again = import_bundle(session, store, root)
    session.commit()
    assert again.rescore_submission_ids == [submission.id]
    assert requeue_for_rescoring(session, settings, again.rescore_submission_ids) == 1
    session.refresh(submission)
    assert submission.status == SubmissionStatus.QUEUED
    evaluate_submission(session, settings, store, submission.id)
    versions = sorted((s.version, s.split, s.primary) for s in submission.scores)
    assert [v for v, _, _ in versions] == [1, 1, 2, 2]
    assert {p for v, _, p in versions if v == 2} == {0.0} and {p for v, _, p in versions if v == 1} == {1.0}


def test_runsc_tracks_need_room_for_gvisors_own_threads(tmp_path: Path) -> None:
    root = write_bundle(tmp_path / "b", kind="code", runner={"runtime": "runsc", "limits": {"pids": 32}})
    assert "at least 64" in _problems(root)["tracks[0].runner.limits.pids"]


def test_a_fixed_split_seed_is_used_and_kept(session: Session, store: BlobStore, tmp_path: Path) -> None:
    root = _edit(write_bundle(tmp_path / "b"), lambda d: d["tracks"][0]["phases"][0].update(split_seed="demo-seed"))
    report = import_bundle(session, store, root)
    session.commit()
    challenge = session.get(Challenge, report.challenge_id)
    assert challenge is not None and first_phase(challenge).split_seed == "demo-seed"
