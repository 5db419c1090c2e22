"""Where blobs and folders are kept: the backend protocol, and the directory backend (local disk or a shared mount).

A backend only moves verified content in and out; hashing, staging and the worker-local cache live in the
store. Every failure to reach the storage is raised as StorageUnavailable, too little space as StorageFull.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from pathlib import Path
from typing import Protocol

from arena.errors import StorageFull, StorageUnavailable
from arena.storage.hashing import check_digest


class Backend(Protocol):
    """A place that keeps immutable blobs by sha256 and folders by tree hash."""

    url: str

    def has_blob(self, sha256: str) -> bool:
        """Whether the blob is stored."""

    def put_blob(self, sha256: str, source: Path) -> None:
        """Store the local file ``source`` (content already hashed to ``sha256``); it may be moved away."""

    def fetch_blob(self, sha256: str, target: Path) -> None:
        """Write the blob's content to the local file ``target``; FileNotFoundError when it is not stored."""

    def local_blob(self, sha256: str) -> Path | None:
        """Return a path where the blob can be read in place, or None when it must be fetched."""

    def has_tree(self, tree_sha: str) -> bool:
        """Whether the folder is stored."""

    def put_tree(self, tree_sha: str, source: Path) -> None:
        """Store a copy of the local folder ``source`` (hashed to ``tree_sha``)."""

    def fetch_tree(self, tree_sha: str, target: Path) -> None:
        """Write the folder's files below the empty local folder ``target``."""

    def local_tree(self, tree_sha: str) -> Path | None:
        """Return a path where the folder can be read in place, or None when it must be fetched."""

    def stored(self) -> tuple[list[str], list[str]]:
        """Every stored blob's and folder's hash (for backups)."""
        ...

    def scratch(self) -> Path | None:
        """Return a scratch folder on the backend's own filesystem (so a rename stores a file), or None."""

    def check_space(self, incoming: int) -> None:
        """Raise StorageFull when storing ``incoming`` more bytes would leave too little free space."""


def free_bytes(path: Path) -> int:
    """Return the free bytes of the filesystem holding ``path``."""
    return shutil.disk_usage(path).free


def storage_error(exc: OSError) -> Exception:
    """Return the domain error for an OSError met while writing to a store."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return StorageFull()
    return StorageUnavailable(detail=str(exc))


class DirectoryBackend:
    """Blobs at ``root/blobs/ab/cdef…`` and folders at ``root/trees/<tree hash>/``: written aside, then renamed."""

    def __init__(self, root: Path, *, min_free_bytes: int = 0) -> None:
        self.root = Path(root)
        self.url = self.root.absolute().as_uri()
        self.min_free_bytes = min_free_bytes

    def blob_path(self, sha256: str) -> Path:
        """Return where the blob ``sha256`` lives (whether or not it exists)."""
        check_digest(sha256)
        return self.root / "blobs" / sha256[:2] / sha256[2:]

    def tree_path(self, tree_sha: str) -> Path:
        """Return where the folder ``tree_sha`` lives (whether or not it exists)."""
        return self.root / "trees" / check_digest(tree_sha)

    def has_blob(self, sha256: str) -> bool:
        """Whether the blob is stored."""
        return self.blob_path(sha256).is_file()

    def put_blob(self, sha256: str, source: Path) -> None:
        """Rename ``source`` (in the scratch folder) into place; a blob already there is kept as it is."""
        target = self.blob_path(sha256)
        try:
            if target.exists():
                source.unlink(missing_ok=True)
                return
            target.parent.mkdir(parents=True, exist_ok=True)
            if source.parent == self.scratch():
                os.replace(source, target)
            else:
                self._copy_in(source, target)
        except OSError as exc:
            raise storage_error(exc) from exc

    def _copy_in(self, source: Path, target: Path) -> None:
        fd, tmp_name = tempfile.mkstemp(dir=self.scratch())
        try:
            with os.fdopen(fd, "wb") as out, source.open("rb") as handle:
                shutil.copyfileobj(handle, out)
            os.replace(tmp_name, target)
        finally:
            Path(tmp_name).unlink(missing_ok=True)

    def fetch_blob(self, sha256: str, target: Path) -> None:
        """Copy the blob to ``target``."""
        shutil.copyfile(self.blob_path(sha256), target)

    def local_blob(self, sha256: str) -> Path | None:
        """The blob's own file: a directory store is read in place."""
        return self.blob_path(sha256)

    def has_tree(self, tree_sha: str) -> bool:
        """Whether the folder is stored."""
        return self.tree_path(tree_sha).is_dir()

    def put_tree(self, tree_sha: str, source: Path) -> None:
        """Copy the folder aside in the scratch folder, then rename it into place."""
        target = self.tree_path(tree_sha)
        try:
            if target.exists():
                return
            staging = Path(tempfile.mkdtemp(dir=self.scratch()))
            try:
                shutil.copytree(source, staging / "tree", symlinks=False)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(staging / "tree", target)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
        except OSError as exc:
            if target.is_dir():  # another process stored the same folder first
                return
            raise storage_error(exc) from exc

    def fetch_tree(self, tree_sha: str, target: Path) -> None:
        """Copy the folder's files below ``target``."""
        shutil.copytree(self.tree_path(tree_sha), target, symlinks=False, dirs_exist_ok=True)

    def local_tree(self, tree_sha: str) -> Path | None:
        """The folder itself: a directory store is read in place."""
        return self.tree_path(tree_sha)

    def stored(self) -> tuple[list[str], list[str]]:
        """Every stored blob's and folder's hash, sorted (for backups)."""
        blobs = sorted(
            p.parent.name + p.name
            for p in (self.root / "blobs").glob("??/*")
            if p.is_file() and len(p.parent.name + p.name) == 64
        )
        trees = sorted(p.name for p in (self.root / "trees").glob("*") if p.is_dir() and len(p.name) == 64)
        return blobs, trees

    def scratch(self) -> Path:
        """Return ``root/tmp``, on the same filesystem as the blobs so that keeping a file is a rename."""
        tmp = self.root / "tmp"
        try:
            tmp.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise storage_error(exc) from exc
        return tmp

    def check_space(self, incoming: int) -> None:
        """Refuse when the free space would drop below ``min_free_bytes`` (ARENA_STORAGE_MIN_FREE_BYTES)."""
        if self.min_free_bytes <= 0:
            return
        try:
            free = free_bytes(self.scratch())
        except OSError as exc:
            raise StorageUnavailable(detail=str(exc)) from exc
        if free - incoming < self.min_free_bytes:
            raise StorageFull()
