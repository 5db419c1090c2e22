"""The fixed public/private split of a phase's hidden key."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt


def public_mask(ids: Sequence[str], seed: str, public_fraction: float) -> npt.NDArray[np.bool_]:
    """Return which ids are on the public board.

    Ids are ordered by a keyed hash, and the first ``round(n * fraction)`` are public, so the
    split has exactly the declared size, depends only on the phase's seed and the ids, and
    does not move when the key's rows are reordered.
    """
    n = len(ids)
    if n == 0:
        return np.zeros(0, dtype=bool)
    keys = [hashlib.sha256(f"{seed}\0{i}".encode()).digest() for i in ids]
    order = sorted(range(n), key=keys.__getitem__)
    count = int(round(n * public_fraction))
    if 0 < public_fraction < 1:
        count = min(max(count, 1), n - 1) if n > 1 else count
    mask = np.zeros(n, dtype=bool)
    mask[order[:count]] = True
    return mask
