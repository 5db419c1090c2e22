"""Back up an Arena instance (database and stored files) into one folder, and restore it from there.

A backup folder holds ``database.pgdump`` (``pg_dump --format=custom``) or ``database.sqlite`` (SQLite's
online backup), ``storage.tar`` (the blobs and code trees of the store, named by their hashes) and
``manifest.json`` with the row count of every table and the sha256 of every stored file. The store is read
and written through its interface, so a directory store and an S3 bucket are backed up alike (and a backup
of one can be restored into the other). A restore goes into an empty database and an empty store, then
checks both against the manifest: a backup that does not restore exactly is reported, never half-trusted.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, inspect, select, table
from sqlalchemy.engine import make_url

from arena.db import make_engine, utcnow
from arena.storage import BlobStore, sha256_file
from arena.storage.hashing import tree_files
from arena.timestamps import rfc3339

MANIFEST = "manifest.json"
STORAGE = "storage.tar"
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


def _members(store: BlobStore) -> list[tuple[str, Path]]:
    """Every stored file as (name in the archive, a local copy): blobs/ab/cdef… and trees/<hash>/<path>."""
    blobs, trees = store.backend.stored()
    members = [(f"blobs/{sha[:2]}/{sha[2:]}", store.path_for(sha)) for sha in blobs]
    for tree in trees:
        root = store.tree_path(tree)
        members.append((f"trees/{tree}", root))  # the folder itself, so that an empty one comes back too
        members.extend((f"trees/{tree}/{path.relative_to(root).as_posix()}", path) for path in tree_files(root))
    return members


def stored_files(store: BlobStore) -> dict[str, str]:
    """Return the sha256 of every file of the store, by its name in the backup (each file is read again)."""
    return {name: sha256_file(path) for name, path in _members(store) if path.is_file()}


def create_backup(database_url: str, store: BlobStore, folder: Path) -> BackupSummary:
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
    files: dict[str, str] = {}
    with tarfile.open(folder / STORAGE, "w") as archive:
        for name, path in _members(store):
            archive.add(path, arcname=name, recursive=False)
            if path.is_file():
                files[name] = sha256_file(path)
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


def _restore_store(store: BlobStore, folder: Path) -> None:
    with tempfile.TemporaryDirectory(dir=store.scratch(), prefix="restore-") as unpacked:
        root = Path(unpacked)
        with tarfile.open(folder / STORAGE) as archive:
            archive.extractall(root, filter="data")
        for path in sorted((root / "blobs").glob("??/*")):
            if store.put_file(path) != path.parent.name + path.name:
                raise BackupError(f"{path.relative_to(root)} in the backup does not match its name")
        for tree in sorted(p for p in (root / "trees").glob("*") if p.is_dir()):
            if store.put_tree(tree) != tree.name:
                raise BackupError(f"{tree.relative_to(root)} in the backup does not match its name")


def restore_backup(database_url: str, store: BlobStore, folder: Path) -> BackupSummary:
    """Restore ``folder`` into an empty database and store, then check both against its manifest."""
    manifest = _read_manifest(folder)
    if any(store.backend.stored()):
        raise BackupError("the store already holds files: restore into an empty data folder or bucket")
    _restore_database(database_url, folder, manifest.get("database"))
    _restore_store(store, folder)
    expected_tables = manifest.get("tables")
    expected_files = manifest.get("files")
    tables = row_counts(database_url)
    files = stored_files(store)
    if tables != expected_tables:
        raise BackupError(f"restored tables differ from the backup's manifest: {tables} != {expected_tables}")
    if files != expected_files:
        listed = expected_files if isinstance(expected_files, dict) else {}
        missing = sorted({name for name in set(listed) ^ set(files)} | {n for n in files if listed.get(n) != files[n]})
        raise BackupError(f"restored files differ from the backup's manifest (first: {missing[:5]})")
    return BackupSummary(folder, tables, len(files))
