"""A tiny, safe Markdown subset: headings, paragraphs, lists, tables, fenced code, inline code, bold, italics.

Every piece of source text is HTML-escaped before any markup is added, so challenge pages cannot inject
HTML or scripts; links are shown as text.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_BULLET = re.compile(r"^\s*[-*+]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*\d+[.)]\s+(.*)$")
_SEPARATOR = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?$")
_CODE_SPAN = re.compile(r"`([^`]+)`")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![*\w])\*(?!\s)(.+?)(?<!\s)\*(?![*\w])")


def _inline(text: str) -> str:
    """Escape ``text`` and apply code spans, bold and italics."""
    pieces = []
    last = 0
    for match in _CODE_SPAN.finditer(text):
        pieces.append(_emphasis(str(escape(text[last : match.start()]))))
        pieces.append(f"<code>{escape(match.group(1))}</code>")
        last = match.end()
    pieces.append(_emphasis(str(escape(text[last:]))))
    return "".join(pieces)


def _emphasis(escaped: str) -> str:
    escaped = _BOLD.sub(r"<strong>\1</strong>", escaped)
    return _ITALIC.sub(r"<em>\1</em>", escaped)


def _cells(row: str) -> list[str]:
    return [cell.strip() for cell in row.strip().strip("|").split("|")]


def _table(rows: list[str]) -> str:
    """Render pipe-table rows; a second row of dashes marks the first row as the header."""
    header: list[str] = []
    if len(rows) > 1 and _SEPARATOR.match(rows[1].strip()):
        header, rows = _cells(rows[0]), rows[2:]
    head = "".join(f"<th>{_inline(cell)}</th>" for cell in header)
    body = "".join("<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in _cells(row)) + "</tr>" for row in rows)
    thead = f"<thead><tr>{head}</tr></thead>" if head else ""
    # A table wider than the screen scrolls inside its own box instead of widening the page.
    return f'<div class="table-scroll"><table>{thead}<tbody>{body}</tbody></table></div>'


def _without_title(lines: list[str], title: str | None) -> list[str]:
    """Drop a first heading that only repeats ``title``, the heading the page already shows above the text."""
    start = next((i for i, line in enumerate(lines) if line.strip()), len(lines))
    heading = _HEADING.match(lines[start]) if start < len(lines) else None
    if title and heading and heading.group(2).strip().casefold() == title.strip().casefold():
        return lines[start + 1 :]
    return lines


def render_markdown(source: str | None, title: str | None = None) -> Markup:
    """Render the Markdown subset to safe HTML; a first heading equal to ``title`` (shown already) is left out."""
    out: list[str] = []
    paragraph: list[str] = []
    list_tag: str | None = None
    items: list[str] = []
    lines = _without_title((source or "").replace("\r\n", "\n").split("\n"), title)

    def flush() -> None:
        nonlocal list_tag
        if paragraph:
            out.append("<p>" + _inline(" ".join(paragraph)) + "</p>")
            paragraph.clear()
        if list_tag:
            out.append(f"<{list_tag}>" + "".join(f"<li>{item}</li>" for item in items) + f"</{list_tag}>")
            items.clear()
            list_tag = None

    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if line.strip().startswith("```"):
            flush()
            code: list[str] = []
            while index < len(lines) and not lines[index].strip().startswith("```"):
                code.append(lines[index])
                index += 1
            index += 1
            out.append("<pre><code>" + str(escape("\n".join(code))) + "</code></pre>")
            continue
        if line.lstrip().startswith(">"):
            flush()
            quoted = [line.lstrip()[1:].removeprefix(" ")]
            while index < len(lines) and lines[index].lstrip().startswith(">"):
                quoted.append(lines[index].lstrip()[1:].removeprefix(" "))
                index += 1
            out.append(f"<blockquote>{render_markdown(chr(10).join(quoted))}</blockquote>")
            continue
        if line.strip().startswith("|"):
            flush()
            rows = [line]
            while index < len(lines) and lines[index].strip().startswith("|"):
                rows.append(lines[index])
                index += 1
            out.append(_table(rows))
            continue
        heading = _HEADING.match(line)
        bullet = _BULLET.match(line)
        numbered = _NUMBERED.match(line)
        if not line.strip():
            flush()
        elif heading:
            flush()
            level = min(len(heading.group(1)) + 1, 6)
            out.append(f"<h{level}>{_inline(heading.group(2).strip())}</h{level}>")
        elif bullet or numbered:
            tag = "ul" if bullet else "ol"
            if paragraph or (list_tag and list_tag != tag):
                flush()
            list_tag = tag
            items.append(_inline((bullet or numbered).group(1).strip()))  # type: ignore[union-attr]
        elif list_tag and line.startswith((" ", "\t")):
            items[-1] += " " + _inline(line.strip())
        else:
            if list_tag:
                flush()
            paragraph.append(line.strip())
    flush()
    # Every fragment in ``out`` was built from escaped text above.
    return Markup("\n".join(out))  # noqa: S704
