"""Vectorised CMC and mAP over a query x gallery distance matrix (torchreid semantics, pessimistic ties)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

CHUNK_BYTES = 64 << 20


@dataclass(frozen=True)
class RetrievalStats:
    """Per-query results: first-match rank (1-based, 0 if skipped), AP (NaN if skipped)."""

    first_rank: np.ndarray
    ap: np.ndarray

    @property
    def valid(self) -> np.ndarray:
        """Queries with at least one valid match in the gallery."""
        return np.asarray(self.first_rank > 0)

    def cmc(self, max_rank: int) -> np.ndarray:
        """CMC curve over valid queries at ranks 1..max_rank (padded past the gallery size)."""
        ranks = self.first_rank[self.valid]
        counts = np.bincount(np.minimum(ranks, max_rank + 1), minlength=max_rank + 2)[1 : max_rank + 1]
        return np.asarray(np.cumsum(counts) / max(len(ranks), 1))

    def mean_ap(self) -> float:
        """Mean AP over valid queries (NaN when none is valid)."""
        valid = self.valid
        return float(self.ap[valid].mean()) if valid.any() else float("nan")


def _codes(left: Sequence[object] | np.ndarray, right: Sequence[object] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Encode two sequences of labels with shared integer codes."""
    left_arr = np.asarray(left, dtype=object)
    codes, _ = pd.factorize(np.concatenate([left_arr, np.asarray(right, dtype=object)]))
    return codes[: len(left_arr)], codes[len(left_arr) :]


def _order_keys(distances: np.ndarray) -> tuple[np.ndarray, int]:
    """Integer keys that sort like the distances (a new array), and the key reserved for excluded items.

    The float bits are mapped to an order-preserving integer (-0.0 counts as 0.0). Two keys that differ
    only in the lowest bit are one unit in the last place apart and count as tied: callers compare
    ``key & -2``, or search for ``(key & -2) | 1``. The excluded key is larger than any finite distance's.
    Integer distances get even keys of their own (see ``_integer_keys``), so distinct integers never tie.
    """
    if distances.dtype.kind in "iu":
        return _integer_keys(distances)
    narrow = distances.dtype.itemsize <= 4
    # One pass makes the copy and turns -0.0 into 0.0 (integer distances are converted as they are).
    floats = np.add(distances, 0, dtype=np.float32 if narrow else np.float64, casting="unsafe")
    itype: type[np.signedinteger[Any]] = np.int32 if narrow else np.int64
    mask = int(np.iinfo(itype).max)
    keys = floats.view(itype)
    if floats.size and floats.min() < 0:
        keys[keys < 0] ^= mask
    return keys, mask - 1


def _integer_keys(distances: np.ndarray) -> tuple[np.ndarray, int]:
    """Even keys ``2·d`` for integer distances (exact: converting to float would merge values from 2**24 on).

    Keys are int32 when ``2·d`` fits below the excluded key, else int64; integers too large even for that
    (beyond ±2**62, e.g. big uint64 values) are replaced by their dense rank over the block first, which keeps
    their order within every row.
    """
    if distances.size == 0:
        return distances.astype(np.int32), int(np.iinfo(np.int32).max) - 1
    low, high = int(distances.min()), int(distances.max())
    for itype in (np.int32, np.int64):
        top = int(np.iinfo(itype).max)
        # The excluded key is top - 1, and a match is searched as 2·d + 1: keep both below it.
        limit = (top - 3) // 2
        if -limit <= low and high <= limit:
            return np.multiply(distances, 2, dtype=itype, casting="unsafe"), top - 1
    _, ranks = np.unique(distances, return_inverse=True)
    keys = np.multiply(ranks.reshape(distances.shape), 2, dtype=np.int64, casting="unsafe")
    return keys, int(np.iinfo(np.int64).max) - 1


