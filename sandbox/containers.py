"""Sandbox containers found by label: killing and removing them, including what a dead worker left."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Mapping
from typing import Any

import docker
import docker.errors

from sandbox.engine import ENGINE_ERRORS, ClientFactory, connect
from sandbox.outputfs import release_stale_areas
from sandbox.staging import release_stale_stages

log = logging.getLogger(__name__)

SANDBOX_LABEL = "org.arena.sandbox"
"""Every container we start carries this label, so stale ones can be found and removed."""


def remove_containers(labels: Mapping[str, str], *, client_factory: ClientFactory | None = None) -> int:
    """Force-remove every sandbox container carrying all the given labels; return how many went."""
    selector = _selector(labels)
    client = (client_factory or connect)()
    removed = 0
    try:
        for container in client.containers.list(all=True, sparse=True, filters={"label": selector}):
            try:
                container.remove(force=True, v=True)
                removed += 1
            except docker.errors.NotFound:
                continue
        # Capped /output areas outlive a worker that died mid-run; free those whose container is gone.
        live = client.containers.list(all=True, sparse=True, filters={"label": _selector({})})
        names = [str(container.attrs.get("Names", [""])[0]) for container in live]
        release_stale_areas(names)
        release_stale_stages(names)
    finally:
        client.close()
    return removed


def kill_containers(labels: Mapping[str, str], *, client_factory: ClientFactory | None = None) -> int:
    """SIGKILL every running sandbox container carrying all the given labels; return how many."""
    selector = _selector(labels)
    client = (client_factory or connect)()
    killed = 0
    try:
        for container in client.containers.list(sparse=True, filters={"label": selector, "status": "running"}):
            try:
                container.kill()
                killed += 1
            except docker.errors.APIError:
                continue  # it ended or went away in the meantime
    finally:
        client.close()
    return killed


def _selector(labels: Mapping[str, str]) -> list[str]:
    """The engine's label filter for our sandbox containers that carry all of ``labels``."""
    return [f"{SANDBOX_LABEL}=1", *(f"{k}={v}" for k, v in labels.items())]


def kill_quietly(container: Any) -> None:
    """SIGKILL a container, ignoring engine errors (it may be gone already)."""
    with contextlib.suppress(*ENGINE_ERRORS):
        container.kill()


def remove_quietly(container: Any) -> None:
    """Force-remove a container; log (not raise) when the engine refuses."""
    try:
        container.remove(force=True, v=True)
    except docker.errors.NotFound:
        return
    except ENGINE_ERRORS as exc:
        log.warning("could not remove sandbox container %s: %s", getattr(container, "name", "?"), exc)
