"""Plain-text tables aligned for the terminal, counting wide (CJK) characters as two columns."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence


def width(text: str) -> int:
    """Return how many terminal columns ``text`` takes."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def cell(value: object) -> str:
    """Return a table cell's text: empty for None, yes/no for booleans."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Return the rows under their headers, columns padded to their widest cell."""
    texts = [[cell(v) for v in row] for row in rows]
    widths = [max([width(h)] + [width(r[i]) for r in texts]) for i, h in enumerate(headers)]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v + " " * (w - width(v)) for v, w in zip(values, widths, strict=True)).rstrip()

    out = [line(list(headers)), line(["-" * w for w in widths])]
    out += [line(r) for r in texts]
    return "\n".join(out)


def pairs(items: Sequence[tuple[str, object]]) -> str:
    """Return ``name: value`` lines with the names aligned."""
    pad = max((width(k) for k, _ in items), default=0)
    return "\n".join(f"{k}{' ' * (pad - width(k))}  {cell(v)}" for k, v in items)
