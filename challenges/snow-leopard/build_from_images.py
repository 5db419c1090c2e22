"""Build the snow-leopard bundle data from real camera-trap images.

Usage:
  python build_from_images.py --images DIR --metadata CSV --out OUT_DIR
         [--burst-gap-minutes 30] [--new-fraction 0.15] [--test-fraction 0.4] [--seed 7] [--max-side 640]

The metadata CSV has columns image (path relative to DIR), individual, station and timestamp
(camera local time, e.g. 2025-11-03 21:14:05). Images are re-encoded without metadata and renamed to opaque ids.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from tools.packaging import PackageConfig, load_metadata, package  # noqa: E402
from tools.split import SplitConfig  # noqa: E402


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description="Build the snow-leopard bundle data from real images.")
    parser.add_argument("--images", type=Path, required=True, help="folder the metadata's image paths are relative to")
    parser.add_argument("--metadata", type=Path, required=True, help="CSV: image,individual,station,timestamp")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--burst-gap-minutes", type=float, default=SplitConfig.burst_gap_minutes)
    parser.add_argument("--new-fraction", type=float, default=SplitConfig.new_fraction)
    parser.add_argument("--test-fraction", type=float, default=SplitConfig.test_fraction)
    parser.add_argument("--seed", type=int, default=SplitConfig.seed)
    parser.add_argument("--max-side", type=int, default=PackageConfig.max_side)
    args = parser.parse_args(argv)
    meta = load_metadata(args.metadata)
    missing = [p for p in meta["image"] if not (args.images / p).is_file()]
    if missing:
        parser.error(f"{len(missing)} images listed in the metadata are missing, e.g. {missing[0]}")
    split = SplitConfig(
        seed=args.seed,
        burst_gap_minutes=args.burst_gap_minutes,
        new_fraction=args.new_fraction,
        test_fraction=args.test_fraction,
    )
    stats = package(args.images, meta, args.out, PackageConfig(split=split, max_side=args.max_side))
    print(f"packaged {stats['images']} images of {stats['individuals']} individuals -> {args.out}")


if __name__ == "__main__":
    main()
