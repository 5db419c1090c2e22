"""Choosing the sandbox runner a worker uses."""

from __future__ import annotations

import functools
from typing import Any

from arena.enums import ResourceClass
from arena.evaluation.dispatch import runner_class
from arena.settings import Settings
from sandbox import DockerRunner, Runner


@functools.cache
def _docker_runner() -> DockerRunner:
    return DockerRunner()


def runner_for(settings: Settings) -> Runner:
    """Return the runner for code tracks (the Docker runner; it reports an unreachable engine per run)."""
    return _docker_runner()


def container_labels(settings: Settings, submission_id: int) -> dict[str, str]:
    """Labels that tie a sandbox container to this deployment's submission (for cleanup after a crash)."""
    return {"arena.instance": settings.queue_name, "arena.submission": str(submission_id)}


def gpus_for(settings: Settings, runner: dict[str, Any] | None) -> str | None:
    """The GPUs a track's runs get on this worker: ARENA_SANDBOX_GPUS for a gpu-class track, none for another.

    None: the track needs GPUs and this worker has none configured.
    """
    if runner_class(runner) != ResourceClass.GPU.value:
        return ""
    return settings.sandbox_gpus or None
