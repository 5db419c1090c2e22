"""Running one untrusted command in a locked-down container and reporting how it ended."""

from __future__ import annotations

import logging
import math
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, cast

import docker
import docker.errors
import docker.types
import requests.exceptions
from docker.utils.socket import frames_iter

from sandbox.container_config import Sources, create_args
from sandbox.containers import kill_containers, kill_quietly, remove_containers, remove_quietly
from sandbox.copyout import collect_output
from sandbox.engine import ENGINE_ERRORS, ClientFactory, connect
from sandbox.logs import BoundedLog, pump
from sandbox.monitor import AttachedStream, RunWatch, track_memory
from sandbox.output import OutputWatch, measure_tree, prepare_output_dir
from sandbox.outputfs import OutputArea, hard_cap_supported
from sandbox.spec import Outcome, RunResult, RunSpec
from sandbox.staging import Stage

log = logging.getLogger(__name__)

NOBODY = "65534:65534"
_MB = 1024 * 1024
_START_NOT_FOUND = ("executable file not found", "no such file or directory", "permission denied")


class Runner(Protocol):
    """Runs a spec to completion; never raises for what the code inside does."""

    def run(self, spec: RunSpec) -> RunResult:
        """Run the spec, blocking until it ends, and describe the outcome."""
        ...

    def kill(self, labels: Mapping[str, str]) -> int:
        """Kill and remove every running container carrying all these labels; return how many."""
        ...


@dataclass(frozen=True)
class _Run:
    """What the steps of driving one run share: the engine, the container, the spec and where /output is."""

    client: docker.DockerClient
    container: Any
    spec: RunSpec
    digest: str
    started: float
    area: OutputArea | None

    @property
    def output_dir(self) -> Path:
        """The host folder mounted as the run's /output."""
        return _mounted_output(self.spec, self.area)

    def output_usage(self, cap: int) -> int:
        """Bytes the run holds under /output (counting stops past ``cap``); a full area reads as over it."""
        return self.area.usage() if self.area is not None else measure_tree(self.spec.output_dir, stop_after=cap)


