"""The blob store: uploads are staged, read no further than their limit, and kept only when asked."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from arena.storage import BlobStore, TooLarge, sha256_bytes


class Endless(io.RawIOBase):
    """A stream that never ends; counts the bytes read from it."""

    def __init__(self) -> None:
        super().__init__()
        self.delivered = 0

    def readable(self) -> bool:
        """It is read."""
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        """Fill ``buffer`` with zeros."""
        buffer[:] = bytes(len(buffer))
        self.delivered += len(buffer)
        return len(buffer)


def test_a_stream_past_the_limit_is_read_no_further_than_one_byte_beyond(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    stream = Endless()
    with pytest.raises(TooLarge):
        store.put_stream(stream, max_bytes=1000)
    assert stream.delivered <= 1001
    assert not any((tmp_path / "tmp").iterdir()) and not (tmp_path / "blobs").exists()


def test_a_staged_blob_is_stored_only_when_kept(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    with store.stage(io.BytesIO(b"dropped"), max_bytes=100) as dropped:
        assert dropped.path.read_bytes() == b"dropped" and dropped.size == 7
    assert not dropped.path.exists() and not store.exists(sha256_bytes(b"dropped"))
    with store.stage(io.BytesIO(b"kept"), max_bytes=4) as kept:
        sha = kept.keep()
    assert sha == sha256_bytes(b"kept") and store.read_bytes(sha) == b"kept"
    assert not any((tmp_path / "tmp").iterdir())
