"""Build the data of the `digits` demo challenge from scikit-learn's bundled handwritten digits.

Usage: python build.py OUT_DIR

Writes, deterministically (fixed seed):
  OUT_DIR/public/train.csv              id, p00..p63, label
  OUT_DIR/public/test.csv               id, p00..p63
  OUT_DIR/public/sample_submission.csv  id, label (random labels)
  OUT_DIR/hidden/labels.csv             id, label   (the hidden key; never served)
  OUT_DIR/baseline/predictions.csv      id, label   (a nearest-centroid baseline; the dry run scores it)
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits

SEED = 20261122
TEST_SIZE = 540
PIXELS = [f"p{i:02d}" for i in range(64)]


def split_digits(seed: int = SEED, test_size: int = TEST_SIZE) -> dict[str, np.ndarray]:
    """Shuffle the 1,797 digits with `seed` and cut them into train and test parts with opaque ids."""
    data = load_digits()
    x = data.data.astype(np.int64)
    y = data.target.astype(np.int64)
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(y))
    # Ids are drawn from one shuffled pool so their numbers reveal neither the split nor the original order.
    ids = np.array([f"{n:05d}" for n in rng.choice(90000, size=len(y), replace=False) + 10000])
    test_idx, train_idx = order[:test_size], order[test_size:]
    return {
        "train_ids": ids[train_idx],
        "train_x": x[train_idx],
        "train_y": y[train_idx],
        "test_ids": ids[test_idx],
        "test_x": x[test_idx],
        "test_y": y[test_idx],
        "sample_y": rng.integers(0, 10, size=test_size),
    }


def _write(path: Path, header: list[str], rows: list[list[object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def build(out: Path, seed: int = SEED) -> None:
    """Write the public files and the hidden key of the digits challenge under `out`."""
    parts = split_digits(seed)
    train_order = np.argsort(parts["train_ids"])
    test_order = np.argsort(parts["test_ids"])
    _write(
        out / "public" / "train.csv",
        ["id", *PIXELS, "label"],
        [[parts["train_ids"][i], *parts["train_x"][i].tolist(), int(parts["train_y"][i])] for i in train_order],
    )
    _write(
        out / "public" / "test.csv",
        ["id", *PIXELS],
        [[parts["test_ids"][i], *parts["test_x"][i].tolist()] for i in test_order],
    )
    _write(
        out / "public" / "sample_submission.csv",
        ["id", "label"],
        [[parts["test_ids"][i], int(parts["sample_y"][i])] for i in test_order],
    )
    centroids = np.stack([parts["train_x"][parts["train_y"] == d].mean(axis=0) for d in range(10)])
    distances = ((parts["test_x"][:, None, :] - centroids[None, :, :]) ** 2).sum(axis=2)
    predicted = distances.argmin(axis=1)
    _write(
        out / "baseline" / "predictions.csv",
        ["id", "label"],
        [[parts["test_ids"][i], int(predicted[i])] for i in test_order],
    )
    _write(
        out / "hidden" / "labels.csv",
        ["id", "label"],
        [[parts["test_ids"][i], int(parts["test_y"][i])] for i in test_order],
    )


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point: `python build.py OUT_DIR`."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="output folder (created if missing)")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    build(args.out, args.seed)


if __name__ == "__main__":
    main()
