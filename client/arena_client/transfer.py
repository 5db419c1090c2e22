"""Moving files: resumable downloads of public files (HTTP Range) and streaming multipart uploads."""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from arena_client.api import Api, ClientError
from arena_client.progress import Progress

CHUNK = 256 * 1024


@dataclass(frozen=True)
class Fetched:
    """What a download did for one file."""

    name: str
    path: Path
    size: int
    sha256: str
    resumed_from: int
    skipped: bool

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict."""
        return {
            "name": self.name,
            "path": str(self.path),
            "size": self.size,
            "sha256": self.sha256,
            "resumed_from": self.resumed_from,
            "up_to_date": self.skipped,
        }


def sha256_of(path: Path) -> str:
    """Return a file's sha256 in hex."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def part_path(target: Path, sha256: str) -> Path:
    """Return where an unfinished download of one version of a file is kept (the hash names the version)."""
    return target.with_name(f"{target.name}.{sha256[:12]}.part")


def safe_name(name: str) -> str:
    """Return a file name that stays inside the destination folder."""
    cleaned = Path(name.replace("\\", "/")).name
    if cleaned in ("", ".", ".."):
        raise ClientError(f"the server named a file {name!r}, which is not a file name")
    return cleaned


def fetch(api: Api, entry: dict[str, Any], dest: Path, *, progress: bool | None = None) -> Fetched:
    """Download one listed file into ``dest``, resuming an unfinished part, and check its sha256."""
    name, size, sha = safe_name(str(entry["name"])), int(entry["size"]), str(entry["sha256"])
    target = dest / name
    if target.exists() and target.stat().st_size == size and sha256_of(target) == sha:
        return Fetched(name, target, size, sha, 0, True)
    part = part_path(target, sha)
    start = part.stat().st_size if part.exists() else 0
    resumed = _transfer(api, str(entry["api_download_url"]), part, start, sha, progress)
    if sha256_of(part) != sha:
        part.unlink()
        if not resumed:
            raise ClientError(f"{name}: the downloaded bytes do not match the listed sha256; try again")
        # The kept part was damaged: fetch the whole file once more.
        _transfer(api, str(entry["api_download_url"]), part, 0, sha, progress)
        if sha256_of(part) != sha:
            part.unlink()
            raise ClientError(f"{name}: the downloaded bytes do not match the listed sha256; try again")
    os.replace(part, target)
    return Fetched(name, target, size, sha, start if resumed else 0, False)


def _transfer(api: Api, url: str, part: Path, start: int, sha: str, progress: bool | None) -> bool:
    """Write the file's bytes to ``part`` from ``start``; return whether the server resumed there."""
    headers = {"If-Range": f'"{sha}"', "Range": f"bytes={start}-"} if start else {}
    response = api.send("GET", url, headers=headers, stream=True, ok=(416,))
    with response:
        if response.status_code == 416:
            # The kept part is as long as the file or longer: it cannot be resumed, so start over.
            part.unlink()
            return _transfer(api, url, part, 0, sha, progress)
        resumed = response.status_code == 206
        total = int(response.headers.get("Content-Length") or 0) + (start if resumed else 0)
        label = part.name.rsplit(".", 2)[0]
        bar = Progress(label, total, start=start if resumed else 0, enabled=progress)
        with part.open("ab" if resumed else "wb") as out:
            for block in response.iter_content(CHUNK):
                out.write(block)
                bar.advance(len(block))
        bar.finish()
    return resumed


def download_all(
    api: Api, slug: str, dest: Path, only: list[str] | None = None, *, progress: bool | None = None
) -> list[Fetched]:
    """Download a challenge's public files (or those named in ``only``) into ``dest``."""
    listing = api.get(f"/challenges/{slug}/files")
    entries = list(listing.get("files") or [])
    if only:
        known = {str(e["name"]) for e in entries}
        missing = [n for n in only if n not in known]
        if missing:
            raise ClientError(
                f"no public file named {', '.join(missing)} in {slug}; it has: {', '.join(sorted(known)) or 'none'}"
            )
        entries = [e for e in entries if str(e["name"]) in only]
    dest.mkdir(parents=True, exist_ok=True)
    return [fetch(api, entry, dest, progress=progress) for entry in entries]


class MultipartBody:
    """A ``multipart/form-data`` body streamed from disk, with a known length (no chunked encoding)."""

    def __init__(self, path: Path, fields: dict[str, str], bar: Progress | None = None) -> None:
        self.path = path
        self.boundary = f"arena-client-{uuid.uuid4().hex}"
        self.bar = bar
        filename = path.name.replace('"', "_").replace("\r", "_").replace("\n", "_")
        head = b"".join(
            f'--{self.boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
            for key, value in fields.items()
        )
        head += (
            f'--{self.boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        self.head = head
        self.tail = f"\r\n--{self.boundary}--\r\n".encode()
        self.file_size = path.stat().st_size

    @property
    def content_type(self) -> str:
        """Return the Content-Type header naming the boundary."""
        return f"multipart/form-data; boundary={self.boundary}"

    def __len__(self) -> int:
        return len(self.head) + self.file_size + len(self.tail)

    def __iter__(self) -> Iterator[bytes]:
        yield self.head
        with self.path.open("rb") as handle:
            for block in iter(lambda: handle.read(CHUNK), b""):
                if self.bar:
                    self.bar.advance(len(block))
                yield block
        if self.bar:
            self.bar.finish()
        yield self.tail