class DockerRunner:
    """Runner on a Docker engine: one fresh, locked-down container per run; safe to share between threads."""

    def __init__(
        self,
        client_factory: ClientFactory | None = None,
        *,
        user: str = NOBODY,
        kill_grace_seconds: float = 10.0,
        output_poll_seconds: float = 0.1,
        name_prefix: str = "arena-run-",
        hard_output_cap: bool | None = None,
    ) -> None:
        self._client_factory = client_factory or connect
        self._user = user
        self._kill_grace = kill_grace_seconds
        self._output_poll = output_poll_seconds
        self._name_prefix = name_prefix
        # None: mount a capped tmpfs for /output whenever this process may (root on the worker).
        self._hard_output_cap = hard_output_cap

    # -- public API ------------------------------------------------------------------------------

    def run(self, spec: RunSpec) -> RunResult:
        """Run the spec in a new container, blocking until it exits or hits a limit."""
        started = time.monotonic()
        try:
            client = self._client_factory()
        except ENGINE_ERRORS as exc:
            return _infrastructure(spec, started, f"Docker engine unreachable: {exc}")
        try:
            return self._run_with(client, spec, started)
        except ENGINE_ERRORS as exc:
            return _infrastructure(spec, started, f"Docker engine error during the run: {exc}")
        finally:
            client.close()

    def kill(self, labels: Mapping[str, str]) -> int:
        """SIGKILL every running sandbox container carrying all these labels; its run() then cleans up."""
        return kill_containers(labels, client_factory=self._client_factory)

    def cleanup_stale(self, labels: Mapping[str, str] | None = None) -> int:
        """Remove leftover sandbox containers matching the labels (all of ours when None)."""
        return remove_containers(labels or {}, client_factory=self._client_factory)

    # -- one run -----------------------------------------------------------------------------------

    def _run_with(self, client: docker.DockerClient, spec: RunSpec, started: float) -> RunResult:
        try:
            image = client.images.get(spec.image)
        except docker.errors.ImageNotFound:
            message = f"runner image {spec.image!r} is not present on this engine"
            return _infrastructure(spec, started, message)
        except ENGINE_ERRORS as exc:
            return _infrastructure(spec, started, f"Docker engine error looking up the image: {exc}")
        digest = str(image.id)
        name = f"{self._name_prefix}{uuid.uuid4().hex[:20]}"
        area: OutputArea | None = None
        try:
            uid, gid = _parse_user(self._user)
            prepare_output_dir(spec.output_dir, uid, gid)
            if self._hard_output_cap is True or (self._hard_output_cap is None and hard_cap_supported()):
                area = OutputArea(spec.output_dir, name, spec.limits.output_mb * _MB, uid, gid)
                area.create()
        except OSError as exc:
            return _infrastructure(spec, started, f"cannot prepare the output directory: {exc}", digest)
        stage = Stage(name)
        try:
            return self._create_and_drive(client, spec, name, area, stage, digest, started)
        finally:
            stage.release()
            if area is not None:
                _release_quietly(area)

    def _create_and_drive(
        self,
        client: docker.DockerClient,
        spec: RunSpec,
        name: str,
        area: OutputArea | None,
        stage: Stage,
        digest: str,
        started: float,
    ) -> RunResult:
        code = stage.place(spec.code_dir, "code")
        data = None if spec.input_dir is None else stage.place(spec.input_dir, "data")
        sources = Sources(code=code, output=_mounted_output(spec, area), data=data, etc=stage.etc_files(code))
        try:
            container = client.containers.create(**create_args(spec, name, self._user, sources))
        except ENGINE_ERRORS as exc:
            return _infrastructure(spec, started, f"container create failed: {exc}", digest)
        stage.claim()
        run = _Run(client, container, spec, digest, started, area)
        try:
            if area is not None:
                # Mounted only now that the container exists, so a cleanup never takes it for a dead run's.
                try:
                    area.mount()
                except OSError as exc:
                    return _infrastructure(spec, started, f"cannot mount the capped output area: {exc}", digest)
            return self._drive(run)
        finally:
            remove_quietly(container)

    def _drive(self, run: _Run) -> RunResult:
        client, container, spec, digest, started = run.client, run.container, run.spec, run.digest, run.started
        limits = spec.limits
        watch = RunWatch(stdout=BoundedLog(limits.log_bytes), stderr=BoundedLog(limits.log_bytes))
        try:
            # Attach before start so no output is lost; the engine keeps no log file (driver "none").
            attached = AttachedStream(client, container.id)
        except ENGINE_ERRORS as exc:
            return _infrastructure(spec, started, f"cannot attach to the container: {exc}", digest)
        try:
            return self._drive_attached(run, watch, attached)
        finally:
            attached.close()

    def _drive_attached(self, run: _Run, watch: RunWatch, attached: AttachedStream) -> RunResult:
        client, container, spec, digest, started = run.client, run.container, run.spec, run.digest, run.started
        area = run.area
        limits = spec.limits
        cap = limits.output_mb * _MB
        watch.spawn("logs", pump, frames_iter(attached.sock, tty=False), watch.stdout, watch.stderr)
        output_watch = OutputWatch(lambda: run.output_usage(cap), cap, self._output_poll, container.kill)
        try:
            container.start()
        except docker.errors.APIError as exc:
            message = str(exc.explanation or exc)
            if any(marker in message for marker in _START_NOT_FOUND):
                # The command itself could not be executed: the submission's fault, not ours.
                note = f"sandbox: cannot start the command {list(spec.command)}: {message}\n"
                watch.stderr.feed(note.encode())
                return self._result(spec, watch, Outcome.NONZERO_EXIT, 127, started, digest, None)
            return _infrastructure(spec, started, f"container start failed: {message}", digest)
        except ENGINE_ERRORS as exc:
            return _infrastructure(spec, started, f"container start failed: {exc}", digest)
        run_started = time.monotonic()
        # Memory samples cost an engine call each, so they stay coarser than the cheap output polling.
        watch.spawn("stats", track_memory, client, container.id, watch, max(self._output_poll, 0.5), awaited=False)
        output_watch.start()

        timed_out = False
        try:
            status = self._wait(client, container.id, limits.wall_seconds)
            if status is None:
                timed_out = True
                kill_quietly(container)
                status = self._wait(client, container.id, self._kill_grace)
            duration = time.monotonic() - run_started
        finally:
            output_watch.stop()
            watch.done.set()
        try:
            state = cast(dict[str, Any], client.api.inspect_container(container.id)).get("State", {})
        except docker.errors.NotFound:
            state = {}  # removed from outside (cleanup_stale); the wait status still says how it ended
        except ENGINE_ERRORS as exc:
            return _infrastructure(spec, started, f"cannot inspect the finished container: {exc}", digest)
        watch.join()

        exit_code = state.get("ExitCode", status)
        full = output_watch.exceeded or (area is not None and area.usage() > cap)
        try:
            collected = collect_output(run.output_dir, spec.output_dir, cap, copy=area is not None, full=full)
        except OSError as exc:
            return _infrastructure(spec, started, f"cannot copy the run's output: {exc}", digest)
        watch.stderr.feed(collected.notes.encode())
        output_bytes = collected.output_bytes
        # The output cap is checked first: it must hold whatever else the run did (timeout, OOM).
        if collected.over_cap:
            outcome = Outcome.OUTPUT_TOO_LARGE
        elif timed_out:
            outcome = Outcome.TIMEOUT
        elif state.get("OOMKilled") or _looks_oom_killed(exit_code, watch.peak_memory, limits.memory_mb * _MB):
            outcome = Outcome.OUT_OF_MEMORY
        elif exit_code == 0:
            outcome = Outcome.OK
        else:
            outcome = Outcome.NONZERO_EXIT
        return self._result(spec, watch, outcome, exit_code, run_started, digest, output_bytes, duration)

    def _wait(self, client: docker.DockerClient, container_id: str, seconds: float) -> int | None:
        """Block until the container exits; None when it is still running after `seconds`."""
        deadline = time.monotonic() + seconds
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            try:
                reply = client.api.wait(container_id, timeout=max(1, math.ceil(remaining)))
                answer = cast(dict[str, Any], reply)
                return int(answer.get("StatusCode", -1))
            except (requests.exceptions.ReadTimeout, requests.exceptions.ConnectionError):
                state = cast(dict[str, Any], client.api.inspect_container(container_id)).get("State", {})
                if not state.get("Running"):
                    return int(state.get("ExitCode", -1))

    @staticmethod
    def _result(
        spec: RunSpec,
        watch: RunWatch,
        outcome: Outcome,
        exit_code: int | None,
        started: float,
        digest: str,
        output_bytes: int | None,
        duration: float | None = None,
    ) -> RunResult:
        return RunResult(
            outcome=outcome,
            exit_code=exit_code,
            duration_seconds=round(duration if duration is not None else time.monotonic() - started, 3),
            peak_memory_bytes=watch.peak_memory,
            stdout=watch.stdout.text(),
            stderr=watch.stderr.text(),
            logs_truncated=watch.stdout.truncated or watch.stderr.truncated,
            output_bytes=output_bytes,
            image_digest=digest,
            runtime=spec.runtime,
        )


