"""What a sandboxed run is asked to do and what it answers: frozen, JSON-friendly values."""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

RUNTIMES: tuple[str, ...] = ("runc", "runsc")
"""Container runtimes a spec may ask for; `runsc` is gVisor."""

CODE_MOUNT = "/code"
DATA_MOUNT = "/data"
OUTPUT_MOUNT = "/output"
TMP_MOUNT = "/tmp"  # noqa: S108 - a path inside the container, backed by a private size-capped tmpfs

_GPU_ID = r"(\d+|(GPU|MIG)-[A-Za-z0-9:._/-]+)"
_GPU_DEVICES = re.compile(rf"^device={_GPU_ID}(,{_GPU_ID})*$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_LABEL_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,127}$")
MAX_ENV_ENTRIES = 64
MAX_ENV_BYTES = 16 * 1024


class Outcome(enum.StrEnum):
    """How a run ended; only `infrastructure_error` is the platform's fault."""

    OK = "ok"
    NONZERO_EXIT = "nonzero_exit"
    TIMEOUT = "timeout"
    OUT_OF_MEMORY = "out_of_memory"
    OUTPUT_TOO_LARGE = "output_too_large"
    INFRASTRUCTURE_ERROR = "infrastructure_error"

    @property
    def is_participant_failure(self) -> bool:
        """True when the run failed because of what the submitted code did."""
        return self not in (Outcome.OK, Outcome.INFRASTRUCTURE_ERROR)


@dataclass(frozen=True)
class Limits:
    """Resource caps for one run; every value must be positive."""

    wall_seconds: float = 600.0
    memory_mb: int = 2048
    cpus: float = 1.0
    pids: int = 256
    nofile: int = 1024
    fsize_mb: int = 1024
    tmpfs_mb: int = 256
    output_mb: int = 256
    log_bytes: int = 64 * 1024

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise ValueError(f"Limits.{f.name} must be a positive number, got {value!r}")
        if self.memory_mb < 8:
            raise ValueError("Limits.memory_mb must be at least 8")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Limits:
        """Rebuild limits from `asdict` output, ignoring unknown keys."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def check_gpus(gpus: str) -> str:
    """Return ``gpus`` if it names GPUs as a spec may ("", "all", a count or device=ids), else raise ValueError."""
    if isinstance(gpus, str) and (
        gpus in ("", "all") or (gpus.isdigit() and int(gpus) > 0) or _GPU_DEVICES.match(gpus)
    ):
        return gpus
    raise ValueError(f'GPUs must be "all", a positive count or device=<indexes or UUIDs>, got {gpus!r}')


@dataclass(frozen=True)
class RunSpec:
    """One container run: image, command, this run's own directories, env, limits and runtime."""

    image: str
    command: Sequence[str]
    code_dir: Path
    output_dir: Path
    input_dir: Path | None = None
    env: Mapping[str, str] = field(default_factory=dict)
    limits: Limits = field(default_factory=Limits)
    runtime: str = "runc"
    labels: Mapping[str, str] = field(default_factory=dict)
    # The host GPUs the container gets, as Docker's --gpus names them: "" none, "all", a count ("2"), or
    # indexes or UUIDs ("device=0,1", "device=GPU-…").
    gpus: str = ""

    def __post_init__(self) -> None:
        # Normalise to immutable, plain types so a spec can be shared between threads and serialised.
        if isinstance(self.command, str) or not self.command:
            raise ValueError("RunSpec.command must be a non-empty list of strings")
        command = tuple(self.command)
        if not all(isinstance(part, str) and "\x00" not in part for part in command):
            raise ValueError("RunSpec.command must contain only strings without NUL bytes")
        object.__setattr__(self, "command", command)
        object.__setattr__(self, "code_dir", Path(self.code_dir))
        object.__setattr__(self, "output_dir", Path(self.output_dir))
        if self.input_dir is not None:
            object.__setattr__(self, "input_dir", Path(self.input_dir))
        for name in ("code_dir", "output_dir", "input_dir"):
            value = getattr(self, name)
            if value is not None and not value.is_absolute():
                raise ValueError(f"RunSpec.{name} must be an absolute path, got {value}")
        env = dict(self.env)
        self._check_env(env)
        object.__setattr__(self, "env", env)
        labels = dict(self.labels)
        for key, value in labels.items():
            if not _LABEL_KEY.match(key) or not isinstance(value, str):
                raise ValueError(f"RunSpec.labels has an invalid entry {key!r}")
        object.__setattr__(self, "labels", labels)
        if self.runtime not in RUNTIMES:
            raise ValueError(f"RunSpec.runtime must be one of {RUNTIMES}, got {self.runtime!r}")
        if not self.image or not isinstance(self.image, str):
            raise ValueError("RunSpec.image must be a non-empty image reference")
        check_gpus(self.gpus)

    @staticmethod
    def _check_env(env: Mapping[str, str]) -> None:
        if len(env) > MAX_ENV_ENTRIES:
            raise ValueError(f"RunSpec.env may hold at most {MAX_ENV_ENTRIES} entries")
        size = 0
        for key, value in env.items():
            if not isinstance(key, str) or not _ENV_NAME.match(key):
                raise ValueError(f"RunSpec.env has an invalid variable name {key!r}")
            if not isinstance(value, str) or "\x00" in value:
                raise ValueError(f"RunSpec.env[{key!r}] must be a string without NUL bytes")
            size += len(key) + len(value)
        if size > MAX_ENV_BYTES:
            raise ValueError(f"RunSpec.env must stay under {MAX_ENV_BYTES} bytes")

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict (paths as strings)."""
        return {
            "image": self.image,
            "command": list(self.command),
            "code_dir": str(self.code_dir),
            "output_dir": str(self.output_dir),
            "input_dir": None if self.input_dir is None else str(self.input_dir),
            "env": dict(self.env),
            "limits": asdict(self.limits),
            "runtime": self.runtime,
            "labels": dict(self.labels),
            "gpus": self.gpus,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunSpec:
        """Rebuild a spec from `to_dict` output."""
        input_dir = data.get("input_dir")
        return cls(
            image=data["image"],
            command=list(data["command"]),
            code_dir=Path(data["code_dir"]),
            output_dir=Path(data["output_dir"]),
            input_dir=None if input_dir is None else Path(input_dir),
            env=dict(data.get("env") or {}),
            limits=Limits.from_dict(data.get("limits") or {}),
            runtime=data.get("runtime", "runc"),
            labels=dict(data.get("labels") or {}),
            gpus=str(data.get("gpus") or ""),
        )


@dataclass(frozen=True)
class RunResult:
    """What happened in one run; logs are already truncated to `Limits.log_bytes`."""

    outcome: Outcome
    exit_code: int | None
    duration_seconds: float
    peak_memory_bytes: int | None = None
    stdout: str = ""
    stderr: str = ""
    logs_truncated: bool = False
    output_bytes: int | None = None
    image_digest: str | None = None
    runtime: str = "runc"
    error: str | None = None

    @property
    def ok(self) -> bool:
        """True when the run finished with exit code 0 within every limit."""
        return self.outcome is Outcome.OK

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict."""
        data = asdict(self)
        data["outcome"] = self.outcome.value
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunResult:
        """Rebuild a result from `to_dict` output."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["outcome"] = Outcome(values["outcome"])
        return cls(**values)


@dataclass(frozen=True)
class ImageInfo:
    """A runner image as the engine knows it: the tag asked for and its content id."""

    tag: str
    digest: str
    built: bool = False
    method: str | None = None
    seconds: float | None = None
