"""The engine's arguments for one sandbox container: every lock the sandbox puts on a run, in one place."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import docker.types

from sandbox.containers import SANDBOX_LABEL
from sandbox.spec import CODE_MOUNT, DATA_MOUNT, OUTPUT_MOUNT, TMP_MOUNT, RunSpec

_MB = 1024 * 1024

RUNSC_HOST_THREADS_PER_PROCESS = 64
"""Host threads and stub processes gVisor may use per guest process (a 64-process fork bomb peaked at 2,925)."""
RUNSC_HOST_THREADS = 256
"""Host threads gVisor may use beyond those (its Go runtime, the gofer)."""


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


@dataclass(frozen=True)
class Sources:
    """The host paths a run's mounts come from (the spec's folders, or neutral twins of them)."""

    code: Path
    output: Path
    data: Path | None = None
    etc: Mapping[str, Path] = field(default_factory=dict)


def gpu_requests(gpus: str) -> list[docker.types.DeviceRequest]:
    """The engine's device requests for a spec's ``gpus``: none for "", else one request for GPUs (all, a count
    or the devices named after ``device=``)."""
    if not gpus:
        return []
    if gpus == "all":
        return [docker.types.DeviceRequest(count=-1, capabilities=[["gpu"]])]
    if gpus.isdigit():
        return [docker.types.DeviceRequest(count=int(gpus), capabilities=[["gpu"]])]
    return [docker.types.DeviceRequest(device_ids=gpus.removeprefix("device=").split(","), capabilities=[["gpu"]])]


def create_args(spec: RunSpec, name: str, user: str, sources: Sources) -> dict[str, Any]:
    """Keyword arguments for ``client.containers.create`` of this run's container."""
    limits = spec.limits
    mounts = [
        docker.types.Mount(CODE_MOUNT, str(sources.code), type="bind", read_only=True),
        docker.types.Mount(OUTPUT_MOUNT, str(sources.output), type="bind", read_only=False),
    ]
    if sources.data is not None:
        mounts.append(docker.types.Mount(DATA_MOUNT, str(sources.data), type="bind", read_only=True))
    # A mount at /etc/hostname, /etc/hosts or /etc/resolv.conf replaces the engine's own file, whose
    # source path names the container id.
    mounts.extend(
        docker.types.Mount(inside, str(path), type="bind", read_only=True) for inside, path in sources.etc.items()
    )
    memory = limits.memory_mb * _MB
    ulimits = [
        docker.types.Ulimit(name="nofile", soft=limits.nofile, hard=limits.nofile),
        docker.types.Ulimit(name="fsize", soft=limits.fsize_mb * _MB, hard=limits.fsize_mb * _MB),
        docker.types.Ulimit(name="core", soft=0, hard=0),
    ]
    pids = limits.pids
    if spec.runtime == "runsc":
        # The engine's pids cgroup counts gVisor's host threads and stub processes (tens per guest
        # process), not the guest's processes: at the guest's cap gVisor could not start a thread and the
        # whole sandbox died with exit 2, even after a clean exit of the main process. gVisor's kernel
        # enforces RLIMIT_NPROC per sandbox, so the guest's cap goes there and the cgroup keeps a bound on
        # the host side. (Under runc NPROC would count every run's uid-65534 processes on the host, so it
        # stays unset there.)
        ulimits.append(docker.types.Ulimit(name="nproc", soft=limits.pids, hard=limits.pids))
        pids = limits.pids * RUNSC_HOST_THREADS_PER_PROCESS + RUNSC_HOST_THREADS
    args: dict[str, Any] = {
        "image": spec.image,
        "command": list(spec.command),
        "name": name,
        "user": user,
        "working_dir": CODE_MOUNT,
        "environment": sandbox_environment(spec),
        "labels": {**spec.labels, SANDBOX_LABEL: "1"},
        "hostname": "sandbox",
        "network_mode": "none",
        "read_only": True,
        "tmpfs": {TMP_MOUNT: f"rw,nosuid,nodev,size={limits.tmpfs_mb}m,mode=1777"},
        "shm_size": min(64, limits.tmpfs_mb) * _MB,
        "ipc_mode": "private",
        # A private cgroup namespace: the run's cgroup paths read "/" instead of naming the container id.
        "cgroupns": "private",
        "cap_drop": ["ALL"],
        "security_opt": ["no-new-privileges"],
        "privileged": False,
        "pids_limit": pids,
        "mem_limit": memory,
        "memswap_limit": memory,
        "nano_cpus": int(limits.cpus * 1e9),
        "ulimits": ulimits,
        "mounts": mounts,
        "runtime": spec.runtime,
        "log_config": docker.types.LogConfig(type="none"),
        "stdin_open": False,
        "tty": False,
        "detach": True,
    }
    if spec.gpus:
        # Only the GPU devices and driver libraries the engine's GPU hook adds; every lock above stays.
        args["device_requests"] = gpu_requests(spec.gpus)
    return args
