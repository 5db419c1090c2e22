"""Sandbox overhead: DockerRunner.run versus a plain `docker run --rm` of the same command, same process.

Prints medians and the ratio per runtime. Usage: python bench/sandbox_overhead.py [--repeat 7] [--image TAG]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from sandbox import DockerRunner, Limits, RunSpec, runtimes

COMMAND = ["python", "-c", "import numpy; print(numpy.ones(3).sum())"]


def plain_docker(image: str, runtime: str) -> float:
    """Time a bare `docker run --rm` with no hardening."""
    started = time.perf_counter()
    subprocess.run(
        ["docker", "run", "--rm", f"--runtime={runtime}", image, *COMMAND],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def sandboxed(runner: DockerRunner, image: str, runtime: str, workdir: Path, index: int) -> float:
    """Time a full DockerRunner.run (create, attach, start, wait, inspect, measure, remove)."""
    code = workdir / "code"
    code.mkdir(exist_ok=True)
    spec = RunSpec(
        image=image,
        command=COMMAND,
        code_dir=code,
        output_dir=workdir / f"out{runtime}{index}",
        limits=Limits(wall_seconds=120, memory_mb=512),
        runtime=runtime,
    )
    started = time.perf_counter()
    result = runner.run(spec)
    elapsed = time.perf_counter() - started
    if not result.ok:
        raise SystemExit(f"sandboxed run failed: {result}")
    return elapsed


def main() -> None:
    """Run the comparison and print one line per runtime."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--image", default="arena-runner:latest")
    args = parser.parse_args()
    runner = DockerRunner()
    available = runtimes()
    with tempfile.TemporaryDirectory() as tmp:
        for runtime in ("runc", "runsc"):
            if runtime not in available:
                print(f"{runtime}: not registered, skipped")
                continue
            plain_docker(args.image, runtime)  # warm the page cache
            plain, boxed = [], []
            for index in range(args.repeat):
                # Interleave so drift on a shared machine hits both sides alike.
                plain.append(plain_docker(args.image, runtime))
                boxed.append(sandboxed(runner, args.image, runtime, Path(tmp), index))
            p, b = statistics.median(plain), statistics.median(boxed)
            print(f"{runtime}: docker run median {p:.3f}s, DockerRunner.run median {b:.3f}s, ratio {b / p:.2f}")


if __name__ == "__main__":
    main()
