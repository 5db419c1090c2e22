"""Turning uploaded CSV bytes into a table of strings, with readable errors."""

from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd

from scorers.errors import ScorerError

BOM = b"\xef\xbb\xbf"
# Control characters other than tab, LF and CR mean the upload is not a text CSV.
_CONTROL = np.zeros(256, dtype=bool)
_CONTROL[[c for c in range(32) if c not in (9, 10, 13)] + [127]] = True
_FIELDS_RE = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
MAX_SHOWN = 40
_SNIFF_BYTES = 1 << 16


def string_dtype() -> str:
    """Return the dtype used for string columns (Arrow-backed when pandas supports it)."""
    try:
        pd.api.types.pandas_dtype("large_string[pyarrow]")
    except (ImportError, TypeError):  # pragma: no cover - depends on the installed pandas
        return "object"
    return "large_string[pyarrow]"


_STRING_DTYPE = string_dtype()


def clipped(value: object) -> str:
    """Return a participant-supplied value made printable and cut to at most 40 characters."""
    text = "".join(ch if ch.isprintable() else "?" for ch in str(value))
    return text[: MAX_SHOWN - 1] + "…" if len(text) > MAX_SHOWN else text


def shown(value: object) -> str:
    """Quote a participant-supplied value for a message: printable and at most 40 characters."""
    return "'" + clipped(value).replace("'", "\\'") + "'"


def shown_list(values: list[str], limit: int = 5) -> str:
    """Quote the first few values of a list for a message."""
    head = ", ".join(shown(v) for v in values[:limit])
    more = len(values) - limit
    return head + (f" and {more} more" if more > 0 else "")


EMPTY = "The %(what)s is empty. Upload a CSV file with a header row and one row per id."


def check_bytes(data: bytes, *, what: str, error: type[ScorerError], max_bytes: int | None = None) -> bytes:
    """Check size and encoding of an upload and return it without a UTF-8 BOM."""
    if max_bytes is not None and len(data) > max_bytes:
        raise error(
            "The %(what)s is %(size)s bytes, larger than the limit of %(limit)s bytes. "
            "Remove unneeded columns or whitespace, or compress nothing: upload a plain CSV file.",
            code="file_too_large",
            what=what,
            size=f"{len(data):,}",
            limit=f"{max_bytes:,}",
        )
    if data.startswith(BOM):
        data = data[len(BOM) :]
    if not data or data.isspace():
        raise error(EMPTY, code="empty_file", what=what)
    # NUL anywhere, or other control bytes near the start, mark binary formats (xlsx, zip, parquet).
    head = np.frombuffer(data[:_SNIFF_BYTES], dtype=np.uint8)
    if b"\x00" in data or bool(_CONTROL[head].any()):
        raise error(
            "The %(what)s looks like a binary file (it contains control bytes such as NUL). "
            "Upload a plain-text CSV file (not Excel, zip or parquet).",
            code="binary_file",
            what=what,
        )
    if data.isascii():
        return data
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise error(
            "The %(what)s is not valid UTF-8 text (first bad byte at offset %(offset)s). "
            "Save it as CSV with UTF-8 encoding.",
            code="bad_encoding",
            what=what,
            offset=exc.start,
        ) from None
    return data


def parse_csv(data: bytes, *, what: str, error: type[ScorerError]) -> tuple[list[str], pd.DataFrame]:
    """Parse checked CSV bytes into (header, table of string columns named 0..n-1)."""
    try:
        # The header row is parsed as data so that it fixes the field count for every later line.
        table = pd.read_csv(
            io.BytesIO(data),
            header=None,
            dtype=_STRING_DTYPE,
            na_filter=False,
            engine="c",
            skip_blank_lines=True,
        )
    except pd.errors.EmptyDataError:
        raise error(EMPTY, code="empty_file", what=what) from None
    except pd.errors.ParserError as exc:
        template, params = _parser_message(str(exc))
        raise error(template, code="not_csv", what=what, **params) from None
    except (ValueError, UnicodeDecodeError):
        raise error(
            "The %(what)s could not be read as CSV. Check quoting and separators.", code="not_csv", what=what
        ) from None
    header = [str(name).strip() for name in table.iloc[0].tolist()]
    body = table.iloc[1:].reset_index(drop=True)
    return header, body


def _parser_message(text: str) -> tuple[str, dict[str, object]]:
    """Translate a pandas parser error into a message template (and its parameters) that names the line."""
    match = _FIELDS_RE.search(text)
    if match:
        expected, line, saw = match.groups()
        return (
            "The %(what)s could not be parsed: line %(line)s has %(saw)s fields but the header has %(expected)s. "
            "Check for unquoted commas in values.",
            {"line": line, "saw": saw, "expected": expected},
        )
    if "EOF inside string" in text or "quote" in text.lower():
        return "The %(what)s could not be parsed: a quoted value is never closed. Check your quoting.", {}
    return "The %(what)s could not be parsed as CSV. Check quoting and the number of fields on each line.", {}
