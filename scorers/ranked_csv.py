"""A fast reader for plain ``id,ranked labels`` CSV files, with lists stored as dictionary codes.

The reader scans the raw bytes once with numpy. It only accepts files it can read exactly like the
checked path in ``scorers.validation`` (ASCII, no quotes, one comma per line, no blank lines, ids that
match the key one to one, at most ``k`` labels per row) and returns None for anything else, so callers
fall back to the checked path and its messages.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

# Byte classes up to ',' (44): everything above is an ordinary token byte.
_TOKEN, _BLANK, _COMMA, _NEWLINE, _CR, _UNUSUAL = 0, 1, 2, 3, 4, 5
_CLASS = np.full(45, _UNUSUAL, dtype=np.int8)
_CLASS[33:45] = _TOKEN
_CLASS[[9, 32]] = _BLANK
_CLASS[44] = _COMMA
_CLASS[10] = _NEWLINE
_CLASS[13] = _CR
_CLASS[34] = _UNUSUAL  # quotes need the real CSV parser
_MIX = np.uint64(0x9E3779B97F4A7C15)
_SAMPLE = 1 << 16
# _MASKS[n] keeps the low n bytes of a little-endian word.
_MASKS = np.array([(1 << (8 * n)) - 1 for n in range(9)], dtype=np.uint64)


def dictionary_lists(lists: pa.ListArray | pa.LargeListArray) -> pa.ListArray:
    """Return list<dictionary<int32, large_string>> with the same lists."""
    lengths = pc.list_value_length(lists).to_numpy(zero_copy_only=False)
    offsets = np.zeros(len(lengths) + 1, dtype=np.int32)
    np.cumsum(lengths, out=offsets[1:])
    values = lists.flatten().cast(pa.large_string()).dictionary_encode()
    return pa.ListArray.from_arrays(pa.array(offsets), values)


def read_ranked(data: bytes, key_index: pd.Index, *, column: str, id_column: str, k: int) -> pd.DataFrame | None:
    """Read a checked upload with header ``id_column,column``; None when the checked path must decide."""
    if not data.isascii():
        return None
    buf = np.frombuffer(data, dtype=np.uint8)
    pos = np.flatnonzero(buf <= 44)
    cls = _CLASS[buf[pos]]
    if bool((cls == _UNUSUAL).any()):
        return None
    keep = cls != _TOKEN
    pos, cls = pos[keep], cls[keep]
    crs = pos[cls == _CR]
    if crs.size and (crs[-1] + 1 >= len(buf) or bool((buf[crs + 1] != 10).any())):
        return None  # a lone CR ends a line for pandas
    cls[cls == _CR] = _BLANK
    newlines = np.flatnonzero(cls == _NEWLINE)
    if newlines.size == 0:
        return None
    header = data[: pos[newlines[0]]].decode("ascii").split(",")
    if [name.strip() for name in header] != [id_column, column]:
        return None
    pos, cls = pos[newlines[0] :], cls[newlines[0] :]
    if buf[-1] != 10:
        pos, cls = np.append(pos, len(buf)), np.append(cls, np.int8(_NEWLINE))
    return _table(_padded(buf), pos, cls, key_index, column=column, id_column=id_column, k=k)


def _table(
    buf: np.ndarray, pos: np.ndarray, cls: np.ndarray, key_index: pd.Index, *, column: str, id_column: str, k: int
) -> pd.DataFrame | None:
    """Turn separator positions (starting with the header's newline) into the aligned frame."""
    n_lines = int(np.count_nonzero(cls == _NEWLINE)) - 1
    if n_lines == 0 or n_lines != len(key_index) or np.count_nonzero(cls == _COMMA) != n_lines:
        return None
    has_token = pos[1:] > pos[:-1] + 1
    starts = pos[:-1][has_token] + 1
    lengths = pos[1:][has_token] - starts
    before, after = cls[:-1][has_token], cls[1:][has_token]
    is_id = before == _NEWLINE
    id_at = np.flatnonzero(is_id)
    # Every line starts with an id token that runs up to the line's only comma.
    if len(id_at) != n_lines or bool((after[id_at] != _COMMA).any()):
        return None
    counts = np.diff(id_at, append=len(starts)) - 1
    if int(counts.max()) > k:
        return None
    aligned, order = _alignment(buf, starts[id_at], lengths[id_at], key_index)
    if not aligned:
        return None
    label_starts, label_lengths = starts[~is_id], lengths[~is_id]
    encoded = _encode(buf, label_starts, label_lengths)
    if encoded is None:
        return None
    codes, dictionary = encoded
    if order is not None:
        codes, counts = _reorder(codes, counts, order)
    offsets = np.zeros(len(counts) + 1, dtype=np.int32)
    np.cumsum(counts, out=offsets[1:])
    values = pa.DictionaryArray.from_arrays(pa.array(codes), dictionary)
    lists = pa.ListArray.from_arrays(pa.array(offsets), values)
    frame = pd.DataFrame({column: pd.arrays.ArrowExtensionArray(lists)}, index=key_index.copy())
    frame.index.name = id_column
    return frame


def _padded(buf: np.ndarray) -> np.ndarray:
    """Return the bytes followed by eight zero bytes, so any string start can be read as a whole word."""
    out = np.zeros(len(buf) + 8, dtype=np.uint8)
    out[: len(buf)] = buf
    return out


def _words(padded: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Return each string's bytes as zero-padded little-endian uint64 words, shape (n, words)."""
    n_words = max(1, -(-int(lengths.max(initial=0)) // 8))
    view = np.ndarray(shape=(len(padded) - 7,), dtype="<u8", buffer=padded, strides=(1,))
    out = np.empty((len(starts), n_words), dtype=np.uint64)
    for w in range(n_words):
        left = np.minimum(lengths, 8) if w == 0 else np.clip(lengths - 8 * w, 0, 8)
        # Words past a string's end are masked to zero; clamping only keeps their reads in bounds.
        out[:, w] = view[np.minimum(starts + 8 * w, len(view) - 1) if w else starts]
        out[:, w] &= _MASKS[left]
    return out


def _hash(words: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Mix words and lengths into one uint64 per string (equal strings give equal hashes)."""
    h = lengths.astype(np.uint64) * _MIX
    for w in range(words.shape[1]):
        h = (h ^ words[:, w]) * _MIX
        h ^= h >> np.uint64(31)
    return h


def _arrow_strings(index: pd.Index) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (bytes, starts, lengths) of an index of strings."""
    array = pa.array(index.array) if isinstance(index.dtype, pd.StringDtype | pd.ArrowDtype) else None
    if array is None or not pa.types.is_string(array.type) and not pa.types.is_large_string(array.type):
        array = pa.array(index.astype(str).to_numpy(dtype=object), type=pa.large_string())
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    array = array.cast(pa.large_string())
    offsets = np.frombuffer(array.buffers()[1], dtype=np.int64)[array.offset : array.offset + len(array) + 1]
    data = array.buffers()[2]
    buf = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, dtype=np.uint8)
    return _padded(buf), offsets[:-1], np.diff(offsets)


def _alignment(
    buf: np.ndarray, starts: np.ndarray, lengths: np.ndarray, key_index: pd.Index
) -> tuple[bool, np.ndarray | None]:
    """Return (ids match the key one to one, file rows in key order or None if already in key order)."""
    key_buf, key_starts, key_lengths = _arrow_strings(key_index)
    if len(key_starts) != len(starts) or int(key_lengths.max()) != int(lengths.max()):
        return False, None
    words, key_words = _words(buf, starts, lengths), _words(key_buf, key_starts, key_lengths)
    if bool((lengths == key_lengths).all()) and bool((words == key_words).all()):
        return True, None
    hashes, key_hashes = _hash(words, lengths), _hash(key_words, key_lengths)
    by_hash, key_by_hash = np.argsort(hashes), np.argsort(key_hashes)
    sorted_keys = key_hashes[key_by_hash]
    if not np.array_equal(hashes[by_hash], sorted_keys) or bool((sorted_keys[1:] == sorted_keys[:-1]).any()):
        return False, None
    order = np.empty(len(starts), dtype=np.intp)
    order[key_by_hash] = by_hash
    if not (bool((lengths[order] == key_lengths).all()) and bool((words[order] == key_words).all())):
        return False, None
    return True, order


def _encode(buf: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, pa.Array] | None:
    """Dictionary-encode the tokens exactly: (int32 codes, large_string dictionary), None on a hash clash."""
    if len(starts) == 0:
        return np.zeros(0, dtype=np.int32), pa.array([], type=pa.large_string())
    words = _words(buf, starts, lengths)
    hashes = _hash(words, lengths)
    vocab = pd.unique(hashes[:_SAMPLE])
    codes = pd.Index(vocab).get_indexer(hashes)
    unseen = codes < 0
    if bool(unseen.any()):
        vocab = np.concatenate([vocab, pd.unique(hashes[unseen])])
        codes[unseen] = pd.Index(vocab).get_indexer(hashes[unseen])
    first = np.empty(len(vocab), dtype=np.intp)
    first[codes] = np.arange(len(codes))
    representative = first[codes]
    if not (bool((lengths[representative] == lengths).all()) and bool((words[representative] == words).all())):
        return None
    rep_starts, rep_lengths = starts[first], lengths[first]
    offsets = np.zeros(len(first) + 1, dtype=np.int64)
    np.cumsum(rep_lengths, out=offsets[1:])
    spans = np.repeat(rep_starts - offsets[:-1], rep_lengths) + np.arange(int(offsets[-1]))
    dictionary = pa.LargeStringArray.from_buffers(
        len(first), pa.py_buffer(offsets), pa.py_buffer(np.ascontiguousarray(buf[spans]))
    )
    return codes.astype(np.int32), dictionary


def _reorder(codes: np.ndarray, counts: np.ndarray, order: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Reorder the rows' code runs so that row i becomes file row ``order[i]``."""
    first = np.zeros(len(counts), dtype=np.int64)
    np.cumsum(counts[:-1], out=first[1:])
    new_counts = counts[order]
    new_first = np.zeros(len(counts), dtype=np.int64)
    np.cumsum(new_counts[:-1], out=new_first[1:])
    total = int(new_counts.sum())
    taken = np.repeat(first[order] - new_first, new_counts) + np.arange(total)
    return codes[taken], new_counts
