"""The worker's memory of parsed keys: read once per hash, bounded, and the same answers as parsing anew."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import scorers
from arena.boards import public_mask
from arena.evaluation.keys import KeyMemory
from arena.storage import BlobStore


class CountingStore(BlobStore):
    """A directory store that counts how often each blob is read."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.reads: dict[str, int] = {}

    def read_bytes(self, sha256: str) -> bytes:
        self.reads[sha256] = self.reads.get(sha256, 0) + 1
        return super().read_bytes(sha256)


def _key(rows: int, offset: int = 0) -> bytes:
    return ("id,label\n" + "".join(f"r{i + offset},{i % 3}\n" for i in range(rows))).encode()


def test_a_key_is_read_and_parsed_once_per_hash(tmp_path: Path) -> None:
    store = CountingStore(tmp_path)
    sha = store.put_bytes(_key(50))
    memory = KeyMemory()
    first = memory.key(store, sha, id_column="id", target_columns=["label"])
    again = memory.key(store, sha, id_column="id", target_columns=["label"])
    assert again is first and store.reads[sha] == 1
    fresh = scorers.read_key(_key(50), id_column="id", target_columns=["label"])
    assert first.equals(fresh)


def test_the_mask_is_the_split_of_the_ids_and_cannot_be_changed(tmp_path: Path) -> None:
    store = CountingStore(tmp_path)
    sha = store.put_bytes(_key(200))
    memory = KeyMemory()
    key = memory.key(store, sha, id_column="id", target_columns=["label"])
    mask = memory.public_mask(sha, key, "seed", 0.3)
    assert np.array_equal(mask, public_mask([str(i) for i in key.index], "seed", 0.3))
    assert memory.public_mask(sha, key, "seed", 0.3) is mask
    assert not np.array_equal(memory.public_mask(sha, key, "other", 0.3), mask)
    with pytest.raises(ValueError):
        mask[0] = not mask[0]


def test_the_memory_keeps_the_recently_used_keys_within_its_bound(tmp_path: Path) -> None:
    store = CountingStore(tmp_path)
    shas = [store.put_bytes(_key(100, offset=1000 * n)) for n in range(3)]
    size = len(_key(100))
    memory = KeyMemory(max_bytes=2 * size + size // 2)
    for sha in shas[:2]:
        memory.key(store, sha, id_column="id", target_columns=["label"])
    memory.key(store, shas[0], id_column="id", target_columns=["label"])  # the first is now the freshest
    memory.key(store, shas[2], id_column="id", target_columns=["label"])  # the second goes
    assert memory.kept_bytes <= memory.max_bytes
    for sha in (shas[0], shas[2]):
        memory.key(store, sha, id_column="id", target_columns=["label"])
    assert store.reads == {shas[0]: 1, shas[1]: 1, shas[2]: 1}
    memory.key(store, shas[1], id_column="id", target_columns=["label"])
    assert store.reads[shas[1]] == 2


def test_a_key_larger_than_the_bound_is_parsed_each_time_and_never_kept(tmp_path: Path) -> None:
    store = CountingStore(tmp_path)
    sha = store.put_bytes(_key(100))
    memory = KeyMemory(max_bytes=10)
    for _ in range(2):
        memory.key(store, sha, id_column="id", target_columns=["label"])
    assert store.reads[sha] == 2 and memory.kept_bytes == 0


def test_a_bad_key_is_refused_every_time_and_never_kept(tmp_path: Path) -> None:
    store = CountingStore(tmp_path)
    sha = store.put_bytes(b"id,label\na,1\na,2\n")
    memory = KeyMemory()
    for _ in range(2):
        with pytest.raises(scorers.ScorerConfigError, match="repeats id"):
            memory.key(store, sha, id_column="id", target_columns=["label"])
    assert memory.kept_bytes == 0
