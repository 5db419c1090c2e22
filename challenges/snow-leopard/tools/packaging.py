"""Turn images + metadata (image, individual, station, timestamp) into the bundle's public and hidden files."""

from __future__ import annotations

import csv
import io
import json
import shutil
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from PIL import Image, ImageOps

from tools.split import NEW_INDIVIDUAL, TRAIN, SplitConfig, split_survey

BUNDLE_DIR = Path(__file__).resolve().parents[1]
REQUIRED_COLUMNS = ("image", "individual", "station", "timestamp")
ZIP_TIME = (2026, 1, 1, 0, 0, 0)
# Public names of the result-track query sets, per pool.
RESULT_QUERY_SETS = {"result_prelim": "test", "result_final": "test_b"}
CODE_POOLS = ("code_prelim", "code_final")


@dataclass(frozen=True)
class PackageConfig:
    """Packaging options: split, id seed, image re-encoding and starter-kit size."""

    split: SplitConfig = field(default_factory=SplitConfig)
    id_seed: int = 11
    max_side: int = 640
    jpeg_quality: int = 90
    starter_individuals: int = 10


def load_metadata(path: Path) -> pd.DataFrame:
    """Read and validate a metadata CSV with columns image, individual, station, timestamp."""
    meta = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in REQUIRED_COLUMNS if c not in meta.columns]
    if missing:
        raise ValueError(f"metadata lacks columns: {', '.join(missing)}")
    meta = meta[list(REQUIRED_COLUMNS)].copy()
    if (meta == "").any().any():
        raise ValueError("metadata has empty cells")
    if meta["image"].duplicated().any():
        raise ValueError("metadata lists an image twice")
    if (meta["individual"] == NEW_INDIVIDUAL).any():
        raise ValueError(f"'{NEW_INDIVIDUAL}' is reserved and cannot be an individual's name")
    parsed = pd.to_datetime(meta["timestamp"], errors="coerce")
    if parsed.isna().any():
        bad = meta.loc[parsed.isna(), "timestamp"].iloc[0]
        raise ValueError(f"unreadable timestamp: {bad!r}")
    meta["timestamp"] = parsed.dt.strftime("%Y-%m-%d %H:%M:%S")
    return meta


def _reencode(source: Path, max_side: int, quality: int) -> bytes:
    """Decode, orient, shrink and re-encode as a JPEG without metadata (EXIF may name the animal or site)."""
    with Image.open(source) as im:
        img = ImageOps.exif_transpose(im).convert("RGB")
    if max(img.size) > max_side:
        img.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=quality)
    return buf.getvalue()


def _opaque_ids(n: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    ids: set[str] = set()
    out: list[str] = []
    while len(out) < n:
        candidate = f"{int(rng.integers(1 << 40)):010x}"
        if candidate not in ids:
            ids.add(candidate)
            out.append(candidate)
    return out


def _write_csv(path: Path, frame: pd.DataFrame) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)


