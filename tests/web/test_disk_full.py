"""A real disk that fills up: the store's folder on a small tmpfs of its own (the tests run as root).

Uploads are refused with 507 once free space is under the threshold, and an upload that runs out of space
while it is being written leaves nothing behind; freeing space brings uploads back without a restart.
"""

from __future__ import annotations

import dataclasses
import io
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from arena.models import Submission
from arena.settings import Settings
from tests.web.conftest import World, api_team, make_user, token_for
from web.extensions import db

MIB = 1024 * 1024
CSV = b"id,label\n1,3\n2,5\n3,7\n"


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MiB filesystem mounted for this test."""
    point = tmp_path / "disk"
    point.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(point)], check=True)  # noqa: S603,S607
    try:
        yield point
    finally:
        subprocess.run(["umount", "-l", str(point)], check=False)  # noqa: S603,S607


@pytest.fixture
def settings(settings: Settings, disk: Path) -> Settings:
    """The web tests' settings with the data folder (the store) on the small disk; 1 MiB must stay free."""
    return dataclasses.replace(settings, data_dir=disk, storage_min_free_bytes=MIB)


def _free(path: Path) -> int:
    stats = os.statvfs(path)
    return stats.f_bavail * stats.f_frsize


def _fill(disk: Path, leave: int) -> Path:
    """Write a ballast file so that about ``leave`` bytes stay free."""
    ballast = disk / "ballast"
    with ballast.open("ab") as out:
        out.write(b"\0" * max(0, _free(disk) - leave))
    return ballast


def _upload(client: FlaskClient, headers: dict[str, str], world: World, data: bytes) -> tuple[int, dict[str, object]]:
    response = client.post(
        f"/api/v1/phases/{world.open_phase_id}/submissions",
        data={"file": (io.BytesIO(data), "p.csv")},
        headers=headers,
        content_type="multipart/form-data",
    )
    return response.status_code, response.get_json()


def _leftovers(disk: Path) -> list[Path]:
    scratch = disk / "tmp"
    return sorted(scratch.rglob("*")) if scratch.is_dir() else []


def test_a_filling_disk_refuses_uploads_cleanly_and_recovers(
    app: Flask, client: FlaskClient, world: World, disk: Path
) -> None:
    make_user(app, "sam")
    headers = token_for(client, "sam")
    api_team(client, headers, "Sams")
    blobs_before = sorted((disk / "blobs").rglob("*"))

    # Under the threshold: refused before a byte is written.
    ballast = _fill(disk, MIB // 2)
    status, body = _upload(client, headers, world, CSV)
    assert status == 507, body
    assert body["error"]["code"] == "storage_full"  # type: ignore[index]
    assert sorted((disk / "blobs").rglob("*")) == blobs_before and not _leftovers(disk)

    # Above the threshold but the disk fills while the upload is written: refused, the partial file removed.
    ballast.unlink()
    app.extensions["arena"].store.backend.min_free_bytes = 0
    _fill(disk, 8 * 1024)
    big = b"id,label\n" + b"".join(f"{i},3\n".encode() for i in range(4500))
    status, body = _upload(client, headers, world, big)
    assert status == 507, body
    assert sorted((disk / "blobs").rglob("*")) == blobs_before and not _leftovers(disk)
    with app.app_context():
        assert db.session.query(Submission).count() == 0

    # Space freed: the next upload is stored, without a restart.
    (disk / "ballast").unlink()
    status, body = _upload(client, headers, world, CSV)
    assert status == 202, body
