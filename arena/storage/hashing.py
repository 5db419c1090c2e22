"""Content hashes: a file's sha256, and a folder's hash over its files' relative paths and contents."""

from __future__ import annotations

import hashlib
from pathlib import Path

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


def tree_files(root: Path) -> list[Path]:
    """Return the files below ``root`` in the order the tree hash reads them."""
    return sorted(p for p in root.rglob("*") if p.is_file())


def sha256_tree(root: Path) -> str:
    """Return a sha256 over every file's relative path and content below ``root``."""
    digest = hashlib.sha256()
    for path in tree_files(root):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(sha256_file(path).encode())
        digest.update(b"\n")
    return digest.hexdigest()


def check_digest(sha256: str) -> str:
    """Return ``sha256`` if it is a lowercase hex sha256 digest, else raise ValueError."""
    if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
        raise ValueError("not a sha256 hex digest")
    return sha256
