"""A fast reader for plain ``id,ranked labels`` CSV files, tokenised by pandas' parsers.

The comma of every line becomes a blank, so the parser itself splits the id and up to ``k`` labels into
columns: pandas' pyarrow engine (multithreaded) when every line has the same number of fields, its C
parser otherwise. The reader only accepts files it reads exactly like the checked path in
``scorers.validation`` (ASCII, no quotes, exactly one comma per line and right after the id, no blank
lines or padded ids, ids that match the key one to one, at most ``k`` labels per row) and returns None
for anything else, so callers fall back to the checked path and its messages.
"""

from __future__ import annotations

import io
import warnings

import numpy as np
import pandas as pd

from scorers.ranked_lists import RankedLists
from scorers.table import string_dtype

_COMMA, _NEWLINE, _TAB, _BLANK = 44, 10, 9, 32


def read_ranked(data: bytes, key_index: pd.Index, *, column: str, id_column: str, k: int) -> pd.DataFrame | None:
    """Read a checked upload with header ``id_column,column``; None when the checked path must decide."""
    body = _body(data, column=column, id_column=id_column)
    if body is None:
        return None
    prepared = _blanked(body, len(key_index))
    if prepared is None:
        return None
    text, regular, comma_offsets = prepared
    table = _parse(text, k, regular)
    if table is None or len(table) != len(key_index):
        return None
    if not np.array_equal(table[0].str.len().to_numpy(dtype=np.int64), comma_offsets):
        return None  # a blank or tab before the comma: the checked path reads the id differently
    width = table.shape[1]
    if width > k + 1 and bool((table[k + 1] != "").any()):
        return None  # more than k labels: the checked path names the row
    aligned, rows = _alignment(table[0], key_index)
    if not aligned:
        return None
    ranks = [table[j].array for j in range(1, min(width, k + 1))]
    frame = pd.DataFrame({column: RankedLists(ranks, rows)}, index=key_index.copy())
    frame.index.name = id_column
    return frame


def _body(data: bytes, *, column: str, id_column: str) -> bytes | None:
    """Return the lines after a plain header, ending with a newline (None if unusual)."""
    if not data.isascii() or b'"' in data:
        return None
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n")
        if b"\r" in data:
            return None  # a lone CR ends a line for pandas
    end = data.find(b"\n")
    if end < 0 or [name.strip() for name in data[:end].split(b",")] != [id_column.encode(), column.encode()]:
        return None
    body = data[end + 1 :]
    if not body:
        return None
    return body if body.endswith(b"\n") else body + b"\n"


def _blanked(body: bytes, n_rows: int) -> tuple[bytes, bool, np.ndarray] | None:
    """Check line structure; return the body with commas and tabs as blanks, whether blanks are single,
    and each line's comma as an offset from the line's start."""
    buf = np.frombuffer(body, dtype=np.uint8)
    ends = np.flatnonzero(buf == _NEWLINE)
    commas = np.flatnonzero(buf == _COMMA)
    if len(ends) != n_rows or len(commas) != n_rows:
        return None
    starts = np.empty_like(ends)
    starts[0], starts[1:] = 0, ends[:-1] + 1
    # As many commas as lines, each inside its own line: exactly one comma per line (and no blank lines).
    if bool(((commas < starts) | (commas > ends)).any()):
        return None
    first = buf[starts]
    if bool(((first == _BLANK) | (first == _TAB) | (first == _COMMA)).any()):
        return None  # padded or empty ids
    text = body.replace(b",", b" ")
    controls = int(np.count_nonzero(buf < _BLANK))
    if controls != n_rows:
        if controls != n_rows + body.count(b"\t"):
            return None  # control bytes other than tab and newline (str.split treats some as blanks)
        text = text.replace(b"\t", b" ")
    blank = np.frombuffer(text, dtype=np.uint8) == _BLANK
    regular = not bool((blank[1:] & blank[:-1]).any())
    return text, regular, commas - starts


def _parse(text: bytes, k: int, regular: bool) -> pd.DataFrame | None:
    """Split every line into the id and its label columns (None on parser errors).

    Lines that all hold the same number of fields go through pandas' pyarrow engine (multithreaded);
    otherwise the C parser splits them into the id, k label columns and one overflow column.
    """
    if regular:
        table = _parse_uniform(text, k)
        if table is not None:
            return table
    with warnings.catch_warnings():
        # A first line longer than the names would be cut silently; make that an error.
        warnings.simplefilter("error", pd.errors.ParserWarning)
        try:
            return pd.read_csv(
                io.BytesIO(text),
                sep=" " if regular else r"\s+",
                header=None,
                names=list(range(k + 2)),
                index_col=False,
                dtype=string_dtype(),
                na_filter=False,
                engine="c",
                skip_blank_lines=False,
            )
        except (pd.errors.ParserError, pd.errors.ParserWarning, ValueError):
            return None


def _parse_uniform(text: bytes, k: int) -> pd.DataFrame | None:
    """Split lines with one field count each into columns; None when counts differ or exceed 1 + k."""
    try:
        table = pd.read_csv(
            io.BytesIO(text),
            sep=" ",
            header=None,
            dtype=string_dtype(),
            keep_default_na=False,
            engine="pyarrow",
        )
    except (ImportError, pd.errors.ParserError, ValueError):
        return None
    return table if table.shape[1] <= k + 1 else None


def _alignment(ids: pd.Series, key_index: pd.Index) -> tuple[bool, np.ndarray | None]:
    """Return (ids match the key one to one, each key id's row in the file or None if in key order)."""
    if bool(np.asarray(ids.array == key_index.array, dtype=bool).all()):
        return True, None
    n = len(key_index)
    key_ids = pd.Series(key_index.array, dtype=ids.dtype)
    codes, _ = pd.factorize(pd.concat([key_ids, ids], ignore_index=True))
    if not np.array_equal(codes[:n], np.arange(n)):
        return False, None  # the key repeats ids
    file_codes = codes[n:]
    if int(file_codes.max()) >= n or bool((np.bincount(file_codes, minlength=n) != 1).any()):
        return False, None
    rows = np.empty(n, dtype=np.intp)
    rows[file_codes] = np.arange(n)
    return True, rows
