"""Running one untrusted command in a locked-down container and reporting how it ended."""

from __future__ import annotations

import contextlib
import logging
import math
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, cast

import docker
import docker.errors
import docker.types
import requests.exceptions
from docker.utils.socket import frames_iter

from sandbox.containers import SANDBOX_LABEL, kill_containers, kill_quietly, remove_containers, remove_quietly
from sandbox.engine import ENGINE_ERRORS, ClientFactory, connect
from sandbox.logs import BoundedLog, pump
from sandbox.output import OutputWatch, measure_tree, prepare_output_dir
from sandbox.outputfs import OutputArea, hard_cap_supported
from sandbox.spec import CODE_MOUNT, DATA_MOUNT, OUTPUT_MOUNT, TMP_MOUNT, Outcome, RunResult, RunSpec

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


@dataclass
class _Watch:
    """Mutable bookkeeping for one run, shared with its helper threads."""

    stdout: BoundedLog
    stderr: BoundedLog
    peak_memory: int | None = None
    done: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)


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
        try:
            return self._create_and_drive(client, spec, name, area, digest, started)
        finally:
            if area is not None:
                _release_quietly(area)

    def _create_and_drive(
        self,
        client: docker.DockerClient,
        spec: RunSpec,
        name: str,
        area: OutputArea | None,
        digest: str,
        started: float,
    ) -> RunResult:
        try:
            container = client.containers.create(**self._create_args(spec, name, _mounted_output(spec, area)))
        except ENGINE_ERRORS as exc:
            return _infrastructure(spec, started, f"container create failed: {exc}", digest)
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
        watch = _Watch(stdout=BoundedLog(limits.log_bytes), stderr=BoundedLog(limits.log_bytes))
        try:
            # Attach before start so no output is lost; the engine keeps no log file (driver "none").
            attached = _AttachedStream(client, container.id)
        except ENGINE_ERRORS as exc:
            return _infrastructure(spec, started, f"cannot attach to the container: {exc}", digest)
        try:
            return self._drive_attached(run, watch, attached)
        finally:
            attached.close()

    def _drive_attached(self, run: _Run, watch: _Watch, attached: _AttachedStream) -> RunResult:
        client, container, spec, digest, started = run.client, run.container, run.spec, run.digest, run.started
        area = run.area
        limits = spec.limits
        cap = limits.output_mb * _MB
        self._spawn(watch, "logs", pump, frames_iter(attached.sock, tty=False), watch.stdout, watch.stderr)
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
        self._spawn(watch, "stats", _track_memory, client, container.id, watch, max(self._output_poll, 0.5))
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
        for thread in watch.threads:
            thread.join(timeout=5.0)

        exit_code = state.get("ExitCode", status)
        output_bytes = measure_tree(run.output_dir)
        # A capped area never holds more than the cap; being full is how it says the run went past it.
        full = area is not None and area.usage() > cap
        if timed_out:
            outcome = Outcome.TIMEOUT
        elif state.get("OOMKilled") or _looks_oom_killed(exit_code, watch.peak_memory, limits.memory_mb * _MB):
            outcome = Outcome.OUT_OF_MEMORY
        elif output_watch.exceeded or full or output_bytes > cap:
            outcome = Outcome.OUTPUT_TOO_LARGE
        elif exit_code == 0:
            outcome = Outcome.OK
        else:
            outcome = Outcome.NONZERO_EXIT
        if area is not None and outcome is not Outcome.OUTPUT_TOO_LARGE:
            try:
                area.copy_to(spec.output_dir)
            except OSError as exc:
                return _infrastructure(spec, started, f"cannot copy the run's output: {exc}", digest)
        return self._result(spec, watch, outcome, exit_code, run_started, digest, output_bytes, duration)

    def _create_args(self, spec: RunSpec, name: str, output_source: Path) -> dict[str, Any]:
        limits = spec.limits
        mounts = [
            docker.types.Mount(CODE_MOUNT, str(spec.code_dir), type="bind", read_only=True),
            docker.types.Mount(OUTPUT_MOUNT, str(output_source), type="bind", read_only=False),
        ]
        if spec.input_dir is not None:
            mounts.append(docker.types.Mount(DATA_MOUNT, str(spec.input_dir), type="bind", read_only=True))
        memory = limits.memory_mb * _MB
        return {
            "image": spec.image,
            "command": list(spec.command),
            "name": name,
            "user": self._user,
            "working_dir": CODE_MOUNT,
            "environment": sandbox_environment(spec),
            "labels": {**spec.labels, SANDBOX_LABEL: "1"},
            "hostname": "sandbox",
            "network_mode": "none",
            "read_only": True,
            "tmpfs": {TMP_MOUNT: f"rw,nosuid,nodev,size={limits.tmpfs_mb}m,mode=1777"},
            "shm_size": min(64, limits.tmpfs_mb) * _MB,
            "ipc_mode": "private",
            "cap_drop": ["ALL"],
            "security_opt": ["no-new-privileges"],
            "privileged": False,
            "pids_limit": limits.pids,
            "mem_limit": memory,
            "memswap_limit": memory,
            "nano_cpus": int(limits.cpus * 1e9),
            "ulimits": [
                docker.types.Ulimit(name="nofile", soft=limits.nofile, hard=limits.nofile),
                docker.types.Ulimit(name="fsize", soft=limits.fsize_mb * _MB, hard=limits.fsize_mb * _MB),
                docker.types.Ulimit(name="core", soft=0, hard=0),
            ],
            "mounts": mounts,
            "runtime": spec.runtime,
            "log_config": docker.types.LogConfig(type="none"),
            "stdin_open": False,
            "tty": False,
            "detach": True,
        }

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
    def _spawn(watch: _Watch, role: str, target: Any, *args: Any) -> None:
        thread = threading.Thread(target=_swallow, args=(target, *args), name=f"sandbox-{role}", daemon=True)
        thread.start()
        watch.threads.append(thread)

    @staticmethod
    def _result(
        spec: RunSpec,
        watch: _Watch,
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


def sandbox_environment(spec: RunSpec) -> dict[str, str]:
    """Return the container's environment: fixed defaults, then the spec's own, then the mount names."""
    threads = str(max(1, math.floor(spec.limits.cpus)))
    env = {
        "HOME": TMP_MOUNT,
        "LANG": "C.UTF-8",
        "PYTHONUNBUFFERED": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "OMP_NUM_THREADS": threads,
        "OPENBLAS_NUM_THREADS": threads,
        "MKL_NUM_THREADS": threads,
    }
    env.update(spec.env)
    env["ARENA_INPUT"] = DATA_MOUNT
    env["ARENA_OUTPUT"] = OUTPUT_MOUNT
    return env


def _looks_oom_killed(exit_code: object, peak_memory: int | None, limit: int) -> bool:
    # The engine can miss the cgroup's OOM event under load; SIGKILL at the memory ceiling is the same thing.
    return exit_code == 137 and peak_memory is not None and peak_memory >= 0.9 * limit


def _track_memory(client: docker.DockerClient, container_id: str, watch: _Watch, interval: float) -> None:
    # One-shot samples: the cgroup v1 high-water mark (max_usage) makes a late sample enough.
    while not watch.done.is_set():
        try:
            sample = cast(dict[str, Any], client.api.stats(container_id, stream=False, one_shot=True))
        except ENGINE_ERRORS:
            return
        memory = sample.get("memory_stats") or {}
        value = memory.get("max_usage") or memory.get("usage")
        if isinstance(value, int) and value > 0:
            watch.peak_memory = max(watch.peak_memory or 0, value)
        watch.done.wait(interval)


class _AttachedStream:
    """The container's multiplexed stdout/stderr socket, attached before start and closed without leaks."""

    def __init__(self, client: docker.DockerClient, container_id: str) -> None:
        api = client.api
        # The public attach helpers hide the HTTP response, which then can never be closed cleanly.
        self._response = api._post(
            api._url("/containers/{0}/attach", container_id),
            params={"stdout": 1, "stderr": 1, "stream": 1},
            stream=True,
            headers={"Connection": "Upgrade", "Upgrade": "tcp"},
        )
        api._raise_for_status(self._response)
        self.sock = api._get_raw_response_socket(self._response)
        self._raw = getattr(self.sock, "_sock", None)

    def close(self) -> None:
        """Close the HTTP response and the socket under it."""
        with contextlib.suppress(Exception):
            self._response.close()
        if self._raw is not None:
            with contextlib.suppress(OSError):
                self._raw.close()


def _swallow(target: Any, *args: Any) -> None:
    # Helper threads end when the container goes away; their errors must not mask the run's outcome.
    with contextlib.suppress(Exception):
        target(*args)


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
