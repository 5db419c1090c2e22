"""A hard cap on a run's /output: a size-capped tmpfs mounted on the host, copied out when the run ends.

Writing past the cap fails inside the container with ENOSPC instead of landing on the worker's disk. The
pages are charged to the run's memory cgroup, like its /tmp. Mounting needs root (CAP_SYS_ADMIN) on the
worker, in the engine's mount namespace; without that the runner falls back to measuring the directory
while the run goes.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import logging
import os
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path

from sandbox.mountinfo import mount_points

log = logging.getLogger(__name__)

AREA_PREFIX = ".arena-output-"
"""Mount points of output areas are named this plus the container's name (how stale ones are found)."""

_MS_NOSUID, _MS_NODEV = 2, 4
_MNT_DETACH = 2
_BYTES_PER_INODE = 512  # the same charge per entry as sandbox.output.measure_tree

_libc: ctypes.CDLL | None = None
_supported: bool | None = None
_probe_lock = threading.Lock()


def _c() -> ctypes.CDLL:
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    return _libc


def _mount_tmpfs(target: Path, options: str) -> None:
    """Mount a tmpfs on ``target`` (nosuid, nodev) or raise OSError."""
    result = _c().mount(b"tmpfs", os.fsencode(target), b"tmpfs", _MS_NOSUID | _MS_NODEV, options.encode())
    if result != 0:
        code = ctypes.get_errno()
        raise OSError(code, f"mount tmpfs on {target}: {os.strerror(code)}")


def _unmount(target: Path) -> None:
    """Unmount ``target``; detach lazily when it is still busy; ignore a target that is not mounted."""
    libc = _c()
    path = os.fsencode(target)
    if libc.umount2(path, 0) == 0:
        return
    code = ctypes.get_errno()
    if code == errno.EBUSY and libc.umount2(path, _MNT_DETACH) == 0:
        return
    if code not in (errno.EINVAL, errno.ENOENT):
        raise OSError(code, f"unmount {target}: {os.strerror(code)}")


def hard_cap_supported() -> bool:
    """Return True when this process can mount a tmpfs (probed once, by mounting a tiny one)."""
    global _supported
    with _probe_lock:
        if _supported is None:
            _supported = _probe()
            if not _supported:
                log.warning(
                    "cannot mount a tmpfs the Docker engine sees (not root, or another mount namespace): "
                    "/output is capped by polling only"
                )
        return _supported


def _probe() -> bool:
    if os.name != "posix" or not hasattr(os, "geteuid") or os.geteuid() != 0:
        return False
    if not _sees_the_engines_mounts():
        return False
    probe = Path(tempfile.mkdtemp(prefix="arena-mount-probe-"))
    try:
        _mount_tmpfs(probe, "size=4k,nr_inodes=8,mode=0700")
        _unmount(probe)
        return True
    except (OSError, AttributeError):
        return False
    finally:
        with contextlib.suppress(OSError):
            probe.rmdir()


def _sees_the_engines_mounts() -> bool:
    """True when this process shares its mount namespace with the Docker engine (or, unknown, with init).

    A mount made in another namespace (a worker in a container, or under systemd's PrivateTmp) would be
    invisible to the engine: the run would write to the directory underneath, uncapped, and lose it.
    """
    pid = 1
    for pidfile in ("/run/docker.pid", "/var/run/docker.pid"):
        with contextlib.suppress(OSError, ValueError):
            pid = int(Path(pidfile).read_text().strip())
            break
    try:
        return os.readlink("/proc/self/ns/mnt") == os.readlink(f"/proc/{pid}/ns/mnt")
    except OSError:
        return False


class OutputArea:
    """One run's capped output filesystem: mounted after the container is created, released after the run."""

    def __init__(self, output_dir: Path, container_name: str, cap_bytes: int, uid: int, gid: int) -> None:
        self.path = output_dir.parent / f"{AREA_PREFIX}{container_name}"
        self.cap_bytes = cap_bytes
        self._uid, self._gid = uid, gid
        self._mounted = False

    def create(self) -> None:
        """Make the (still empty) mount point, so the container can be created with it as a bind source."""
        self.path.mkdir(mode=0o700, parents=True, exist_ok=False)

    def mount(self) -> None:
        """Mount the capped tmpfs on the mount point, owned by the sandbox user."""
        pages = -(-self.cap_bytes // 4096)
        inodes = max(64, self.cap_bytes // _BYTES_PER_INODE)
        options = f"size={pages * 4096},nr_inodes={inodes},mode=0750,uid={self._uid},gid={self._gid}"
        _mount_tmpfs(self.path, options)
        self._mounted = True

    def usage(self) -> int:
        """Return the bytes in use; more than the cap once the space or the file count is used up."""
        info = os.statvfs(self.path)
        if info.f_bavail == 0 or info.f_favail == 0:
            return self.cap_bytes + 1
        return (info.f_blocks - info.f_bfree) * info.f_frsize

    def release(self) -> None:
        """Unmount (freeing the memory) and remove the mount point; safe to call twice."""
        if self._mounted:
            _unmount(self.path)
            self._mounted = False
        with contextlib.suppress(FileNotFoundError):
            self.path.rmdir()


def area_mounts() -> list[Path]:
    """Return the mount points of output areas mounted on this host (from /proc/self/mountinfo)."""
    return [point for point in mount_points() if point.name.startswith(AREA_PREFIX)]


def release_stale_areas(live_containers: Iterable[str]) -> int:
    """Unmount and remove output areas whose container is gone (a dead worker's); return how many."""
    live = {f"{AREA_PREFIX}{name.lstrip('/')}" for name in live_containers}
    released = 0
    for point in area_mounts():
        if point.name in live:
            continue
        try:
            _unmount(point)
            with contextlib.suppress(OSError):
                point.rmdir()
            released += 1
        except OSError as exc:
            log.warning("could not release the stale output area %s: %s", point, exc)
    return released
