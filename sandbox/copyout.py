"""Bringing a finished run's /output to the worker without ever writing more than the cap or a link.

Participants control everything under /output: a file may be sparse (a large apparent size on no blocks,
which a plain copy writes out dense), a link (which the worker, as root, must never recreate or follow),
a FIFO or a socket. Copy-out counts the bytes it actually writes and stops past the cap, and drops links
and special files, noting what it dropped for the run's log.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
from dataclasses import dataclass, field
from pathlib import Path

from sandbox.output import measure_tree

ENTRY_CHARGE = 512
"""Bytes charged for every entry, so millions of empty files still add up (as in ``measure_tree``)."""

_CHUNK = 1024 * 1024
_MAX_NOTES = 5


class OutputTooLarge(Exception):
    """The output holds more than the cap (apparent sizes counted, not only blocks)."""


@dataclass
class CopyOut:
    """What one copy-out wrote and dropped; charging past ``cap`` raises OutputTooLarge."""

    cap: int
    written: int = 0
    dropped: list[str] = field(default_factory=list)

    def charge(self, size: int) -> None:
        """Count ``size`` more bytes against the cap."""
        self.written += size
        if self.written > self.cap:
            raise OutputTooLarge(f"the output holds more than {self.cap} bytes")

    def notes(self) -> str:
        """Lines for the run's log saying which entries were not copied out (empty when none)."""
        if not self.dropped:
            return ""
        lines = [f"sandbox: {path} is not a regular file or folder and was not kept\n" for path in self.dropped]
        if len(lines) > _MAX_NOTES:
            lines = [*lines[:_MAX_NOTES], f"sandbox: ... and {len(lines) - _MAX_NOTES} more\n"]
        return "".join(lines)


def copy_capped(source: Path, destination: Path, cap: int, *, mount: str = "/output") -> CopyOut:
    """Copy folders and regular files from ``source`` into ``destination``, at most ``cap`` bytes.

    Links, FIFOs, sockets and devices are dropped (and listed). On OutputTooLarge what was written so far
    stays; the caller empties ``destination``.
    """
    report = CopyOut(cap)
    destination.mkdir(parents=True, exist_ok=True)
    _copy_tree(source, destination, report, mount)
    return report


def _copy_tree(source: Path, destination: Path, report: CopyOut, shown: str) -> None:
    with os.scandir(source) as entries:
        listing = sorted(entries, key=lambda entry: entry.name)
    for entry in listing:
        report.charge(ENTRY_CHARGE)
        info = entry.stat(follow_symlinks=False)
        target = destination / entry.name
        if stat.S_ISDIR(info.st_mode):
            target.mkdir(mode=0o755)
            _copy_tree(Path(entry.path), target, report, f"{shown}/{entry.name}")
        elif stat.S_ISREG(info.st_mode):
            _copy_file(Path(entry.path), target, report)
        else:
            report.dropped.append(f"{shown}/{entry.name}")


def _copy_file(source: Path, target: Path, report: CopyOut) -> None:
    # O_NOFOLLOW and a fresh O_EXCL target: nothing the run left can redirect the worker's writes.
    src = os.open(source, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    try:
        if not stat.S_ISREG(os.fstat(src).st_mode):
            return
        dst = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
        try:
            while chunk := os.read(src, _CHUNK):
                # Counted before writing: a sparse file's holes read as zeros and count in full.
                report.charge(len(chunk))
                os.write(dst, chunk)
        finally:
            os.close(dst)
    finally:
        os.close(src)


def drop_links_in_place(root: Path, *, mount: str = "/output") -> CopyOut:
    """Remove links and special files the run left in ``root`` itself (when /output was not copied)."""
    report = CopyOut(cap=0)
    stack = [(root, mount)]
    while stack:
        current, shown = stack.pop()
        listing: list[os.DirEntry[str]] = []
        with contextlib.suppress(OSError), os.scandir(current) as entries:
            listing = list(entries)
        for entry in listing:
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if stat.S_ISDIR(info.st_mode):
                stack.append((Path(entry.path), f"{shown}/{entry.name}"))
            elif not stat.S_ISREG(info.st_mode):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
                report.dropped.append(f"{shown}/{entry.name}")
    report.dropped.sort()
    return report


def empty_folder(root: Path) -> None:
    """Remove everything inside ``root`` (links removed, never followed), keeping ``root`` itself."""
    listing: list[os.DirEntry[str]] = []
    with contextlib.suppress(FileNotFoundError), os.scandir(root) as entries:
        listing = list(entries)
    for entry in listing:
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                os.unlink(entry.path)


@dataclass(frozen=True)
class Collected:
    """A finished run's output as the runner reports it: its size, whether it broke the cap, log notes."""

    output_bytes: int
    over_cap: bool
    notes: str


def collect_output(mounted: Path, destination: Path, cap: int, *, copy: bool, full: bool) -> Collected:
    """Measure the run's /output (``mounted``) and bring it to ``destination`` within ``cap``, on any outcome.

    ``copy`` is False when the run wrote into ``destination`` directly (no capped area); links are then
    removed in place. ``full`` says the capped area or the watch already saw the cap reached. Output over
    the cap is never kept: ``destination`` is emptied.
    """
    # Apparent sizes and blocks both count (sandbox.output.measure_tree), so sparse files cannot hide.
    output_bytes = measure_tree(mounted, stop_after=cap)
    over = full or output_bytes > cap
    notes = ""
    if not over:
        try:
            report = copy_capped(mounted, destination, cap) if copy else drop_links_in_place(destination)
            notes = report.notes()
        except OutputTooLarge:
            over = True
    if over:
        empty_folder(destination)
    return Collected(output_bytes, over, notes)
