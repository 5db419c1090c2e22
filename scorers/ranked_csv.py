"""A fast reader for plain ``id,ranked labels`` CSV files, tokenised by pandas' C parser.

The comma of every line becomes a blank, so the parser itself splits the id and up to ``k`` labels into
columns. The reader only accepts files it reads exactly like the checked path in ``scorers.validation``
(ASCII, no quotes, exactly one comma per line, no blank lines or padded ids, ids that match the key one
to one, at most ``k`` labels per row) and returns None for anything else, so callers fall back to the
checked path and its messages.
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
    text, regular = prepared
    table = _parse(text, k, regular)
    if table is None or len(table) != len(key_index):
        return None
    if bool((table[k + 1] != "").any()):
        return None  # more than k labels: the checked path names the row
    aligned, rows = _alignment(table[0], key_index)
    if not aligned:
        return None
    ranks = [table[j].array for j in range(1, k + 1)]
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


def _blanked(body: bytes, n_rows: int) -> tuple[bytes, bool] | None:
    """Check line structure; return the body with commas and tabs as blanks, and whether blanks are single."""
    buf = np.frombuffer(body, dtype=np.uint8)
    comma, newline = buf == _COMMA, buf == _NEWLINE
    marks = buf[comma | newline]
    # Exactly one comma on every line, and no blank lines.
    if len(marks) != 2 * n_rows or bool((marks[0::2] != _COMMA).any()) or bool((marks[1::2] != _NEWLINE).any()):
        return None
    controls = int(np.count_nonzero(buf < _BLANK))
    if controls == n_rows:
        text = body.replace(b",", b" ")
    elif controls == n_rows + body.count(b"\t"):
        text = body.replace(b",", b" ").replace(b"\t", b" ")
    else:
        return None  # control bytes other than tab and newline (str.split treats some as blanks)
    blank = np.frombuffer(text, dtype=np.uint8) == _BLANK
    if bool(blank[0]) or bool((newline[:-1] & blank[1:]).any()):
        return None  # padded ids
    regular = not bool((blank[1:] & blank[:-1]).any())
    return text, regular


def _parse(text: bytes, k: int, regular: bool) -> pd.DataFrame | None:
    """Split every line into the id, k label columns and one overflow column (None on parser errors)."""
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
