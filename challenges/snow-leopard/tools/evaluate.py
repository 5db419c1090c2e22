"""Score reference submissions (all-new, random, sample, baseline) on a built bundle's hidden sets.

Usage: python tools/evaluate.py OUT_DIR [--pools result_prelim code_prelim] [--subset 0.3]

The "public-like" column scores a seeded random subset of the hidden set of the given share; Arena draws its own
public/private split per phase with a seeded hash of the image id, so real board numbers differ slightly.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

BUNDLE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BUNDLE_DIR))
sys.path.insert(0, str(BUNDLE_DIR / "baseline"))

from main import predict  # noqa: E402

from tools.map_at_k import score_frames  # noqa: E402
from tools.split import NEW_INDIVIDUAL  # noqa: E402


def reference_submissions(queries: pd.DataFrame, known: list[str], seed: int = 0) -> dict[str, pd.DataFrame]:
    """The trivial submissions: new_individual alone, and five random labels per image."""
    rng = np.random.default_rng(seed)
    labels = [*known, NEW_INDIVIDUAL]
    random_rows = [" ".join(rng.choice(labels, size=5, replace=False)) for _ in range(len(queries))]
    return {
        "all new_individual": pd.DataFrame({"image_id": queries["image_id"], "predictions": NEW_INDIVIDUAL}),
        "random": pd.DataFrame({"image_id": queries["image_id"], "predictions": random_rows}),
    }


def _query_root(out: Path, pool: str, scratch: Path) -> tuple[Path, str]:
    if pool.startswith("code_"):
        return out / "hidden" / pool / "inputs", "test"
    name = {"result_prelim": "test", "result_final": "test_b"}[pool]
    root = scratch / pool
    for archive in ("train_images.zip", f"{name}_images.zip"):
        with zipfile.ZipFile(out / "public" / archive) as zf:
            zf.extractall(root)
    for table in ("train.csv", f"{name}.csv"):
        (root / table).write_bytes((out / "public" / table).read_bytes())
    return root, name


def evaluate(out: Path, pools: list[str], subset: float, seed: int = 0) -> pd.DataFrame:
    """Score every reference submission on each pool, on the whole hidden set and on a random subset."""
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for pool in pools:
            labels = pd.read_csv(out / "hidden" / pool / "labels.csv", dtype=str)
            root, name = _query_root(out, pool, Path(tmp))
            queries = pd.read_csv(root / f"{name}.csv", dtype=str)
            known = sorted(pd.read_csv(root / "train.csv", dtype=str)["individual"].unique())
            subs = reference_submissions(queries, known, seed)
            started = time.perf_counter()
            subs["baseline"] = predict(root, name)
            elapsed = time.perf_counter() - started
            part = labels.sample(frac=subset, random_state=seed)
            for what, sub in subs.items():
                full = score_frames(labels, sub)
                pub = score_frames(part, sub[sub["image_id"].isin(part["image_id"])])
                rows.append(
                    {
                        "pool": pool,
                        "submission": what,
                        "MAP@5": full[0],
                        "top-1": full[1],
                        f"MAP@5 ({subset:.0%})": pub[0],
                        f"top-1 ({subset:.0%})": pub[1],
                        "seconds": elapsed if what == "baseline" else float("nan"),
                    }
                )
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point: print a markdown-like table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--pools", nargs="+", default=["result_prelim", "code_prelim"])
    parser.add_argument("--subset", type=float, default=0.3)
    args = parser.parse_args(argv)
    table = evaluate(args.out, args.pools, args.subset)
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))


if __name__ == "__main__":
    main()
