"""Back up an Arena instance (database and stored files) into one folder, and restore it from there.

A backup folder holds ``database.pgdump`` (``pg_dump --format=custom``) or ``database.sqlite`` (SQLite's
online backup), ``storage.tar`` (the blobs and code trees of the store, named by their hashes) and
``manifest.json`` with the row count of every table and the sha256 of every stored file. A restore goes
into an empty database and an empty store, then checks both against the manifest: a backup that does not
restore exactly is reported, never half-trusted.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, inspect, select, table
from sqlalchemy.engine import make_url

from arena.db import make_engine, utcnow
from arena.storage import sha256_file
from arena.timestamps import rfc3339

MANIFEST = "manifest.json"
STORAGE = "storage.tar"
STORED_FOLDERS = ("blobs", "trees")
FORMAT = 1


class BackupError(Exception):
    """A backup could not be made or restored; the message says what to fix."""


@dataclass(frozen=True)
class BackupSummary:
    """What a backup holds (or a restore brought back)."""

    folder: Path
    tables: dict[str, int]
    files: int


def _libpq_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(database)


def _run(command: list[str], what: str) -> None:
    try:
        subprocess.run(command, check=True, capture_output=True, text=True, timeout=3600)  # noqa: S603
    except FileNotFoundError as error:
        raise BackupError(f"{what}: {command[0]} is not installed (apt-get install postgresql-client)") from error
    except subprocess.CalledProcessError as error:
        raise BackupError(f"{what} failed: {error.stderr.strip()[-2000:]}") from error


def _sqlite_copy(source_path: Path, target_path: Path) -> None:
    """Copy one SQLite database into another through SQLite's online backup (safe with WAL and readers)."""
    source = sqlite3.connect(source_path)
    target = sqlite3.connect(target_path)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


def row_counts(database_url: str) -> dict[str, int]:
    """Return the number of rows of every table in the database."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            names = sorted(inspect(conn).get_table_names())
            return {name: int(conn.scalar(select(func.count()).select_from(table(name))) or 0) for name in names}
    finally:
        engine.dispose()


def stored_files(data_dir: Path) -> dict[str, str]:
    """Return the sha256 of every file of the store, by its path relative to the data folder."""
    found: dict[str, str] = {}
    for folder in STORED_FOLDERS:
        root = data_dir / folder
        for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()):
            found[path.relative_to(data_dir).as_posix()] = sha256_file(path)
    return found


def create_backup(database_url: str, data_dir: Path, folder: Path) -> BackupSummary:
    """Write a backup of the database and the store into ``folder`` (which must not exist or be empty)."""
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"{folder} is not empty: back up into a new folder")
    folder.mkdir(parents=True, exist_ok=True)
    dialect = make_url(database_url).get_backend_name()
    if dialect == "postgresql":
        target = folder / "database.pgdump"
        _run(
            ["pg_dump", "--format=custom", "--no-owner", "--no-acl", f"--file={target}", _libpq_url(database_url)],
            "pg_dump",
        )
    elif dialect == "sqlite":
        _sqlite_copy(_sqlite_path(database_url), folder / "database.sqlite")
    else:
        raise BackupError(f"databases of kind {dialect} are not supported (PostgreSQL or SQLite)")
    files = stored_files(data_dir)
    with tarfile.open(folder / STORAGE, "w") as archive:
        for relative in files:
            archive.add(data_dir / relative, arcname=relative, recursive=False)
    tables = row_counts(database_url)
    manifest = {
        "format": FORMAT,
        "created_at": rfc3339(utcnow()),
        "database": dialect,
        "tables": tables,
        "files": files,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
    return BackupSummary(folder, tables, len(files))


def _read_manifest(folder: Path) -> dict[str, object]:
    path = folder / MANIFEST
    if not path.is_file():
        raise BackupError(f"{path} is missing: {folder} is not an Arena backup")
    manifest: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path} has format {manifest.get('format')!r}; this version reads format {FORMAT}")
    return manifest


def _restore_database(database_url: str, folder: Path, kind: object) -> None:
    dialect = make_url(database_url).get_backend_name()
    if dialect != kind:
        raise BackupError(f"the backup holds a {kind} database; restore it into {kind}, not {dialect}")
    if row_counts(database_url):
        raise BackupError("the target database already has tables: restore into an empty database")
    if dialect == "postgresql":
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--no-acl",
                "--exit-on-error",
                f"--dbname={_libpq_url(database_url)}",
                str(folder / "database.pgdump"),
            ],
            "pg_restore",
        )
    else:
        target = _sqlite_path(database_url)
        target.parent.mkdir(parents=True, exist_ok=True)
        for leftover in (target.with_name(target.name + "-wal"), target.with_name(target.name + "-shm")):
            if not target.exists():
                leftover.unlink(missing_ok=True)  # the journal of a database that is gone would corrupt the new one
        _sqlite_copy(folder / "database.sqlite", target)


def restore_backup(database_url: str, data_dir: Path, folder: Path) -> BackupSummary:
    """Restore ``folder`` into an empty database and store, then check both against its manifest."""
    manifest = _read_manifest(folder)
    if stored_files(data_dir):
        raise BackupError(f"{data_dir} already holds stored files: restore into an empty data folder")
    _restore_database(database_url, folder, manifest.get("database"))
    data_dir.mkdir(parents=True, exist_ok=True)
    with tarfile.open(folder / STORAGE) as archive:
        archive.extractall(data_dir, filter="data")
    expected_tables = manifest.get("tables")
    expected_files = manifest.get("files")
    tables = row_counts(database_url)
    files = stored_files(data_dir)
    if tables != expected_tables:
        raise BackupError(f"restored tables differ from the backup's manifest: {tables} != {expected_tables}")
    if files != expected_files:
        listed = expected_files if isinstance(expected_files, dict) else {}
        missing = sorted({name for name in set(listed) ^ set(files)} | {n for n in files if listed.get(n) != files[n]})
        raise BackupError(f"restored files differ from the backup's manifest (first: {missing[:5]})")
    return BackupSummary(folder, tables, len(files))
