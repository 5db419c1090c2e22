"""The hard cap on /output (a capped tmpfs per run), its copy-out, its clean-up, and the polling fallback."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import docker
import pytest

from sandbox import SANDBOX_LABEL, DockerRunner, Limits, Outcome, RunResult, RunSpec, remove_containers
from sandbox.outputfs import AREA_PREFIX, OutputArea, area_mounts, hard_cap_supported

pytestmark = pytest.mark.docker

MB = 1024 * 1024
RunCode = Callable[..., RunResult]

FLOOD = """
import errno, json, os
written, error = 0, "none"
try:
    for i in range(64):
        with open(f"/output/part{i}", "wb") as fh:
            for _ in range(4):
                fh.write(b"y" * MB)
                fh.flush()
                written += MB
except OSError as exc:
    error = errno.errorcode.get(exc.errno, str(exc.errno))
print(json.dumps({"written": written, "error": error}))
""".replace("MB", str(MB))


@pytest.fixture(autouse=True)
def can_mount() -> None:
    """These tests need a worker that may mount (root); CI runs as root, so there it is a failure."""
    if not hard_cap_supported():
        if os.environ.get("ARENA_REQUIRE_DOCKER") == "1":
            pytest.fail("this process cannot mount a tmpfs (the worker must run as root)", pytrace=False)
        pytest.skip("this process cannot mount a tmpfs (not root)")


def test_a_flood_stops_at_the_cap_not_after_it(run_code: RunCode, small_limits: Limits, tmp_path: Path) -> None:
    result = run_code(FLOOD, limits=replace(small_limits, output_mb=8, fsize_mb=8))
    assert result.outcome is Outcome.OUTPUT_TOO_LARGE, result
    # The area holds at most the cap (plus the per-file charge of the accounting), never a poll's worth more.
    assert result.output_bytes is not None and result.output_bytes <= 8 * MB + 64 * 1024, result.output_bytes
    if result.stdout.strip():  # the watch may kill it before it reports
        assert json.loads(result.stdout.strip().splitlines()[-1])["error"] == "ENOSPC"
    assert not [point for point in area_mounts() if point.parent == tmp_path]
    assert not list(tmp_path.glob(f"{AREA_PREFIX}*"))


def test_output_is_copied_out_and_the_area_released(run_code: RunCode, tmp_path: Path) -> None:
    result = run_code(
        """
import os
os.makedirs("/output/deep/er")
open("/output/deep/er/file.txt", "w").write("inner")
open("/output/predictions.csv", "w").write("id,label\\n1,a\\n")
os.symlink("/etc/passwd", "/output/link")
os.mkfifo("/output/fifo")
"""
    )
    assert result.outcome is Outcome.OK, result
    out = tmp_path / "out0"
    assert (out / "predictions.csv").read_text() == "id,label\n1,a\n"
    assert (out / "deep" / "er" / "file.txt").read_text() == "inner"
    # The worker (root) recreates no link the run made; the run's log says what was left behind.
    assert not os.path.lexists(out / "link") and not os.path.lexists(out / "fifo")
    assert "/output/link is not a regular file or folder" in result.stderr, result.stderr
    # (Under runsc a FIFO lives in gVisor's kernel only and never reaches the area.)
    assert not [point for point in area_mounts() if point.parent == tmp_path]
    assert not list(tmp_path.glob(f"{AREA_PREFIX}*"))


def test_without_mounting_the_cap_is_polled(runner_image: str, runtime: str, tmp_path: Path) -> None:
    polling = DockerRunner(kill_grace_seconds=5.0, output_poll_seconds=0.2, hard_output_cap=False)
    code = tmp_path / "code"
    code.mkdir(mode=0o755)
    (code / "main.py").write_text("for i in range(3):\n    open(f'/output/p{i}', 'wb').write(b'z' * 6 * 2**20)\n")
    limits = Limits(wall_seconds=30, memory_mb=256, pids=64, fsize_mb=8, tmpfs_mb=16, output_mb=8)
    spec = RunSpec(
        image=runner_image,
        command=["python", "main.py"],
        code_dir=code,
        output_dir=tmp_path / "out",
        limits=limits,
        runtime=runtime,
        labels={"org.arena.test": "1"},
    )
    result = polling.run(spec)
    assert result.outcome is Outcome.OUTPUT_TOO_LARGE, result
    assert result.output_bytes is not None and result.output_bytes > 8 * MB  # written first, measured after
    assert not list(tmp_path.glob(f"{AREA_PREFIX}*"))


def test_areas_of_a_dead_worker_are_released_and_live_ones_kept(runner_image: str, tmp_path: Path) -> None:
    client = docker.from_env()
    live_name = f"arena-test-live-{secrets.token_hex(4)}"
    container = client.containers.create(
        runner_image, ["sleep", "600"], name=live_name, labels={SANDBOX_LABEL: "1", "org.arena.test": "1"}
    )
    dead = OutputArea(tmp_path / "dead" / "output", f"arena-run-{secrets.token_hex(6)}", MB, 65534, 65534)
    live = OutputArea(tmp_path / "live" / "output", live_name, MB, 65534, 65534)
    try:
        for area in (dead, live):
            area.create()
            area.mount()
            (area.path / "left.bin").write_bytes(b"x" * 1000)
        remove_containers({"org.arena.worker": "nobody-" + secrets.token_hex(4)})
        points = area_mounts()
        assert dead.path not in points and not dead.path.exists()
        assert live.path in points and (live.path / "left.bin").exists()
    finally:
        live.release()
        dead.release()
        container.remove(force=True)
        client.close()
    assert live.path not in area_mounts() and not live.path.exists()


def test_a_worker_in_another_mount_namespace_falls_back_to_polling() -> None:
    # Its mounts would be invisible to the engine: the run would write, uncapped, underneath them.
    probe = "from sandbox.outputfs import hard_cap_supported; print(hard_cap_supported())"
    done = subprocess.run(
        ["unshare", "--mount", sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "False", done
    assert "another mount namespace" in done.stderr


SPARSE = """
import os, time
for i in range(24):
    with open(f"/output/sparse{i}.bin", "wb") as fh:
        fh.truncate(8 * 1024 * 1024)  # 8 MiB apparent size, no blocks
SLEEP
"""


def _apparent_bytes(folder: Path) -> int:
    return sum(path.lstat().st_size for path in folder.rglob("*"))


@pytest.mark.parametrize("ending", ["exit", "timeout"])
def test_sparse_files_count_by_apparent_size_on_every_outcome(
    run_code: RunCode, small_limits: Limits, tmp_path: Path, ending: str
) -> None:
    # 192 MiB of holes against a 4 MiB cap: the area's blocks stay nearly empty, a dense copy would not.
    sleep = "time.sleep(600)" if ending == "timeout" else ""
    limits = replace(small_limits, output_mb=4, fsize_mb=16, wall_seconds=4 if ending == "timeout" else 30)
    result = run_code(SPARSE.replace("SLEEP", sleep), limits=limits)
    assert result.outcome is Outcome.OUTPUT_TOO_LARGE, result
    out = tmp_path / "out0"
    assert _apparent_bytes(out) <= 4 * MB, _apparent_bytes(out)
    assert not list(out.iterdir())  # output over the cap is never kept
