"""Build the snow-leopard bundle data from a synthetic camera-trap survey.

Usage: python build.py OUT_DIR [--seed N] [--individuals N] [--stations N] [--workers N]

Renders the survey into a scratch folder (images + metadata.csv, exactly what a real survey would provide),
then packages it with the same code as build_from_images.py.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generator.population import SurveyConfig, generate_survey  # noqa: E402
from tools.packaging import PackageConfig, load_metadata, package  # noqa: E402


def build(out: Path, survey: SurveyConfig, config: PackageConfig, workers: int | None = None) -> dict[str, object]:
    """Generate a synthetic survey and package it as the bundle's data under `out`."""
    with tempfile.TemporaryDirectory(prefix="snow-leopard-survey-") as scratch:
        meta_path = generate_survey(survey, Path(scratch), workers=workers)
        return package(Path(scratch), load_metadata(meta_path), out, config)


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description="Build the synthetic snow-leopard bundle data.")
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=SurveyConfig.seed)
    parser.add_argument("--individuals", type=int, default=SurveyConfig.individuals)
    parser.add_argument("--stations", type=int, default=SurveyConfig.stations)
    parser.add_argument("--workers", type=int, default=None, help="render processes (default: up to 4)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    survey = SurveyConfig(seed=args.seed, individuals=args.individuals, stations=args.stations)
    stats = build(args.out, survey, PackageConfig(), args.workers)
    print(
        f"built {stats['images']} images of {stats['individuals']} individuals "
        f"in {time.perf_counter() - started:.1f} s -> {args.out}"
    )


if __name__ == "__main__":
    main()
