"""Content-addressed file storage under the data directory."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

CHUNK = 1024 * 1024


def sha256_bytes(data: bytes) -> str:
    """Return the hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    """Return the hex sha256 of the file at ``path``."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def sha256_tree(root: Path) -> str:
    """Return a sha256 over every file's relative path and content below ``root``."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(sha256_file(path).encode())
        digest.update(b"\n")
    return digest.hexdigest()


class TooLarge(Exception):
    """A stream was longer than the allowed number of bytes."""


class StagedBlob:
    """An upload written to the store's scratch area: check it, then keep it in the store or let it go.

    Used as a context manager, a blob that was not kept is deleted on leaving the block.
    """

    def __init__(self, store: BlobStore, path: Path, sha256: str, size: int) -> None:
        self.store = store
        self.path = path
        self.sha256 = sha256
        self.size = size
        self.kept = False

    def keep(self) -> str:
        """Move the staged file into the store under its sha256 (once) and return the sha256."""
        target = self.store.path_for(self.sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            self.path.unlink(missing_ok=True)
        else:
            os.replace(self.path, target)
        self.kept = True
        return self.sha256

    def discard(self) -> None:
        """Delete the staged file unless it was kept."""
        if not self.kept:
            self.path.unlink(missing_ok=True)

    def __enter__(self) -> StagedBlob:
        return self

    def __exit__(self, *exc: object) -> None:
        self.discard()


class BlobStore:
    """Immutable blobs named by their sha256, plus folders named by their tree hash."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path_for(self, sha256: str) -> Path:
        """Return where the blob ``sha256`` lives (whether or not it exists)."""
        if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
            raise ValueError("not a sha256 hex digest")
        return self.root / "blobs" / sha256[:2] / sha256[2:]

    def exists(self, sha256: str) -> bool:
        """Whether the blob is stored."""
        return self.path_for(sha256).is_file()

    def put_bytes(self, data: bytes) -> str:
        """Store ``data`` and return its sha256."""
        sha = sha256_bytes(data)
        target = self.path_for(sha)
        if not target.exists():
            self._write_atomically(target, [data])
        return sha

    def stage(self, stream: BinaryIO, max_bytes: int) -> StagedBlob:
        """Write a stream of at most ``max_bytes`` bytes to the scratch area (not yet stored), or raise TooLarge.

        Reading stops as soon as the stream passes the limit.
        """
        digest = hashlib.sha256()
        size = 0
        fd, tmp_name = tempfile.mkstemp(dir=self._tmp_dir())
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(min(CHUNK, max_bytes - size + 1)):
                    size += len(chunk)
                    if size > max_bytes:
                        raise TooLarge(f"larger than {max_bytes} bytes")
                    digest.update(chunk)
                    out.write(chunk)
        except BaseException:
            os.unlink(tmp_name)
            raise
        return StagedBlob(self, Path(tmp_name), digest.hexdigest(), size)

    def put_stream(self, stream: BinaryIO, max_bytes: int) -> tuple[str, int]:
        """Store a stream of at most ``max_bytes`` bytes; return (sha256, size) or raise TooLarge."""
        with self.stage(stream, max_bytes) as staged:
            return staged.keep(), staged.size

    def put_file(self, path: Path) -> str:
        """Copy the file at ``path`` into the store and return its sha256."""
        with path.open("rb") as handle:
            sha, _ = self.put_stream(handle, max_bytes=1 << 62)
        return sha

    def read_bytes(self, sha256: str) -> bytes:
        """Return a blob's content."""
        return self.path_for(sha256).read_bytes()

    def tree_path(self, tree_sha: str) -> Path:
        """Return where a stored folder lives."""
        self.path_for(tree_sha)  # validates the digest
        return self.root / "trees" / tree_sha

    def put_tree(self, source: Path) -> str:
        """Copy a folder into the store (once) and return its tree hash."""
        tree_sha = sha256_tree(source)
        target = self.tree_path(tree_sha)
        if not target.exists():
            staging = Path(tempfile.mkdtemp(dir=self._tmp_dir()))
            shutil.copytree(source, staging / "tree", symlinks=False)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / "tree", target)
            shutil.rmtree(staging, ignore_errors=True)
        return tree_sha

    def _tmp_dir(self) -> Path:
        tmp = self.root / "tmp"
        tmp.mkdir(parents=True, exist_ok=True)
        return tmp

    def _write_atomically(self, target: Path, chunks: Iterable[bytes]) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=self._tmp_dir())
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                out.write(chunk)
        os.replace(tmp_name, target)