def _looks_oom_killed(exit_code: object, peak_memory: int | None, limit: int) -> bool:
    # The engine can miss the cgroup's OOM event under load; SIGKILL at the memory ceiling is the same thing.
    return exit_code == 137 and peak_memory is not None and peak_memory >= 0.9 * limit


def _mounted_output(spec: RunSpec, area: OutputArea | None) -> Path:
    """The host folder the run sees as /output: its capped area when there is one, else the spec's folder."""
    return area.path if area is not None else spec.output_dir


def _release_quietly(area: OutputArea) -> None:
    try:
        area.release()
    except OSError as exc:
        # The worker's sweep (remove_containers) tries again once the container is gone.
        log.warning("could not release the output area %s: %s", area.path, exc)


def _parse_user(user: str) -> tuple[int, int]:
    uid, _, gid = user.partition(":")
    return int(uid), int(gid or uid)


def _infrastructure(spec: RunSpec, started: float, message: str, digest: str | None = None) -> RunResult:
    log.error("sandbox infrastructure error: %s", message)
    return RunResult(
        outcome=Outcome.INFRASTRUCTURE_ERROR,
        exit_code=None,
        duration_seconds=round(time.monotonic() - started, 3),
        image_digest=digest,
        runtime=spec.runtime,
        error=message,
    )
