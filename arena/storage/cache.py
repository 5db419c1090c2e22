"""The worker-local cache of a remote store: entries held while in use, the least recently used trimmed away.

An entry is a cached blob (``blobs/ab/cdef…``) or folder (``trees/<hash>/``). A thread that asks for an entry
holds a shared ``flock`` on it (its *pin*) until it releases its pins — at the end of a web request or an
evaluation job, or when the process exits (a forked work horse) — and each use stamps the entry's mtime.
After a fetch, a trim removes the least recently used entries until the cache fits ``max_bytes``, but only
those it can lock exclusively at once: an entry pinned by any thread of any process sharing the folder is
kept. A trimmed entry is first renamed aside, so a reader sees it whole or not at all, and a reader that
pinned it while it was being removed notices (the name no longer holds the inode it locked) and fetches it
again. Only one process trims at a time. The locks are ``flock`` locks: the cache belongs on a local disk.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
import threading
from pathlib import Path

TRIM_LOCK = ".trim-lock"


def _same_file(fd: int, path: Path) -> bool:
    try:
        now = os.stat(path)
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (held.st_dev, held.st_ino) == (now.st_dev, now.st_ino)


def _size(path: Path) -> int:
    if path.is_dir():
        return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file())
    return path.lstat().st_size


class LocalCache:
    """Cached blobs and folders below ``root``, held by the threads using them, trimmed to ``max_bytes``.

    ``max_bytes`` 0: no bound.
    """

    def __init__(self, root: Path, max_bytes: int = 0) -> None:
        self.root = Path(root)
        self.max_bytes = max_bytes
        self._local = threading.local()

    def blob_path(self, sha256: str) -> Path:
        """Where the cached copy of a blob lives."""
        return self.root / "blobs" / sha256[:2] / sha256[2:]

    def tree_path(self, tree_sha: str) -> Path:
        """Where the cached copy of a folder lives."""
        return self.root / "trees" / tree_sha

    def _pins(self) -> dict[Path, int]:
        pins: dict[Path, int] | None = getattr(self._local, "pins", None)
        if pins is None:
            pins = self._local.pins = {}
        return pins

    def pinned(self) -> list[Path]:
        """The entries this thread holds."""
        return sorted(self._pins())

    def pin(self, path: Path) -> bool:
        """Hold the entry at ``path`` for this thread and stamp its use; False when no entry is there."""
        pins = self._pins()
        held = pins.get(path)
        if held is not None:
            if _same_file(held, path):
                os.utime(path)
                return True
            self.unpin(path)
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_SH)  # waits only while a trim removes this very entry (an instant)
            if not _same_file(fd, path):  # trimmed meanwhile: the name is gone or holds another copy
                os.close(fd)
                return False
        except BaseException:
            os.close(fd)
            raise
        pins[path] = fd
        os.utime(path)
        return True

    def adopt(self, staged: Path, path: Path) -> bool:
        """Move a fetched, verified entry from ``staged`` to ``path``, held by this thread from before it shows.

        False when a folder could not be moved because another process cached the same one first (then that
        one is held instead, when it is still there).
        """
        self.unpin(path)
        fd = os.open(staged, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_SH)
            path.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged, path)
        except OSError:
            os.close(fd)
            if path.is_dir():  # a folder another process of this host cached first
                return self.pin(path)
            raise
        self._pins()[path] = fd
        return True

    def unpin(self, path: Path) -> None:
        """Let go of one entry this thread holds (nothing when it holds none there)."""
        fd = self._pins().pop(path, None)
        if fd is not None:
            os.close(fd)  # never LOCK_UN: a forked process may share the lock and still need it

    def release(self) -> None:
        """Let go of every entry this thread holds (its request or job is over)."""
        for path in list(self._pins()):
            self.unpin(path)

    def evict(self, path: Path) -> None:
        """Remove a damaged entry (renamed aside first, so no one sees it half removed); this thread's pin goes."""
        self.unpin(path)
        self._remove(path, exclusive=False)

    def _trash(self) -> Path:
        tmp = self.root / "tmp"
        tmp.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(dir=tmp, prefix="trim-"))

    def _remove(self, path: Path, *, exclusive: bool) -> bool:
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            return False
        try:
            if exclusive:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    return False  # some thread of some process is using it
                if not _same_file(fd, path):
                    return False
            trash = self._trash()
            try:
                os.rename(path, trash / "entry")
            except FileNotFoundError:
                shutil.rmtree(trash, ignore_errors=True)
                return False
        finally:
            os.close(fd)
        shutil.rmtree(trash, ignore_errors=True)
        return True

    def entries(self) -> list[tuple[float, int, Path]]:
        """Every cached entry as (last use, bytes, path), least recently used first."""
        found: list[tuple[float, int, Path]] = []
        candidates = [*self.root.glob("blobs/??/*"), *self.root.glob("trees/*")]
        for path in candidates:
            with contextlib.suppress(FileNotFoundError):  # trimmed by another process meanwhile
                found.append((path.lstat().st_mtime, _size(path), path))
        return sorted(found, key=lambda entry: (entry[0], str(entry[2])))

    def size(self) -> int:
        """The bytes the cached entries take."""
        return sum(size for _, size, _ in self.entries())

    def trim(self) -> int:
        """Remove least recently used entries no one holds until the cache fits ``max_bytes``; return bytes freed.

        Does nothing without a bound, or while another process trims.
        """
        if self.max_bytes <= 0:
            return 0
        self.root.mkdir(parents=True, exist_ok=True)
        lock = os.open(self.root / TRIM_LOCK, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return 0
            entries = self.entries()
            total = sum(size for _, size, _ in entries)
            freed = 0
            for _, size, path in entries:
                if total - freed <= self.max_bytes:
                    break
                if self._remove(path, exclusive=True):
                    freed += size
            return freed
        finally:
            os.close(lock)