def _pairs(query_ids: np.ndarray, gallery_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (row, column) of every query x gallery pair with the same identity, row by row."""
    order = np.argsort(gallery_ids, kind="stable")
    sorted_ids = gallery_ids[order]
    starts = np.searchsorted(sorted_ids, query_ids, side="left")
    counts = np.searchsorted(sorted_ids, query_ids, side="right") - starts
    rows = np.repeat(np.arange(len(query_ids)), counts)
    offsets = np.arange(len(rows)) - np.repeat(np.cumsum(counts) - counts, counts)
    return rows, order[np.repeat(starts, counts) + offsets]


def _chunk_stats(
    distances: np.ndarray,
    query_ids: np.ndarray,
    query_stations: np.ndarray,
    gallery_ids: np.ndarray,
    gallery_stations: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """First-match rank and AP for a block of query rows.

    Only the rows are sorted; each match's place is then found by binary search in its sorted row: the
    items with a smaller key, plus the tied non-matches (ties are broken pessimistically), plus the tied
    matches before it. Items with the query's identity and station are excluded (largest key).
    """
    n = len(query_ids)
    rows, cols = _pairs(query_ids, gallery_ids)
    excluded = gallery_stations[cols] == query_stations[rows]
    keys, excluded_key = _order_keys(distances)
    keys[rows[excluded], cols[excluded]] = excluded_key
    rows, cols = rows[~excluded], cols[~excluded]
    match_keys = keys[rows, cols] & -2
    order = np.lexsort((match_keys, rows))
    rows, match_keys = rows[order], match_keys[order]
    keys.sort(axis=1)
    matches = np.bincount(rows, minlength=n)
    starts = np.cumsum(matches) - matches
    right = np.empty(len(rows), dtype=np.int64)
    for row in np.flatnonzero(matches):
        span = slice(starts[row], starts[row] + matches[row])
        right[span] = np.searchsorted(keys[row], match_keys[span] | 1, side="right")
    # Matches sharing a key: they come last in their tie, in any order among themselves.
    index = np.arange(len(rows))
    group_start = np.ones(len(rows), dtype=bool)
    group_start[1:] = (rows[1:] != rows[:-1]) | (match_keys[1:] != match_keys[:-1])
    first_of_group = np.maximum.accumulate(np.where(group_start, index, 0))
    group_size = np.bincount(first_of_group, minlength=len(rows))[first_of_group]
    positions = right - group_size + (index - first_of_group) + 1
    hits_so_far = index - starts[rows] + 1
    ap_sum = np.bincount(rows, weights=hits_so_far / positions, minlength=n)
    first_rank = np.zeros(n, dtype=np.int64)
    has = matches > 0
    first_rank[has] = positions[starts[has]]
    with np.errstate(invalid="ignore", divide="ignore"):
        ap = np.where(has, ap_sum / np.maximum(matches, 1), np.nan)
    return first_rank, ap


def retrieval_stats(
    distances: np.ndarray,
    query_ids: Sequence[object] | np.ndarray,
    gallery_ids: Sequence[object] | np.ndarray,
    query_stations: Sequence[object] | np.ndarray,
    gallery_stations: Sequence[object] | np.ndarray,
    *,
    chunk_bytes: int = CHUNK_BYTES,
) -> RetrievalStats:
    """Rank the gallery for each query (ascending distance) and compute first-match ranks and APs.

    Gallery items with the query's identity and station are excluded; ties are broken
    pessimistically (tied non-matches rank ahead of matches); queries without a match are
    marked invalid. Rows are processed in chunks of about ``chunk_bytes`` to bound memory.
    """
    distances = np.asarray(distances)
    n_query, n_gallery = distances.shape
    if distances.dtype.kind not in "fiu":
        raise ValueError("distances must be a real-valued matrix")
    if len(query_ids) != n_query or len(query_stations) != n_query:
        raise ValueError("query ids and stations must have one entry per distance row")
    if len(gallery_ids) != n_gallery or len(gallery_stations) != n_gallery:
        raise ValueError("gallery ids and stations must have one entry per distance column")
    q_ids, g_ids = _codes(query_ids, gallery_ids)
    q_st, g_st = _codes(query_stations, gallery_stations)
    # Keys take 4 bytes for float32 (and narrower) distances, 8 for float64 and, at most, for integers.
    key_bytes = 4 if distances.dtype.kind == "f" and distances.dtype.itemsize <= 4 else 8
    rows_per_chunk = max(1, chunk_bytes // max(1, n_gallery * key_bytes * 2))
    first_rank = np.zeros(n_query, dtype=np.int64)
    ap = np.full(n_query, np.nan)
    for start in range(0, n_query, rows_per_chunk):
        stop = min(start + rows_per_chunk, n_query)
        block = distances[start:stop]
        if block.dtype.kind == "f" and not np.isfinite(block).all():
            raise ValueError("distances must be finite")
        first_rank[start:stop], ap[start:stop] = _chunk_stats(block, q_ids[start:stop], q_st[start:stop], g_ids, g_st)
    return RetrievalStats(first_rank=first_rank, ap=ap)


def cmc_map(
    distances: np.ndarray,
    query_ids: Sequence[object] | np.ndarray,
    gallery_ids: Sequence[object] | np.ndarray,
    query_stations: Sequence[object] | np.ndarray,
    gallery_stations: Sequence[object] | np.ndarray,
    *,
    max_rank: int = 50,
) -> tuple[np.ndarray, float]:
    """Return (CMC at ranks 1..max_rank, mAP) for a distance matrix, like torchreid's evaluation."""
    stats = retrieval_stats(distances, query_ids, gallery_ids, query_stations, gallery_stations)
    if not stats.valid.any():
        raise ValueError("no query has a valid match in the gallery")
    return stats.cmc(max_rank), stats.mean_ap()
