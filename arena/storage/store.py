"""Content-addressed file storage: one interface over a directory or an S3 bucket, with a local cache.

A directory store is read in place. An S3 store's blobs and folders are fetched into the process's cache
folder, checked against their sha256 (or tree hash) before every use; a damaged cached copy is fetched again.
The cache is bounded (``cache_max_bytes``): after each fetch the least recently used entries that no thread
holds are trimmed away (``arena.storage.cache``). A path handed out stays valid until the thread that asked
for it calls ``release()``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO

from arena.errors import StorageUnavailable
from arena.storage.backends import Backend, DirectoryBackend, storage_error
from arena.storage.cache import LocalCache
from arena.storage.hashing import CHUNK, check_digest, sha256_bytes, sha256_file, sha256_tree
from arena.storage.s3 import S3Backend


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
        """Store the staged file under its sha256 (once) and return the sha256; nothing is kept if this raises."""
        self.store.backend.check_space(self.size)
        self.store.backend.put_blob(self.sha256, self.path)
        self.path.unlink(missing_ok=True)
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
    """Immutable blobs named by their sha256, plus folders named by their tree hash.

    ``BlobStore(path)`` is a directory store at ``path``; ``BlobStore(backend, cache_dir=…)`` any backend,
    whose cache is trimmed to ``cache_max_bytes`` (0: no bound). ``root`` is the local folder this process
    works in: the directory store's own, else the cache.
    """

    def __init__(self, where: Path | str | Backend, *, cache_dir: Path | None = None, cache_max_bytes: int = 0) -> None:
        self.backend: Backend = DirectoryBackend(Path(where)) if isinstance(where, str | Path) else where
        local = getattr(self.backend, "root", None)
        if cache_dir is None and local is None:
            raise ValueError("a store whose backend is not a folder needs a cache folder")
        self.root = Path(local) if local is not None else Path(str(cache_dir))
        self.cache = LocalCache(self.root, cache_max_bytes)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, BlobStore) and (self.backend.url, self.root) == (other.backend.url, other.root)

    def __hash__(self) -> int:
        return hash((self.backend.url, self.root))

    def __repr__(self) -> str:
        return f"BlobStore({self.backend.url!r}, root={str(self.root)!r})"

    def path_for(self, sha256: str) -> Path:
        """Return a local file holding the blob: the stored file itself, or a verified cached copy.

        For a directory store the path is returned whether or not the blob exists; another store raises
        FileNotFoundError for a blob it does not hold. A cached copy is held for this thread (no trim removes
        it) until ``release()``.
        """
        local = self.backend.local_blob(check_digest(sha256))
        if local is not None:
            return local
        cached = self.cache.blob_path(sha256)
        if self.cache.pin(cached) and cached.is_file() and sha256_file(cached) == sha256:
            return cached
        fd, tmp_name = tempfile.mkstemp(dir=self._tmp_dir())
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            self.backend.fetch_blob(sha256, tmp)
            if sha256_file(tmp) != sha256:
                raise StorageUnavailable(detail=f"the stored blob {sha256} does not match its hash")
            self.cache.adopt(tmp, cached)
        finally:
            tmp.unlink(missing_ok=True)
        self.cache.trim()
        return cached

    def release(self) -> None:
        """Let go of the cached copies this thread was handed (call at the end of a request or a job)."""
        self.cache.release()

    def exists(self, sha256: str) -> bool:
        """Whether the blob is stored."""
        return self.backend.has_blob(sha256)

    def put_bytes(self, data: bytes) -> str:
        """Store ``data`` and return its sha256."""
        sha = sha256_bytes(data)
        fd, tmp_name = tempfile.mkstemp(dir=self._tmp_dir())
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            StagedBlob(self, Path(tmp_name), sha, len(data)).keep()
        except OSError as exc:
            raise storage_error(exc) from exc
        finally:
            Path(tmp_name).unlink(missing_ok=True)
        return sha

    def stage(self, stream: BinaryIO, max_bytes: int) -> StagedBlob:
        """Write a stream of at most ``max_bytes`` bytes to the scratch area (not yet stored), or raise TooLarge.

        Reading stops as soon as the stream passes the limit. A store short of space (StorageFull) or out of
        reach (StorageUnavailable) refuses before the stream is read.
        """
        self.backend.check_space(0)
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
        except OSError as exc:
            os.unlink(tmp_name)
            raise storage_error(exc) from exc
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
        held = set(self.cache.pinned())
        path = self.path_for(sha256)
        try:
            return path.read_bytes()
        finally:
            if path not in held:  # once read, a trim may take the copy
                self.cache.unpin(path)

    def tree_path(self, tree_sha: str) -> Path:
        """Return a local folder holding a stored folder: the stored one itself, or a verified cached copy.

        A cached copy is held for this thread (no trim removes it) until ``release()``.
        """
        local = self.backend.local_tree(tree_sha)
        if local is not None:
            return local
        cached = self.cache.tree_path(check_digest(tree_sha))
        if self.cache.pin(cached):
            if cached.is_dir() and sha256_tree(cached) == tree_sha:
                return cached
            self.cache.evict(cached)
        staging = Path(tempfile.mkdtemp(dir=self._tmp_dir()))
        try:
            (staging / "tree").mkdir()  # an empty folder has no file to create it
            self.backend.fetch_tree(tree_sha, staging / "tree")
            if sha256_tree(staging / "tree") != tree_sha:
                raise StorageUnavailable(detail=f"the stored folder {tree_sha} does not match its hash")
            if not self.cache.adopt(staging / "tree", cached):
                raise StorageUnavailable(detail=f"the cached folder {tree_sha} went away while being cached")
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        self.cache.trim()
        return cached

    def put_tree(self, source: Path) -> str:
        """Copy a folder into the store (once) and return its tree hash."""
        tree_sha = sha256_tree(source)
        self.backend.check_space(sum(p.stat().st_size for p in source.rglob("*") if p.is_file()))
        self.backend.put_tree(tree_sha, source)
        return tree_sha

    def scratch(self) -> Path:
        """Return a local scratch folder (for unpacking uploads to check them)."""
        return self._tmp_dir()

    def _tmp_dir(self) -> Path:
        shared = self.backend.scratch()
        if shared is not None:
            return shared
        tmp = self.root / "tmp"
        tmp.mkdir(parents=True, exist_ok=True)
        return tmp


def open_store(url: str, *, cache_dir: Path, min_free_bytes: int = 0, cache_max_bytes: int = 0) -> BlobStore:
    """Open the store at ``url``: ``s3://bucket/prefix?endpoint=…``, ``file:///path`` or a plain folder path.

    An S3 store's cache in ``cache_dir`` is trimmed to ``cache_max_bytes`` (0: no bound).
    """
    if url.startswith("s3://"):
        return BlobStore(S3Backend(url), cache_dir=cache_dir, cache_max_bytes=cache_max_bytes)
    path = Path(url[len("file://") :]) if url.startswith("file://") else Path(url)
    return BlobStore(DirectoryBackend(path, min_free_bytes=min_free_bytes))
