"""Starting a private ``redis-server`` on this machine, for the demo, the tests and the benchmarks."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from redis import Redis
from redis.exceptions import RedisError

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


class RedisStartError(Exception):
    """A local Redis could not be started; the message says why."""


def redis_answers(url: str) -> bool:
    """Whether a Redis server answers PING at ``url``."""
    try:
        return bool(Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping())
    except (RedisError, OSError):
        return False


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stop(process: subprocess.Popen[bytes] | None, timeout: float = 10.0) -> None:
    """Terminate a process we started, killing it if it does not stop in time."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout)


def start_redis(url: str, data_dir: Path | None = None, timeout: float = 10.0) -> subprocess.Popen[bytes]:
    """Start a throw-away ``redis-server`` (no persistence) for a local ``url`` and wait until it answers."""
    parts = urlsplit(url)
    if (parts.hostname or "127.0.0.1") not in LOCAL_HOSTS:
        raise RedisStartError(f"no Redis answers at {url}, and it is not a local address to start one on")
    binary = shutil.which("redis-server")
    if binary is None:
        raise RedisStartError(f"no Redis answers at {url} and redis-server is not installed")
    command = [binary, "--port", str(parts.port or 6379), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    if data_dir is not None:
        data_dir.mkdir(parents=True, exist_ok=True)
        command += ["--dir", str(data_dir.absolute())]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if redis_answers(url):
            return process
        if process.poll() is not None:
            raise RedisStartError(f"redis-server exited with status {process.returncode}")
        time.sleep(0.05)
    stop(process)
    raise RedisStartError(f"redis-server did not answer at {url} within {timeout:g} s")


@contextmanager
def private_redis() -> Iterator[str]:
    """Run a private Redis on a free port for the duration of the block; yield its URL."""
    url = f"redis://127.0.0.1:{free_port()}/0"
    process = start_redis(url)
    try:
        yield url
    finally:
        stop(process)
