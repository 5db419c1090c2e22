"""GPUs for gpu-class tracks: the sandbox spec and the container's create arguments (no GPU needed)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import docker.types
import pytest
from click.testing import CliRunner
from sqlalchemy.orm import Session

from arena.evaluation.coderuns import NO_GPUS, InfrastructureFailure, run_archive
from arena.models import Phase
from arena.settings import Settings
from arena.storage import BlobStore
from sandbox import Outcome, RunResult, RunSpec
from sandbox.container_config import Sources, create_args
from tests.factories import first_phase, make_challenge, zip_bytes
from web.cli import main

LIMITS = {"wall_seconds": 60, "memory_mb": 256, "pids": 64, "output_mb": 5}


class RecordingRunner:
    """A runner that records the spec it was given and writes valid predictions."""

    def __init__(self) -> None:
        self.specs: list[RunSpec] = []

    def run(self, spec: RunSpec) -> RunResult:
        self.specs.append(spec)
        ids = (Path(str(spec.input_dir)) / "ids.txt").read_text().split()
        (spec.output_dir / "predictions.csv").write_text("id,label\n" + "".join(f"{i},a\n" for i in ids))
        return RunResult(outcome=Outcome.OK, exit_code=0, duration_seconds=0.1)

    def kill(self, labels: Mapping[str, str]) -> int:
        return 0


def _phase(session: Session, store: BlobStore, root: Path, resource_class: str | None) -> Phase:
    runner: dict[str, Any] = {"limits": LIMITS}
    if resource_class:
        runner["resource_class"] = resource_class
    return first_phase(make_challenge(session, store, root, kind="code", runner=runner))


def _run(settings: Settings, store: BlobStore, phase: Phase, tmp_path: Path) -> RunSpec:
    archive = tmp_path / "code.zip"
    archive.write_bytes(zip_bytes({"main.py": "print('hi')\n"}))
    runner = RecordingRunner()
    output = run_archive(settings, store, phase, archive, runner, workdir=tmp_path / "work", labels={})  # type: ignore[arg-type]
    assert output.predictions.startswith(b"id,label\n")
    (spec,) = runner.specs
    return spec


def test_a_gpu_track_gets_the_workers_gpus_and_other_tracks_none(
    session: Session, settings: Settings, store: BlobStore, tmp_path: Path
) -> None:
    gpu_host = settings.with_overrides(sandbox_gpus="all")
    gpu_phase = _phase(session, store, tmp_path / "gpu", "gpu")
    assert _run(gpu_host, store, gpu_phase, tmp_path).gpus == "all"
    for resource_class in (None, "cpu", "large-memory"):
        phase = _phase(session, store, tmp_path / f"other-{resource_class}", resource_class)
        assert _run(gpu_host, store, phase, tmp_path).gpus == ""


def test_a_gpu_track_on_a_worker_without_gpus_fails_clearly(
    session: Session, settings: Settings, store: BlobStore, tmp_path: Path
) -> None:
    phase = _phase(session, store, tmp_path / "gpu", "gpu")
    with pytest.raises(InfrastructureFailure, match="ARENA_SANDBOX_GPUS") as caught:
        _run(settings, store, phase, tmp_path)
    assert str(caught.value) == NO_GPUS


def _args(tmp_path: Path, **spec: Any) -> dict[str, Any]:
    run = RunSpec(
        image="arena-runner:latest", command=["python", "main.py"], code_dir=tmp_path, output_dir=tmp_path, **spec
    )
    return create_args(run, "run-1", "65534:65534", Sources(code=tmp_path, output=tmp_path))


@pytest.mark.parametrize(
    ("gpus", "count", "ids"),
    [
        ("all", -1, None),
        ("2", 2, None),
        ("device=0,1", None, ["0", "1"]),
        ("device=GPU-3f2a-77", None, ["GPU-3f2a-77"]),
    ],
)
def test_the_container_asks_the_engine_for_gpus_and_keeps_every_lock(
    tmp_path: Path, gpus: str, count: int | None, ids: list[str] | None
) -> None:
    plain = _args(tmp_path)
    assert "device_requests" not in plain
    with_gpus = _args(tmp_path, gpus=gpus)
    (request,) = with_gpus.pop("device_requests")
    assert isinstance(request, docker.types.DeviceRequest)
    assert request["Capabilities"] == [["gpu"]]
    assert request.get("Count") == count if count is not None else request["DeviceIDs"] == ids
    assert with_gpus == plain  # the same hardening: no capability, privilege, network or mount more


@pytest.mark.parametrize("gpus", ["0", "-1", "all,0", "0,1", "device=", "device=0,,1", "device=zero", "a b"])
def test_bad_gpu_values_are_refused(tmp_path: Path, gpus: str) -> None:
    with pytest.raises(ValueError, match="GPUs must be"):
        _args(tmp_path, gpus=gpus)


def test_the_spec_keeps_its_gpus_through_json(tmp_path: Path) -> None:
    spec = RunSpec(image="x", command=["python"], code_dir=tmp_path, output_dir=tmp_path, gpus="device=0,1")
    assert RunSpec.from_dict(spec.to_dict()) == spec


def test_a_gpu_worker_without_gpus_refuses_to_start(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in settings.with_overrides(worker_classes="cpu,gpu").to_env().items():
        monkeypatch.setenv(key, value)
    result = CliRunner().invoke(main, ["worker", "--burst"])
    assert result.exit_code == 2 and "ARENA_SANDBOX_GPUS is not set" in result.output
    monkeypatch.setenv("ARENA_SANDBOX_GPUS", "zero")
    monkeypatch.setenv("ARENA_WORKER_CLASSES", "cpu")
    result = CliRunner().invoke(main, ["worker", "--burst"])
    assert result.exit_code == 2 and "ARENA_SANDBOX_GPUS: GPUs must be" in result.output
