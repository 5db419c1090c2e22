"""Parsed hidden keys and their public masks, kept in this process from one job to the next.

A key is stored by the sha256 of its content, so a kept copy can never go stale: a replaced key has another
hash. Parsing a large key and hashing its ids for the public split cost more than scoring most files, and a
worker scores the same phase again and again under a deadline rush.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

import scorers
from arena.boards import public_mask
from arena.storage import BlobStore

MAX_KEPT_KEY_BYTES = 64 * 1024 * 1024
"""The kept keys' combined size as files; a parsed key takes several times that in memory."""

_KeyName = tuple[str, str, tuple[str, ...]]
_MaskName = tuple[str, str, float]


class KeyMemory:
    """A bounded, least-recently-used memory of parsed keys and their public masks; safe between threads.

    What it hands out is shared: callers read it and never change it (``.loc`` with a mask makes a copy).
    """

    def __init__(self, max_bytes: int = MAX_KEPT_KEY_BYTES) -> None:
        self.max_bytes = max_bytes
        self._keys: OrderedDict[_KeyName, tuple[pd.DataFrame, int]] = OrderedDict()
        self._masks: dict[_MaskName, npt.NDArray[np.bool_]] = {}
        self._lock = threading.Lock()

    @property
    def kept_bytes(self) -> int:
        """The combined file size of the keys kept now."""
        with self._lock:
            return sum(size for _, size in self._keys.values())

    def key(self, store: BlobStore, sha256: str, *, id_column: str, target_columns: Sequence[str]) -> pd.DataFrame:
        """The key with this hash, parsed for these columns: kept, or read from the store and parsed now."""
        name = (sha256, id_column, tuple(target_columns))
        with self._lock:
            found = self._keys.get(name)
            if found is not None:
                self._keys.move_to_end(name)
                return found[0]
        data = store.read_bytes(sha256)
        frame = scorers.read_key(data, id_column=id_column, target_columns=list(target_columns))
        self._keep(name, frame, len(data))
        return frame

    def public_mask(self, sha256: str, key: pd.DataFrame, seed: str, fraction: float) -> npt.NDArray[np.bool_]:
        """Which rows of ``key`` (the parsed key with this hash) are public for this seed and share; read-only."""
        name = (sha256, seed, float(fraction))
        with self._lock:
            found = self._masks.get(name)
        if found is not None and len(found) == len(key):
            return found
        mask = public_mask([str(i) for i in key.index], seed, fraction)
        mask.flags.writeable = False
        with self._lock:
            if any(kept[0] == sha256 for kept in self._keys):
                self._masks[name] = mask
        return mask

    def clear(self) -> None:
        """Forget every kept key and mask."""
        with self._lock:
            self._keys.clear()
            self._masks.clear()

    def _keep(self, name: _KeyName, frame: pd.DataFrame, size: int) -> None:
        if size > self.max_bytes:
            return
        with self._lock:
            self._keys[name] = (frame, size)
            self._keys.move_to_end(name)
            total = sum(kept_size for _, kept_size in self._keys.values())
            while total > self.max_bytes:
                (sha256, _, _), (_, dropped) = self._keys.popitem(last=False)
                total -= dropped
                if not any(kept[0] == sha256 for kept in self._keys):
                    for mask_name in [m for m in self._masks if m[0] == sha256]:
                        del self._masks[mask_name]


KEYS = KeyMemory()
"""This process's memory of parsed keys."""
