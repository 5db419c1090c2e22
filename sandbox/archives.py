"""Safe extraction of uploaded code archives (zip, tar, tar.gz), all checked before anything is written."""

from __future__ import annotations

import gzip
import os
import shutil
import stat
import tarfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

_CHUNK = 256 * 1024
_MAX_NAME_BYTES = 255
_MAX_PATH_CHARS = 1024
_IGNORED_TOP = frozenset({"__MACOSX"})
_IGNORED_NAMES = frozenset({".DS_Store", "Thumbs.db"})


class ArchiveError(ValueError):
    """An uploaded archive was refused; `reason` is a stable key, the message says what is wrong."""

    def __init__(self, template: str, reason: str = "invalid", **params: object) -> None:
        message = template % params if params else template
        super().__init__(message)
        self.message = message
        self.reason = reason
        # The message with %(name)s placeholders, so that pages can show it translated.
        self.template = template
        self.params = params


@dataclass(frozen=True)
class ExtractedArchive:
    """Where an archive was unpacked and what it held."""

    root: Path
    format: str
    files: int
    total_bytes: int


@dataclass(frozen=True)
class _Member:
    name: str
    is_dir: bool
    size: int
    executable: bool
    handle: object


def detect_format(path: Path) -> str | None:
    """Return 'zip', 'tar.gz' or 'tar' judged by the file's content, or None when it is neither."""
    with path.open("rb") as fh:
        head = fh.read(512)
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return "zip"
    if head[:2] == b"\x1f\x8b":
        return "tar.gz"
    if len(head) >= 262 and head[257:262] == b"ustar":
        return "tar"
    return None


def extract_archive(
    path: Path, dest: Path, *, max_files: int, max_total_bytes: int, max_file_bytes: int
) -> ExtractedArchive:
    """Check every member of the archive, then unpack it into `dest` (which must be empty or absent)."""
    kind = detect_format(path)
    if kind is None:
        raise ArchiveError("The upload is not a zip or tar.gz archive.", "not_an_archive")
    if dest.exists() and any(dest.iterdir()):
        raise ValueError(f"destination {dest} is not empty")
    limits = (max_files, max_total_bytes, max_file_bytes)
    if kind == "zip":
        return _extract_zip(path, dest, kind, *limits)
    return _extract_tar(path, dest, kind, *limits)


def clean_member_name(raw: str) -> str | None:
    """Return the member's safe relative POSIX path, None for junk to skip; raise ArchiveError if unsafe."""
    if "\x00" in raw:
        raise ArchiveError("The archive entry %(name)s has a NUL byte in its name.", "bad_name", name=repr(raw))
    name = raw.replace("\\", "/")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise ArchiveError("The archive entry %(name)s has an absolute path.", "absolute_path", name=repr(raw))
    parts = [p for p in PurePosixPath(name).parts if p not in ("", ".")]
    if ".." in parts:
        raise ArchiveError(
            "The archive entry %(name)s points outside the archive ('..').", "parent_path", name=repr(raw)
        )
    if not parts:
        return None
    if parts[0] in _IGNORED_TOP or parts[-1] in _IGNORED_NAMES:
        return None
    if len(name) > _MAX_PATH_CHARS or any(len(p.encode()) > _MAX_NAME_BYTES for p in parts):
        raise ArchiveError("The archive entry %(name)s… has a name that is too long.", "bad_name", name=repr(raw[:80]))
    return "/".join(parts)


class _Budget:
    """Counts files and bytes against the caps, both as declared and as actually written."""

    def __init__(self, max_files: int, max_total: int, max_file: int) -> None:
        self.max_files, self.max_total, self.max_file = max_files, max_total, max_file
        self.entries = 0
        self.files = 0
        self.total = 0

    def declare(self, member: _Member) -> None:
        self.entries += 1
        if self.entries > self.max_files:
            raise ArchiveError(
                "The archive holds more than %(limit)s files and folders.", "too_many_files", limit=self.max_files
            )
        if member.is_dir:
            return
        self.files += 1
        if member.size > self.max_file:
            raise ArchiveError(
                "The file %(name)s is larger than %(limit)s bytes once unpacked.",
                "file_too_large",
                name=repr(member.name),
                limit=self.max_file,
            )
        self.total += member.size
        if self.total > self.max_total:
            raise ArchiveError("The archive unpacks to more than %(limit)s bytes.", "too_large", limit=self.max_total)


def _check_layout(members: list[_Member]) -> None:
    seen: dict[str, bool] = {}
    for member in members:
        previous = seen.get(member.name)
        if previous is not None and not (previous and member.is_dir):
            raise ArchiveError(
                "The archive has the entry %(name)s more than once.", "duplicate", name=repr(member.name)
            )
        seen[member.name] = member.is_dir
    for name in seen:
        parent = PurePosixPath(name).parent
        while str(parent) != ".":
            if seen.get(str(parent)) is False:
                raise ArchiveError(
                    "The archive uses the file %(name)s as a folder.", "duplicate", name=repr(str(parent))
                )
            parent = parent.parent


