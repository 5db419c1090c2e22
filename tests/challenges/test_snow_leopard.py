"""The snow-leopard bundle: deterministic generator, leak-free split and packaging, a baseline that works."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import subprocess
import sys
import zipfile
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd
import pytest
import yaml

BUNDLE = Path(__file__).resolve().parents[2] / "challenges" / "snow-leopard"
sys.path.insert(0, str(BUNDLE))

from generator.population import SurveyConfig, generate_survey  # noqa: E402
from tools.board_scores import EXPECTED, README, REFERENCES, markdown_table  # noqa: E402
from tools.map_at_k import average_precision, map_at_k, score_frames  # noqa: E402
from tools.packaging import PackageConfig, load_metadata, package  # noqa: E402
from tools.split import NEW_INDIVIDUAL, SplitConfig, assign_bursts, split_survey  # noqa: E402

SMALL = SurveyConfig(seed=5, individuals=18, stations=5, events_per_individual=(4, 9))
POOLS = ("result_prelim", "code_prelim", "result_final", "code_final")


def _baseline() -> ModuleType:
    spec = importlib.util.spec_from_file_location("snow_leopard_baseline_main", BUNDLE / "baseline" / "main.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _digest(root: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        h.update(path.relative_to(root).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def survey(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("survey")
    generate_survey(SMALL, root, workers=2)
    return root


@pytest.fixture(scope="module")
def bundle(survey: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bundle")
    package(survey, load_metadata(survey / "metadata.csv"), out, PackageConfig())
    return out


def test_generator_is_deterministic(survey: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    generate_survey(SMALL, again, workers=1)
    assert _digest(survey) == _digest(again)
    other = tmp_path / "other"
    generate_survey(SurveyConfig(seed=6, individuals=3, stations=2, events_per_individual=(2, 3)), other, workers=1)
    assert _digest(other) != _digest(survey)


def test_packaging_is_deterministic(survey: Path, bundle: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    package(survey, load_metadata(survey / "metadata.csv"), again, PackageConfig())
    assert _digest(bundle / "public") == _digest(again / "public")
    assert _digest(bundle / "hidden") == _digest(again / "hidden")


def test_bursts_group_by_station_and_gap() -> None:
    meta = pd.DataFrame(
        {
            "station": ["A", "A", "A", "B", "A"],
            "timestamp": [
                "2025-01-01 10:00:00",
                "2025-01-01 10:00:05",
                "2025-01-01 11:00:00",
                "2025-01-01 10:00:06",
                "2025-01-01 10:29:00",
            ],
        }
    )
    bursts = assign_bursts(meta, gap_minutes=30).tolist()
    assert bursts[0] == bursts[1] == bursts[4]
    assert len({bursts[0], bursts[2], bursts[3]}) == 3


def test_bursts_never_straddle_train_and_queries(survey: Path) -> None:
    meta = load_metadata(survey / "metadata.csv")
    parts = split_survey(meta, SplitConfig())
    assert (parts.groupby("burst")["split"].nunique() == 1).all()
    # Independently of burst numbering: no query frame is within the gap of a train frame at the same station.
    ts = pd.to_datetime(parts["timestamp"])
    for station, rows in parts.assign(t=ts).groupby("station"):
        rows = rows.sort_values("t")
        close = rows["t"].diff() < pd.Timedelta(minutes=30)
        changed = rows["split"].ne(rows["split"].shift())
        assert not (close & changed).any(), station


def test_new_individuals_in_every_pool_and_never_in_train(bundle: Path) -> None:
    train = pd.read_csv(bundle / "public" / "train.csv", dtype=str)
    known = set(train["individual"])
    for pool in POOLS:
        labels = pd.read_csv(bundle / "hidden" / pool / "labels.csv", dtype=str)
        new = labels[labels["predictions"] == NEW_INDIVIDUAL]
        assert len(new) > 0, pool
        assert not set(new["identity"]) & known
        seen = labels[labels["predictions"] != NEW_INDIVIDUAL]
        assert (seen["predictions"] == seen["identity"]).all()
        assert set(seen["identity"]) <= known
    pools = [set(pd.read_csv(bundle / "hidden" / p / "labels.csv", dtype=str)["image_id"]) for p in POOLS]
    assert sum(len(p) for p in pools) == len(set().union(*pools))  # every query image belongs to one pool


def test_hidden_answers_never_reach_public_files(bundle: Path) -> None:
    public = bundle / "public"
    text = "".join(p.read_text(encoding="utf-8") for p in public.glob("*.csv"))
    members: list[str] = []
    for archive in public.glob("*.zip"):
        with zipfile.ZipFile(archive) as zf:
            members += zf.namelist()
            text += "".join(zf.read(n).decode("utf-8") for n in zf.namelist() if n.endswith(".csv"))
    for name in ("test.csv", "test_b.csv"):
        assert list(pd.read_csv(public / name, nrows=1).columns) == ["image_id", "station", "timestamp"]
    for pool in ("code_prelim", "code_final"):
        hidden_ids = pd.read_csv(bundle / "hidden" / pool / "labels.csv", dtype=str)["image_id"]
        for image_id in hidden_ids:
            assert image_id not in text
            assert not any(image_id in m for m in members)
    train_ids = set(pd.read_csv(public / "train.csv", dtype=str)["image_id"])
    for pool in ("result_prelim", "result_final"):
        labels = pd.read_csv(bundle / "hidden" / pool / "labels.csv", dtype=str)
        assert not set(labels["image_id"]) & train_ids
    # The starter kit is cut from training images only.
    with zipfile.ZipFile(public / "starter_kit.zip") as zf:
        kit_ids = {Path(n).stem for n in zf.namelist() if n.endswith(".jpg")}
    assert kit_ids and kit_ids <= train_ids
    assert not (bundle / "hidden" / "code_prelim" / "inputs" / "labels.csv").exists()


def test_config_matches_built_files(bundle: Path) -> None:
    config = yaml.safe_load((BUNDLE / "challenge.yaml").read_text(encoding="utf-8"))
    assert config["slug"] == "snow-leopard"
    for item in config["public_files"]:
        assert (bundle / item["path"]).is_file(), item["path"]
    for track in config["tracks"]:
        assert track["scorer"] == "map_at_k" and track["scorer_options"]["k"] == 5
        for phase in track["phases"]:
            assert (bundle / phase["labels"]).is_file()
            if track["kind"] == "code":
                inputs = bundle / phase["inputs"]
                assert {p.name for p in inputs.iterdir()} == {"train.csv", "train", "test.csv", "test"}
    for pages in config["text"].values():
        assert (BUNDLE / pages["en"]).is_file() and (BUNDLE / pages["zh"]).is_file()


def test_baseline_beats_random_by_a_wide_margin(bundle: Path, tmp_path: Path) -> None:
    baseline = _baseline()
    inputs = bundle / "hidden" / "code_prelim" / "inputs"
    labels = pd.read_csv(bundle / "hidden" / "code_prelim" / "labels.csv", dtype=str)
    predictions = baseline.predict(inputs, "test")
    known = sorted(pd.read_csv(inputs / "train.csv", dtype=str)["individual"].unique())
    rng = np.random.default_rng(0)
    random_sub = pd.DataFrame(
        {
            "image_id": labels["image_id"],
            "predictions": [" ".join(rng.choice([*known, NEW_INDIVIDUAL], 5, replace=False)) for _ in labels.index],
        }
    )
    base_map, _ = score_frames(labels, predictions)
    random_map, _ = score_frames(labels, random_sub)
    assert base_map > random_map + 0.25
    # The command-line entry point writes the file Arena's code track expects.
    subprocess.run(
        [sys.executable, str(BUNDLE / "baseline" / "main.py"), "--input", str(inputs), "--output", str(tmp_path)],
        check=True,
        timeout=300,
        capture_output=True,
    )
    written = pd.read_csv(tmp_path / "predictions.csv", dtype=str)
    assert list(written.columns) == ["image_id", "predictions"]
    assert set(written["image_id"]) == set(labels["image_id"])


def test_build_from_images_cli(survey: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            str(BUNDLE / "build_from_images.py"),
            "--images",
            str(survey),
            "--metadata",
            str(survey / "metadata.csv"),
            "--out",
            str(tmp_path),
            "--burst-gap-minutes",
            "45",
        ],
        check=True,
        timeout=300,
        capture_output=True,
        text=True,
    )
    assert "packaged" in result.stdout
    assert (tmp_path / "public" / "starter_kit.zip").is_file()
    bad = tmp_path / "bad.csv"
    bad.write_text("image,individual,station\nx.jpg,A,S1\n", encoding="utf-8")
    failed = subprocess.run(
        [
            sys.executable,
            str(BUNDLE / "build_from_images.py"),
            "--images",
            str(survey),
            "--metadata",
            str(bad),
            "--out",
            str(tmp_path / "x"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert failed.returncode != 0 and "timestamp" in failed.stderr


def test_map_at_k_follows_kaggle_semantics() -> None:
    assert average_precision("A", ["B", "B", "A"]) == pytest.approx(1 / 3)
    assert average_precision("A", ["A", "A", "A"]) == 1.0
    assert average_precision("A", []) == 0.0
    assert average_precision("A", ["B", "C", "D", "E", "F", "A"]) == 0.0
    m, top1 = map_at_k(["A", "B", "new_individual"], [["A"], ["new_individual", "B"], ["C", "D"]])
    assert m == pytest.approx((1 + 0.5 + 0) / 3)
    assert top1 == pytest.approx(1 / 3)


def test_map_at_k_agrees_with_the_platform_scorer(bundle: Path) -> None:
    registry = pytest.importorskip("scorers.registry")
    keys = pytest.importorskip("scorers.keys")
    scorer = registry.get_scorer("map_at_k", {"k": 5})
    key_bytes = (bundle / "hidden" / "result_prelim" / "labels.csv").read_bytes()
    key = keys.read_key(key_bytes, id_column="image_id", target_columns=["predictions"])
    labels = pd.read_csv(bundle / "hidden" / "result_prelim" / "labels.csv", dtype=str)
    known = sorted(pd.read_csv(bundle / "public" / "train.csv", dtype=str)["individual"].unique())
    rng = np.random.default_rng(3)
    pool = [*known[:4], NEW_INDIVIDUAL]  # a small label pool so that hits land at every position
    rows = [" ".join(rng.choice(pool, int(rng.integers(1, 6)))) for _ in labels.index]
    submission = pd.DataFrame({"image_id": labels["image_id"], "predictions": rows})
    mine, _ = score_frames(labels, submission)
    data = submission.to_csv(index=False).encode()
    parsed = scorer.read_predictions(data, key, id_column="image_id", target_columns=["predictions"], max_bytes=1 << 20)
    theirs = scorer.score(key, parsed)
    assert theirs.primary == pytest.approx(mine)


def test_every_phase_fixes_its_split_and_final_phases_hide_logs() -> None:
    config = yaml.safe_load((BUNDLE / "challenge.yaml").read_text(encoding="utf-8"))
    seeds = [phase["split_seed"] for track in config["tracks"] for phase in track["phases"]]
    assert len(set(seeds)) == len(seeds) == 4 and all(isinstance(s, str) and 0 < len(s) <= 64 for s in seeds)
    for track in config["tracks"]:
        for phase in track["phases"]:
            assert phase.get("hide_logs", False) is (phase["slug"] == "final"), (track["slug"], phase["slug"])


def test_the_readme_tables_are_generated_from_the_expected_scores() -> None:
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    assert [(r["track"], r["phase"], r["submission"]) for r in expected["rows"]] == [r[:3] for r in REFERENCES]
    config = yaml.safe_load((BUNDLE / "challenge.yaml").read_text(encoding="utf-8"))
    seeds = {f"{t['slug']}/{p['slug']}": p["split_seed"] for t in config["tracks"] for p in t["phases"]}
    assert all(seeds[name] == seed for name, seed in expected["split_seeds"].items())
    readme = README.read_text(encoding="utf-8")
    for lang in ("en", "zh"):
        start, end = f"<!-- board-scores:{lang}:start -->", f"<!-- board-scores:{lang}:end -->"
        block = f"{start}\n{markdown_table(expected, lang)}\n{end}"
        assert block in readme, f"rerun tools/board_scores.py --write ({lang} table differs)"
    baseline, random_row = (
        next(r for r in expected["rows"] if (r["track"], r["submission"]) == ("identify", name))
        for name in ("baseline", "random")
    )
    assert baseline["public"]["map@5"] > 5 * random_row["public"]["map@5"]


def test_ranked_labels_are_the_known_individuals_and_new_individual(bundle: Path) -> None:
    from arena.challenges.bundles.reader import load_yaml, read_spec

    spec = read_spec(load_yaml(BUNDLE), BUNDLE, bundle, "test")
    known = set(pd.read_csv(bundle / "public" / "train.csv", dtype=str)["individual"])
    for track in spec.tracks:
        target = track.targets["predictions"]
        assert (target["type"], target["max_items"]) == ("ranked", 5)
        assert set(target["labels"]) == known | {NEW_INDIVIDUAL}
