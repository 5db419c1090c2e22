"""Refusals of a large upload reach the client whole from the production server (granian), not as a broken pipe.

The server refuses an upload by its ``Content-Length`` (size) or before reading it (quota) while the client is
still sending; the client must still print the server's message, whichever server answers.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.client.conftest import REPO, Server
from tests.client.test_client import logged_in


@pytest.fixture
def granian_url(server: Server) -> Iterator[str]:
    """`arena serve --workers 1` (granian) on the test server's database and data folder."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "arena"), "serve", "--workers", "1", "--port", str(port)],
        env={**os.environ, **server.env},
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(150):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("arena serve did not start listening")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_a_large_refused_upload_gets_the_servers_message(server: Server, tmp_path: Path, granian_url: str) -> None:
    who = logged_in(server, tmp_path, "gary", team="Geese")
    big = tmp_path / "big.csv"
    big.write_bytes(b"id,label\n" + b"1,1\n" * (30 * 1024 * 1024 // 4))
    too_big = who.cli("--url", granian_url, "submit", server.phase_path, str(big))
    assert too_big.code == 1
    assert "refused (413 file_too_large)" in too_big.err and "limit of 5 MB" in too_big.err
    server.set_phase(daily_quota=0)
    try:
        over = who.cli("--url", granian_url, "submit", server.phase_path, str(big))
    finally:
        server.set_phase(daily_quota=5)
    assert over.code == 1 and "refused (429 quota_exceeded)" in over.err and "try again in " in over.err
