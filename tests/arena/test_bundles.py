"""Bundle validation (every problem with its field) and import / re-import."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from arena import finals
from arena.challenges.bundles import PhaseSpec, TrackSpec, import_bundle, validate_bundle
from arena.challenges.bundles.fields import Problems
from arena.challenges.bundles.final import read_final
from arena.db import utcnow
from arena.enums import FinalStatus, SubmissionStatus
from arena.errors import BundleError
from arena.evaluation.pipeline import evaluate_submission
from arena.evaluation.rescoring import requeue_for_rescoring
from arena.models import Challenge, Final, Submission
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


FINAL = {
    "title": {"en": "On-site final", "zh": "现场决赛"},
    "sources": ["main/one"],
    "materials_due": "2027-03-10T16:00:00Z",
    "pitch_at": "2027-03-20T01:30:00Z",
    "venue": "Hall A",
    "formula": {"weights": {"online": 0.6, "judges": 0.4}, "tie_break": ["online"]},
    "aggregation": "trimmed",
    "rubric": [
        {"name": {"en": "Innovation", "zh": "算法创新性"}, "weight": 0.5},
        {"name": {"en": "Pitch", "zh": "答辩表现"}, "weight": 0.5, "max": 20, "step": 2},
    ],
}


def test_a_declared_final_is_read_and_installed_announced(session: Session, store: BlobStore, tmp_path: Path) -> None:
    root = _edit(write_bundle(tmp_path / "b"), lambda d: d.update(final=FINAL))
    spec = validate_bundle(root)
    assert spec.final is not None and spec.final.sources == [("main", "one")] and spec.final.aggregation == "trimmed"
    report = import_bundle(session, store, root)
    session.commit()
    final = session.scalar(select(Final).where(Final.challenge_id == report.challenge_id))
    assert final is not None and final.status == FinalStatus.ANNOUNCED and final.venue == "Hall A"
    challenge = session.get(Challenge, report.challenge_id)
    assert challenge is not None and final.source_phase_ids == [first_phase(challenge).id]
    assert final.formula["weights"] == {"online": 0.6, "judges": 0.4}
    criteria = finals.rubric(session, final.id)
    assert [c.name["zh"] for c in criteria] == ["算法创新性", "答辩表现"] and criteria[1].max_points == 20

    # Re-importing updates the same final; once finalists are named the bundle no longer changes it.
    _edit(root, lambda d: d["final"].update(venue="Hall B"))
    import_bundle(session, store, root)
    assert session.scalars(select(Final)).all() == [final] and final.venue == "Hall B"
    final.status = FinalStatus.FINALISTS_NAMED
    _edit(root, lambda d: d["final"].update(venue="Hall C"))
    again = import_bundle(session, store, root)
    assert final.venue == "Hall B" and any("not applied" in change for change in again.changes)


def test_every_problem_of_a_final_names_its_field(tmp_path: Path) -> None:
    bad = {
        **FINAL,
        "sources": ["main/nope"],
        "pitch_at": "2027-03-01T00:00:00Z",
        "formula": {"weights": {"online": 0.6, "luck": 0.4}, "normalization": "zscore", "gates": ["judges"]},
        "aggregation": "median",
        "missing_rule": "ignore",
        "rubric": [{"name": {"en": "Only English"}, "weight": 0, "min": 5, "max": 5}, {"weight": 1, "step": 3}],
        "colour": "red",
    }
    problems = _problems(_edit(write_bundle(tmp_path / "b"), lambda d: d.update(final=bad)))
    for field in (
        "final.sources[0]",
        "final.pitch_at",
        "final.formula.weights",
        "final.formula.normalization",
        "final.formula.gates",
        "final.aggregation",
        "final.missing_rule",
        "final.rubric[0].name.zh",
        "final.rubric[0].weight",
        "final.rubric[0].max",
        "final.rubric[1].name",
        "final.rubric[1].step",
        "final.colour",
    ):
        assert field in problems, field
    assert "luck" in problems["final.formula.weights"]


def test_final_weights_must_sum_to_one(tmp_path: Path) -> None:
    def change(d: dict) -> None:  # type: ignore[type-arg]
        d["final"] = {**FINAL, "formula": {"weights": {"online": 0.6, "judges": 0.6}}, "sources": []}

    problems = _problems(_edit(write_bundle(tmp_path / "b"), change))
    assert "sum to 1" in problems["final.formula.weights"] and "final.sources" in problems


def test_the_snow_leopard_bundle_declares_a_final_with_a_rubric() -> None:
    data = yaml.safe_load((REPO / "challenges" / "snow-leopard" / "challenge.yaml").read_text(encoding="utf-8"))
    tracks = [TrackSpec(t["slug"], "", {}, "", {}, "", "", [], 0, 0, {}, []) for t in data["tracks"]]
    for track, raw in zip(tracks, data["tracks"], strict=True):
        track.phases.extend(PhaseSpec(ph["slug"], {}, utcnow(), utcnow(), 1, None, 0.5, REPO) for ph in raw["phases"])
    problems = Problems()
    final = read_final(problems, data, tracks)
    assert not problems.items and final is not None
    assert [c["name"]["zh"] for c in final.rubric] == ["算法创新性", "技术深度", "应用价值", "答辩表现"]
