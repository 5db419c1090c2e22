"""The upload check costs no more than scoring the same file (ratios measured in one run, never seconds)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench" / "upload_check.py"


def test_the_check_costs_no_more_than_scoring() -> None:
    spec = importlib.util.spec_from_file_location("bench_upload_check", BENCH)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = bench  # dataclasses look their module up while the class is made
    spec.loader.exec_module(bench)
    timing = bench.run(100_000, repeats=5)
    # Both parse the file the same way; the check adds a set lookup where scoring adds the metric, so the
    # warm check stays under scoring. The slack absorbs a shared machine's noise.
    assert timing.warm_ratio < 1.25, timing
    assert timing.cold_ratio < 1.5, timing
