"""The digits demo bundle builds consistent, deterministic files and keeps its answers hidden."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

BUNDLE = Path(__file__).resolve().parents[2] / "challenges" / "digits"


def _build(out: Path) -> Path:
    subprocess.run([sys.executable, "build.py", str(out)], cwd=BUNDLE, check=True, timeout=300)
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build(tmp_path_factory.mktemp("digits"))


def test_config_points_at_existing_files(built: Path) -> None:
    config = yaml.safe_load((BUNDLE / "challenge.yaml").read_text(encoding="utf-8"))
    assert config["format"] == 1
    assert config["slug"] == "digits"
    for pages in config["text"].values():
        for lang in ("en", "zh"):
            assert (BUNDLE / pages[lang]).is_file()
    for item in config["public_files"]:
        assert (built / item["path"]).is_file()
    for track in config["tracks"]:
        for phase in track["phases"]:
            assert (built / phase["labels"]).is_file()
            assert phase["opens"] < phase["closes"]


def test_files_are_consistent(built: Path) -> None:
    train = pd.read_csv(built / "public" / "train.csv")
    test = pd.read_csv(built / "public" / "test.csv")
    sample = pd.read_csv(built / "public" / "sample_submission.csv")
    labels = pd.read_csv(built / "hidden" / "labels.csv")
    assert len(train) + len(test) == 1797
    assert list(sample.columns) == ["id", "label"] == list(labels.columns)
    assert "label" not in test.columns
    assert test["id"].tolist() == sample["id"].tolist() == labels["id"].tolist()
    assert test["id"].is_unique and not set(test["id"]) & set(train["id"])
    assert set(labels["label"]) == set(range(10))
    assert sample["label"].between(0, 9).all()


def test_build_is_deterministic(built: Path, tmp_path: Path) -> None:
    again = _build(tmp_path / "again")
    for rel in ("public/train.csv", "public/test.csv", "public/sample_submission.csv", "hidden/labels.csv"):
        first = hashlib.sha256((built / rel).read_bytes()).hexdigest()
        assert first == hashlib.sha256((again / rel).read_bytes()).hexdigest(), rel


def test_the_track_declares_digits_and_the_key_fits_them() -> None:
    from arena.challenges.bundles import validate_bundle

    spec = validate_bundle(BUNDLE)
    targets = spec.tracks[0].targets
    assert targets["label"]["labels"] == [str(i) for i in range(10)]
    assert targets["label"]["type"] == "label"


def test_a_key_outside_the_declared_digits_is_refused_at_import(tmp_path: Path) -> None:
    import shutil

    from arena.challenges.bundles import validate_bundle
    from arena.errors import BundleError

    copy = tmp_path / "digits"
    shutil.copytree(BUNDLE, copy)
    config = (copy / "challenge.yaml").read_text(encoding="utf-8")
    (copy / "challenge.yaml").write_text(config.replace("[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]", "[0, 1, 2]"), "utf-8")
    with pytest.raises(BundleError) as info:
        validate_bundle(copy)
    fields = dict(info.value.problems)
    assert "not among the declared labels" in fields["tracks[0].phases[0].labels"]
