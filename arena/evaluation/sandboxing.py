"""Choosing the sandbox runner a worker uses."""

from __future__ import annotations

import functools

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
