"""A demo instance is backed up (`arena backup create`), wiped and restored (`arena backup restore`): nothing lost.

Run on SQLite and on a PostgreSQL of the test's own (``tests/pgserver.py``). "Nothing lost" is checked three
ways: every table has the same rows (the manifest's counts and a full comparison of every table's rows), every
stored file is back with its hash, and the restored instance serves the same board and the same data file.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import MetaData, select, text

from arena import backups
from arena.db import make_engine, make_session_factory
from arena.evaluation.worker import run_worker
from arena.models import Challenge
from arena.schema import upgrade
from arena.settings import Settings
from arena.storage import BlobStore, S3Backend, open_store
from tests.pgserver import PostgresServer
from tests.s3server import running_s3
from web import create_app, demo
from web.extensions import db

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(params=["sqlite", "postgresql", "sqlite-s3"])
def instance(request: pytest.FixtureRequest, settings: Settings, tmp_path: Path) -> Iterator[Settings]:
    """Settings of a fresh instance on SQLite or on a PostgreSQL server of this test's own; the store in the data
    folder, or (sqlite-s3) in an S3 bucket of a server of this test's own."""
    local = replace(settings, database_url=f"sqlite:///{tmp_path}/instance.sqlite", data_dir=tmp_path / "data")
    if request.param == "sqlite":
        yield local
        return
    if request.param == "sqlite-s3":
        with running_s3() as s3:
            yield replace(local, storage_url=s3.url("backup-test"))
        return
    server = PostgresServer()
    server.create()
    try:
        yield replace(settings, database_url=server.url, data_dir=tmp_path / "data")
    finally:
        server.close()


def _every_row(url: str) -> dict[str, list[tuple[Any, ...]]]:
    engine = make_engine(url)
    metadata = MetaData()
    metadata.reflect(engine)
    try:
        with engine.connect() as conn:
            return {
                name: sorted((tuple(row) for row in conn.execute(select(table))), key=repr)
                for name, table in metadata.tables.items()
            }
    finally:
        engine.dispose()


def _store(settings: Settings) -> BlobStore:
    return open_store(settings.blob_storage_url, cache_dir=settings.blob_cache_dir)


def _wipe(settings: Settings) -> None:
    engine = make_engine(settings.database_url)
    try:
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{engine.url.database}{suffix}").unlink(missing_ok=True)
    finally:
        engine.dispose()
    shutil.rmtree(settings.data_dir)  # the database file, the directory store, the S3 store's cache
    backend = _store(settings).backend
    if isinstance(backend, S3Backend):
        for key in [backend.blob_key(sha) for sha in backend.stored()[0]]:
            backend.client.delete_object(Bucket=backend.bucket, Key=key)
        for tree in backend.stored()[1]:
            backend.client.delete_object(Bucket=backend.bucket, Key=backend.manifest_key(tree))
    assert not any(_store(settings).backend.stored()), "the store is empty before the restore"


def _cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "web.cli", *args],
        env={**os.environ, **settings.to_env()},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def _served(settings: Settings, phase_id: int, data_url: str) -> tuple[Any, bytes]:
    app = create_app(settings)
    try:
        client = app.test_client()
        board = client.get(f"/api/v1/phases/{phase_id}/leaderboard").get_json()
        with client.get(data_url) as response:
            data = response.get_data()
        return board, data
    finally:
        with app.app_context():
            db.engine.dispose()


def _demo_instance(settings: Settings) -> tuple[int, str]:
    """Build a demo instance (the digits bundle, every demo account and demand) and score one of alice's files.

    The snow-leopard bundle is left out only because building its data takes minutes; its tables are the same.
    """
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    store = _store(settings)
    with make_session_factory(engine)() as session:
        ids = [
            cid for path in [REPO / "challenges" / "digits"] if (cid := demo.import_demo_bundle(session, store, path))
        ]
        demo.seed_demo_accounts(session, ids)
        digits = session.scalar(select(Challenge).where(Challenge.slug == "digits"))
        assert digits is not None
        phase_id = digits.tracks[0].phases[0].id
    engine.dispose()
    app = create_app(settings)
    client = app.test_client()
    token = client.post("/api/v1/tokens", json={"username": "alice", "password": "tianjin-demo-3"}).get_json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    client.post("/api/v1/challenges/digits/teams", json={"name": "Alice's"}, headers=auth)
    detail = client.get("/api/v1/challenges/digits", headers=auth).get_json()
    sample = next(f for f in detail.get("files", []) if "sample" in f["name"])
    with client.get(sample["api_download_url"], headers=auth) as response:
        predictions = response.get_data()
    response = client.post(
        f"/api/v1/phases/{phase_id}/submissions",
        data={"file": (io.BytesIO(predictions), "sample.csv")},
        headers=auth,
        content_type="multipart/form-data",
    )
    assert response.status_code == 202, response.get_json()
    with app.app_context():
        db.engine.dispose()
    run_worker(settings, burst=True, simple=True)
    return phase_id, sample["api_download_url"]


def test_backup_wipe_restore_loses_nothing(instance: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in instance.to_env().items():
        monkeypatch.setenv(key, value)
    phase_id, data_url = _demo_instance(instance)
    rows = _every_row(instance.database_url)
    files = backups.stored_files(_store(instance))
    served = _served(instance, phase_id, data_url)
    assert served[0]["rows"], "the scored submission is on the board before the backup"

    made = _cli(instance, "backup", "create", str(tmp_path / "backup"))
    assert made.returncode == 0, made.stderr
    assert "stored files" in made.stdout
    again = _cli(instance, "backup", "create", str(tmp_path / "backup"))
    assert again.returncode != 0 and "not empty" in again.stderr, "a backup never overwrites another"

    _wipe(instance)
    restored = _cli(instance, "backup", "restore", str(tmp_path / "backup"))
    assert restored.returncode == 0, restored.stderr
    assert "match the backup" in restored.stdout
    assert _every_row(instance.database_url) == rows
    assert backups.stored_files(_store(instance)) == files
    assert _served(instance, phase_id, data_url) == served

    twice = _cli(instance, "backup", "restore", str(tmp_path / "backup"))
    assert twice.returncode != 0 and "empty" in twice.stderr, "a restore never writes over a live instance"