def _write_all(
    dest: Path, kind: str, members: list[_Member], opener: Callable[[_Member], IO[bytes]], budget: _Budget
) -> ExtractedArchive:
    created = not dest.exists()
    dest.mkdir(parents=True, exist_ok=True)
    dest.chmod(0o755)
    written_total = 0
    try:
        for member in members:
            target = dest.joinpath(*member.name.split("/"))
            _make_dirs(dest, target if member.is_dir else target.parent)
            if member.is_dir:
                continue
            with opener(member) as source:
                written_total += _copy_capped(source, target, member, budget, written_total)
            target.chmod(0o755 if member.executable else 0o644)
    except BaseException:
        _discard(dest, created)
        raise
    return ExtractedArchive(root=dest, format=kind, files=budget.files, total_bytes=written_total)


def _copy_capped(source: IO[bytes], target: Path, member: _Member, budget: _Budget, so_far: int) -> int:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    written = 0
    with os.fdopen(os.open(target, flags, 0o600), "wb") as out:
        while chunk := source.read(_CHUNK):
            written += len(chunk)
            # Declared sizes can lie: count what really comes out of the decompressor.
            if written > budget.max_file or written > member.size:
                raise ArchiveError(
                    "The file %(name)s unpacks to more than it declares.", "too_large", name=repr(member.name)
                )
            if so_far + written > budget.max_total:
                raise ArchiveError(
                    "The archive unpacks to more than %(limit)s bytes.", "too_large", limit=budget.max_total
                )
            out.write(chunk)
    return written


def _make_dirs(root: Path, directory: Path) -> None:
    relative = directory.relative_to(root)
    current = root
    for part in relative.parts:
        current = current / part
        if not current.is_dir():
            current.mkdir(mode=0o755)


def _discard(dest: Path, created: bool) -> None:
    if created:
        shutil.rmtree(dest, ignore_errors=True)
        return
    for child in dest.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)


def _extract_zip(path: Path, dest: Path, kind: str, max_files: int, max_total: int, max_file: int) -> ExtractedArchive:
    budget = _Budget(max_files, max_total, max_file)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ArchiveError("The zip archive is damaged: %(problem)s.", "corrupt", problem=str(exc)) from exc
    with archive:
        members: list[_Member] = []
        for info in archive.infolist():
            name = clean_member_name(info.filename)
            if info.flag_bits & 0x1:
                raise ArchiveError("The zip entry %(name)s is encrypted.", "encrypted", name=repr(info.filename))
            mode = info.external_attr >> 16
            if name is None:
                continue
            kind_bits = stat.S_IFMT(mode)  # zero when the tool recorded only permission bits
            if kind_bits and stat.S_ISLNK(mode):
                raise ArchiveError("The archive entry %(name)s is a symbolic link.", "link", name=repr(info.filename))
            if kind_bits and not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
                raise ArchiveError(
                    "The archive entry %(name)s is not a regular file.", "special_file", name=repr(info.filename)
                )
            member = _Member(name, info.is_dir(), info.file_size, bool(mode & 0o111), info)
            budget.declare(member)
            members.append(member)
        _check_layout(members)

        def opener(member: _Member) -> IO[bytes]:
            assert isinstance(member.handle, zipfile.ZipInfo)
            return archive.open(member.handle)

        try:
            return _write_all(dest, kind, members, opener, budget)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError) as exc:
            raise ArchiveError("The zip archive could not be read: %(problem)s.", "corrupt", problem=str(exc)) from exc


@contextmanager
def _open_tar(path: Path, kind: str) -> Iterator[tarfile.TarFile]:
    try:
        archive = tarfile.open(path, mode="r:gz") if kind == "tar.gz" else tarfile.open(path, mode="r:")
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise ArchiveError(
            "The %(kind)s archive is damaged: %(problem)s.", "corrupt", kind=kind, problem=str(exc)
        ) from exc
    try:
        yield archive
    finally:
        archive.close()


def _extract_tar(path: Path, dest: Path, kind: str, max_files: int, max_total: int, max_file: int) -> ExtractedArchive:
    budget = _Budget(max_files, max_total, max_file)
    corrupt = (tarfile.TarError, OSError, EOFError, gzip.BadGzipFile)
    with _open_tar(path, kind) as archive:
        members: list[_Member] = []
        try:
            # Walk headers one by one so a bomb is refused as soon as the declared sizes pass the cap.
            while (info := archive.next()) is not None:
                name = clean_member_name(info.name)
                if info.issym() or info.islnk():
                    raise ArchiveError("The archive entry %(name)s is a link.", "link", name=repr(info.name))
                if not (info.isreg() or info.isdir()):
                    raise ArchiveError(
                        "The archive entry %(name)s is not a regular file.", "special_file", name=repr(info.name)
                    )
                if name is None:
                    continue
                member = _Member(name, info.isdir(), info.size, bool(info.mode & 0o111), info)
                budget.declare(member)
                members.append(member)
        except corrupt as exc:
            raise ArchiveError(
                "The %(kind)s archive is damaged: %(problem)s.", "corrupt", kind=kind, problem=str(exc)
            ) from exc
        _check_layout(members)

        def opener(member: _Member) -> IO[bytes]:
            assert isinstance(member.handle, tarfile.TarInfo)
            handle = archive.extractfile(member.handle)
            if handle is None:
                raise ArchiveError("The archive entry %(name)s has no data.", "corrupt", name=repr(member.name))
            return handle

        try:
            return _write_all(dest, kind, members, opener, budget)
        except corrupt as exc:
            raise ArchiveError(
                "The %(kind)s archive could not be read: %(problem)s.", "corrupt", kind=kind, problem=str(exc)
            ) from exc
