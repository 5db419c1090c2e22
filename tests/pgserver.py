"""A private PostgreSQL server of a test's own, which the test stops and starts again at will.

The shared test database is never touched: the cluster lives in a temporary folder, listens on a free
port of 127.0.0.1 and trusts local connections. As root the cluster is run by the ``postgres`` account
(PostgreSQL refuses to run as root).
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from arena.localredis import free_port


def _bindir() -> Path | None:
    """Return the folder of PostgreSQL's server programs, or None when none is installed."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if candidates:
        return Path(candidates[-1]).parent
    found = shutil.which("pg_ctl")
    return Path(found).resolve().parent if found else None


class PostgresServer:
    """One PostgreSQL cluster in a temporary folder, with a database ``arena`` owned by ``arena``."""

    def __init__(self) -> None:
        bindir = _bindir()
        if bindir is None:
            raise RuntimeError("PostgreSQL's server programs are not installed (apt-get install postgresql)")
        self.bindir = bindir
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="arena-pg-"))
        self.data = self.folder / "data"
        self.url = f"postgresql+psycopg://arena@127.0.0.1:{self.port}/arena"

    def _run(self, *args: str) -> None:
        command = [str(self.bindir / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)  # noqa: S603

    def create(self) -> None:
        """Initialise the cluster, start it and create the ``arena`` database."""
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "arena", "--auth=trust", "-E", "UTF8", "--no-sync")
        self.start()
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "arena", "arena")

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.folder / "log"), "-w", "start")

    def stop(self) -> None:
        """Stop the server at once, cutting every connection (``-m fast``)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def wait_gone(self, seconds: float = 10) -> None:
        """Wait until the server answers no more on its port."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and (self.data / "postmaster.pid").exists():
            time.sleep(0.1)

    def close(self) -> None:
        """Stop the server if it runs and remove its folder."""
        if (self.data / "postmaster.pid").exists():
            try:
                self.stop()
            except subprocess.CalledProcessError:
                pass
        shutil.rmtree(self.folder, ignore_errors=True)
