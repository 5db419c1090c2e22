"""Fixtures for sandbox tests: a real Docker engine, the runner image, and each registered runtime."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from sandbox import DockerRunner, Limits, RunResult, RunSpec, docker_available, runtimes
from sandbox.builder import DEFAULT_TAG, build_runner_image

SMALL = Limits(
    wall_seconds=30,
    memory_mb=256,
    cpus=1.0,
    pids=64,
    nofile=256,
    fsize_mb=16,
    tmpfs_mb=16,
    output_mb=32,
    log_bytes=16 * 1024,
)

RunCode = Callable[..., RunResult]


@pytest.fixture(scope="session")
def small_limits() -> Limits:
    """Small limits that keep each sandbox test quick."""
    return SMALL


@pytest.fixture(scope="session")
def docker_engine() -> None:
    """Skip (or fail, with ARENA_REQUIRE_DOCKER=1) when no Docker engine answers."""
    if docker_available():
        return
    message = "no Docker engine answers (run sandbox/images/setup-docker-host.sh)"
    if os.environ.get("ARENA_REQUIRE_DOCKER") == "1":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def runner_image(docker_engine: None) -> str:
    """The runner image tag, built once per session when the engine lacks it."""
    tag = os.environ.get("ARENA_RUNNER_IMAGE", DEFAULT_TAG)
    build_runner_image(tag, log=lambda line: None)
    return tag


@pytest.fixture(scope="session", params=["runc", "runsc"])
def runtime(request: pytest.FixtureRequest, docker_engine: None) -> str:
    """Each runtime the engine has registered; runsc is skipped when gVisor is not set up."""
    name = str(request.param)
    if name not in runtimes():
        if name == "runsc" and os.environ.get("ARENA_REQUIRE_RUNSC") == "1":
            pytest.fail("runsc is not registered with the Docker engine", pytrace=False)
        pytest.skip(f"{name} is not registered with the Docker engine")
    return name


@pytest.fixture(scope="session")
def runner() -> DockerRunner:
    """A runner with a short kill grace so timeout tests stay fast."""
    return DockerRunner(kill_grace_seconds=5.0, output_poll_seconds=0.2)


@pytest.fixture
def run_code(tmp_path: Path, runner: DockerRunner, runner_image: str, runtime: str) -> RunCode:
    """Run a Python snippet as /code/main.py under the current runtime and return the result."""
    counter = iter(range(1000))

    def run(
        code: str,
        *,
        limits: Limits = SMALL,
        env: Mapping[str, str] | None = None,
        input_dir: Path | None = None,
        labels: Mapping[str, str] | None = None,
        files: Mapping[str, str] | None = None,
        command: list[str] | None = None,
    ) -> RunResult:
        index = next(counter)
        code_dir = tmp_path / f"code{index}"
        code_dir.mkdir()
        code_dir.chmod(0o755)
        (code_dir / "main.py").write_text(code)
        for name, text in (files or {}).items():
            (code_dir / name).write_text(text)
        spec = RunSpec(
            image=runner_image,
            command=command or ["python", "main.py"],
            code_dir=code_dir,
            output_dir=tmp_path / f"out{index}",
            input_dir=input_dir,
            env=dict(env or {}),
            limits=limits,
            runtime=runtime,
            labels=dict(labels or {"org.arena.test": "1"}),
        )
        return runner.run(spec)

    return run
