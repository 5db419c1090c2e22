"""Neutral host paths for a run's read-only mounts, so the run's /proc/self/mountinfo names nothing of the worker.

Under runc the container's mountinfo shows, for every bind mount, the path of its source inside the
source's filesystem: /code and /data would name the worker's data directory, the submission and the
attempt, and Docker's own /etc/hostname, /etc/hosts and /etc/resolv.conf the container id. So the runner
mounts hard-linked twins of the code and the inputs, made at ``<mount point>/.arena-stage/<container>/``
of the filesystem that holds them (links cost no copy and cannot cross a mount), and its own three
``/etc`` files from there. A twin is read-only inside the run like the original; removing it removes
only links. When a twin cannot be made (the worker may not write the mount point, or a tree spans
mounts) the original path is mounted and a warning logged once.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import stat
import time
from collections.abc import Iterable
from pathlib import Path

from sandbox.mountinfo import mount_points

log = logging.getLogger(__name__)

STAGE_DIR = ".arena-stage"
"""Per-filesystem folder holding runs' twins, one subfolder per container name (how stale ones are found)."""

ETC_FILES = {
    "/etc/hostname": "sandbox\n",
    "/etc/hosts": "127.0.0.1\tlocalhost sandbox\n::1\tlocalhost ip6-localhost ip6-loopback\n",
    "/etc/resolv.conf": "# no network in the sandbox\n",
}

_CLAIMED = ".container"
_UNCLAIMED_GRACE_SECONDS = 3600.0  # twins made just before their container was created
_warned = False


class Stage:
    """One run's twins of its read-only folders; ``release`` removes them (links only, never the originals)."""

    def __init__(self, container_name: str) -> None:
        self.name = container_name
        self._made: list[Path] = []

    def place(self, source: Path, role: str) -> Path:
        """Return a neutral twin of ``source`` (a folder) to mount, or ``source`` itself when none can be made."""
        try:
            base = self._base(source)
            target = base / role
            _link_tree(source, target)
            return target
        except OSError as exc:
            _warn_once(f"cannot stage {role} at a neutral path ({exc}); the run's mountinfo shows its host path")
            return source

    def etc_files(self, beside: Path) -> dict[str, Path]:
        """Write the run's /etc/hostname, /etc/hosts and /etc/resolv.conf next to a twin; {} when impossible."""
        if beside.parent.parent.name != STAGE_DIR:
            return {}  # the folder was not staged; Docker's own files are no worse than its path
        folder = beside.parent / "etc"
        try:
            folder.mkdir(mode=0o755, exist_ok=True)
            files = {}
            for inside, text in ETC_FILES.items():
                path = folder / Path(inside).name
                path.write_text(text)
                path.chmod(0o644)
                files[inside] = path
            return files
        except OSError as exc:
            _warn_once(f"cannot write the run's /etc files ({exc})")
            return {}

    def claim(self) -> None:
        """Mark the twins as belonging to a created container, so a cleanup may judge them by it."""
        for base in self._made:
            with contextlib.suppress(OSError):
                (base / _CLAIMED).touch()

    def release(self) -> None:
        """Remove this run's twins; safe to call twice."""
        for base in self._made:
            shutil.rmtree(base, ignore_errors=True)
        self._made.clear()

    def _base(self, source: Path) -> Path:
        parent = mount_point(source) / STAGE_DIR
        parent.mkdir(mode=0o711, exist_ok=True)
        base = parent / self.name
        if base not in self._made:
            base.mkdir(mode=0o711)
            self._made.append(base)
        return base


def _link_tree(source: Path, target: Path) -> None:
    info = source.stat()
    target.mkdir(mode=0o700)
    with os.scandir(source) as entries:
        listing = list(entries)
    for entry in listing:
        child = target / entry.name
        mode = entry.stat(follow_symlinks=False).st_mode
        if stat.S_ISDIR(mode):
            _link_tree(Path(entry.path), child)
        elif stat.S_ISREG(mode):
            os.link(entry.path, child, follow_symlinks=False)
        elif stat.S_ISLNK(mode):
            os.symlink(os.readlink(entry.path), child)
        # Nothing else belongs in code or inputs (archives refuse devices and FIFOs).
    target.chmod(stat.S_IMODE(info.st_mode))


def mount_point(path: Path) -> Path:
    """Return the mount point of the mount holding ``path`` (the longest one that is a prefix of it)."""
    resolved = path.resolve()
    best = Path("/")
    for point in mount_points():
        if (resolved == point or point in resolved.parents) and len(point.parts) > len(best.parts):
            best = point
    return best


def release_stale_stages(live_containers: Iterable[str]) -> int:
    """Remove twins whose container is gone (a dead worker's), on every mounted filesystem; return how many."""
    live = {name.lstrip("/") for name in live_containers}
    released = 0
    now = time.time()
    for point in set(mount_points()):
        folder = point / STAGE_DIR
        with contextlib.suppress(OSError):
            for entry in list(os.scandir(folder)):
                if entry.name in live or not entry.is_dir(follow_symlinks=False):
                    continue
                claimed = os.path.exists(os.path.join(entry.path, _CLAIMED))
                if claimed or now - entry.stat(follow_symlinks=False).st_mtime > _UNCLAIMED_GRACE_SECONDS:
                    shutil.rmtree(entry.path, ignore_errors=True)
                    released += 1
    return released


def _warn_once(message: str) -> None:
    global _warned
    if not _warned:
        _warned = True
        log.warning(message)
