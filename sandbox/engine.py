"""The Docker engine as seen from this process: connection, availability, runtimes, image ids."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import docker
import docker.errors
import requests.exceptions

ClientFactory = Callable[[], docker.DockerClient]

ENGINE_ERRORS: tuple[type[BaseException], ...] = (
    docker.errors.DockerException,
    requests.exceptions.RequestException,
    ConnectionError,
    OSError,
)
"""Exceptions that mean the engine itself misbehaved (not the code we ran)."""


def connect(timeout: float = 60.0) -> docker.DockerClient:
    """Open a client to the engine named by DOCKER_HOST (or the local socket), API version negotiated."""
    client = docker.from_env(timeout=int(timeout))
    # The engine is never reached through an HTTP proxy; without this every engine call would scan the
    # environment for proxy settings (a large share of a worker's CPU time on short runs).
    client.api.trust_env = False
    return client


def docker_available(client_factory: ClientFactory | None = None) -> bool:
    """Return True when a Docker engine answers a ping."""
    try:
        client = (client_factory or _quick_client)()
        try:
            return bool(client.ping())
        finally:
            client.close()
    except ENGINE_ERRORS:
        return False


def runtimes(client_factory: ClientFactory | None = None) -> set[str]:
    """Return the container runtimes the engine has registered (e.g. {'runc', 'runsc'})."""
    try:
        client = (client_factory or _quick_client)()
        try:
            info = cast(dict[str, Any], client.info())
        finally:
            client.close()
    except ENGINE_ERRORS:
        return set()
    return set((info.get("Runtimes") or {}).keys())


def image_digest(image: str, client: docker.DockerClient | None = None) -> str | None:
    """Return the image's content id (`sha256:…`), or None when the engine does not have it."""
    own = client is None
    active = client or _quick_client()
    try:
        return str(active.images.get(image).id)
    except docker.errors.ImageNotFound:
        return None
    finally:
        if own:
            active.close()


def _quick_client() -> docker.DockerClient:
    return connect(timeout=10.0)