def _zip(path: Path, members: dict[str, bytes]) -> None:
    """Write a byte-for-byte reproducible zip (fixed timestamps, sorted names)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as zf:
        for name in sorted(members):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_STORED if name.lower().endswith(".jpg") else zipfile.ZIP_DEFLATED
            zf.writestr(info, members[name])


def _sample_predictions(ids: list[str], known: list[str], seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for image_id in ids:
        picks = rng.choice(known, size=min(4, len(known)), replace=False).tolist()
        rows.append({"image_id": image_id, "predictions": " ".join([NEW_INDIVIDUAL, *picks])})
    return pd.DataFrame(rows, columns=["image_id", "predictions"])


def _image_members(df: pd.DataFrame, folder: str, images: dict[str, bytes]) -> dict[str, bytes]:
    return {f"{folder}/{i}.jpg": images[i] for i in df["image_id"]}


def _write_folder(root: Path, members: dict[str, bytes]) -> None:
    for name, data in members.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def _starter_kit(train: pd.DataFrame, images: dict[str, bytes], config: PackageConfig) -> dict[str, bytes]:
    """A small practice set cut from public training images by the same split code, plus baseline and scorer."""
    rng = np.random.default_rng(config.id_seed + 5)
    counts = train["individual"].value_counts()
    eligible = sorted(counts[counts >= 6].index)
    chosen = sorted(rng.choice(eligible, size=min(config.starter_individuals, len(eligible)), replace=False))
    cols = ["image_id", "individual", "station", "timestamp"]
    sub = train.loc[train["individual"].isin(chosen), cols].rename(columns={"image_id": "image"})
    sample_split = SplitConfig(
        seed=config.split.seed + 1,
        burst_gap_minutes=config.split.burst_gap_minutes,
        new_fraction=0.2,
        test_fraction=0.34,
        pools=("sample",),
        phases=(("sample",),),
    )
    parts = split_survey(sub, sample_split)
    parts = parts.rename(columns={"image": "image_id"})
    s_train = parts[parts["split"] == TRAIN].sort_values("image_id")
    s_test = parts[parts["split"] == "sample"].sort_values("image_id")
    members: dict[str, bytes] = {}
    members.update({f"sample_data/{k}": v for k, v in _image_members(s_train, "train", images).items()})
    members.update({f"sample_data/{k}": v for k, v in _image_members(s_test, "test", images).items()})

    def csv_bytes(frame: pd.DataFrame) -> bytes:
        return frame.to_csv(index=False, lineterminator="\n").encode()

    members["sample_data/train.csv"] = csv_bytes(s_train[["image_id", "individual", "station", "timestamp"]])
    members["sample_data/test.csv"] = csv_bytes(s_test[["image_id", "station", "timestamp"]])
    members["sample_data/test_labels.csv"] = csv_bytes(
        s_test[["image_id", "label"]].rename(columns={"label": "predictions"})
    )
    for name in ("main.py", "features.py"):
        members[f"baseline/{name}"] = (BUNDLE_DIR / "baseline" / name).read_bytes()
    members["score.py"] = (BUNDLE_DIR / "tools" / "map_at_k.py").read_bytes()
    members["README.md"] = (BUNDLE_DIR / "starter_kit" / "README.md").read_bytes()
    return members


def package(images_dir: Path, meta: pd.DataFrame, out: Path, config: PackageConfig) -> dict[str, object]:
    """Split, rename, re-encode and write every public and hidden file of the bundle under `out`."""
    parts = split_survey(meta, config.split)
    parts["image_id"] = _opaque_ids(len(parts), config.id_seed)
    images = {
        row.image_id: _reencode(images_dir / row.image, config.max_side, config.jpeg_quality)
        for row in parts.itertuples()
    }
    public, hidden = out / "public", out / "hidden"
    for folder in (public, hidden):
        if folder.exists():
            shutil.rmtree(folder)
    train = parts[parts["split"] == TRAIN].sort_values("image_id")
    train_csv = train[["image_id", "individual", "station", "timestamp"]]
    known = sorted(train["individual"].unique())
    _write_csv(public / "train.csv", train_csv)
    _zip(public / "train_images.zip", _image_members(train, "train", images))

    stats: dict[str, object] = {
        "images": len(parts),
        "individuals": int(meta["individual"].nunique()),
        "bursts": int(parts["burst"].nunique()),
        "train": len(train),
        "train_individuals": len(known),
        "pools": {},
    }
    for pool in config.split.pools:
        queries = parts[parts["split"] == pool].sort_values("image_id")
        key = queries[["image_id", "label", "individual"]].rename(
            columns={"label": "predictions", "individual": "identity"}
        )
        _write_csv(hidden / pool / "labels.csv", key)
        query_csv = queries[["image_id", "station", "timestamp"]]
        if pool in RESULT_QUERY_SETS:
            name = RESULT_QUERY_SETS[pool]
            _write_csv(public / f"{name}.csv", query_csv)
            _zip(public / f"{name}_images.zip", _image_members(queries, name, images))
            suffix = "" if name == "test" else "_b"
            _write_csv(
                public / f"sample_submission{suffix}.csv",
                _sample_predictions(query_csv["image_id"].tolist(), known, config.id_seed + len(name)),
            )
        else:
            inputs = hidden / pool / "inputs"
            _write_csv(inputs / "train.csv", train_csv)
            _write_csv(inputs / "test.csv", query_csv)
            _write_folder(inputs, _image_members(train, "train", images))
            _write_folder(inputs, _image_members(queries, "test", images))
        stats["pools"][pool] = {  # type: ignore[index]
            "images": len(queries),
            "individuals": int(queries["individual"].nunique()),
            "new_individual_images": int((queries["label"] == NEW_INDIVIDUAL).sum()),
        }
    _zip(public / "starter_kit.zip", _starter_kit(train, images, config))
    stats["config"] = json.loads(json.dumps(asdict(config), default=str))
    (out / "build_report.json").write_text(json.dumps(stats, indent=2) + "\n", encoding="utf-8")
    return stats
