"""Copy-out of a finished run's /output: bounded by apparent bytes, never recreating links."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sandbox.copyout import OutputTooLarge, collect_output, copy_capped

MB = 1024 * 1024


def _apparent_bytes(folder: Path) -> int:
    return sum(path.lstat().st_size for path in folder.rglob("*"))


def test_copy_out_stops_at_the_cap_counting_holes(tmp_path: Path) -> None:
    source, target = tmp_path / "area", tmp_path / "out"
    source.mkdir()
    for i in range(24):
        with (source / f"sparse{i}").open("wb") as fh:
            fh.truncate(8 * MB)
    with pytest.raises(OutputTooLarge):
        copy_capped(source, target, 4 * MB)
    assert _apparent_bytes(target) <= 4 * MB


def test_collect_refuses_sparse_output_and_keeps_nothing(tmp_path: Path) -> None:
    source, target = tmp_path / "area", tmp_path / "out"
    source.mkdir()
    target.mkdir()  # the runner's output directory always exists
    with (source / "holes.bin").open("wb") as fh:
        fh.truncate(64 * MB)
    collected = collect_output(source, target, 4 * MB, copy=True, full=False)
    assert collected.over_cap and collected.output_bytes > 4 * MB
    assert list(target.iterdir()) == []


def test_links_are_dropped_not_recreated(tmp_path: Path) -> None:
    source, target = tmp_path / "area", tmp_path / "out"
    (source / "sub").mkdir(parents=True)
    (source / "sub" / "predictions.csv").symlink_to("/etc/passwd")
    (source / "dangling").symlink_to(tmp_path / "elsewhere")
    (source / "kept.txt").write_text("ok")
    collected = collect_output(source, target, 4 * MB, copy=True, full=False)
    assert not collected.over_cap
    assert (target / "kept.txt").read_text() == "ok"
    assert not os.path.lexists(target / "sub" / "predictions.csv") and not os.path.lexists(target / "dangling")
    assert "/output/sub/predictions.csv is not a regular file or folder" in collected.notes
    assert not (tmp_path / "elsewhere").exists()


def test_without_an_area_links_are_removed_in_place(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "predictions.csv").symlink_to("/etc/passwd")
    (out / "real.txt").write_text("x")
    collected = collect_output(out, out, 4 * MB, copy=False, full=False)
    assert not os.path.lexists(out / "predictions.csv") and (out / "real.txt").exists()
    assert "/output/predictions.csv" in collected.notes
