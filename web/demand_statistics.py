"""Reading a statistics request (grouping, period, window), and drawing its figures as CSV and inline SVG bars."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass
from datetime import date

from markupsafe import Markup, escape

from arena import demands
from arena.errors import InvalidInput

BAR_WIDTH = 640
BAR_HEIGHT = 18
LABEL_WIDTH = 150


@dataclass(frozen=True)
class StatsRequest:
    """What a visitor asked for: rows by period, field or region, a period width and a window."""

    grouping: demands.Grouping
    period: demands.Period
    window: demands.Window


def _day(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput("'%(field)s' must be a date like 2026-01-01", field=name, params={"field": name}) from None


def parse_request(args: dict[str, str]) -> StatsRequest:
    """The statistics request from query arguments (by, period, start, end); InvalidInput names a bad one."""
    by = args.get("by") or "period"
    if by not in {"period", "field", "region"}:
        raise InvalidInput("'by' must be period, field or region", field="by")
    period = args.get("period") or "month"
    if period not in {p.value for p in demands.Period}:
        raise InvalidInput("'period' must be month, quarter or year", field="period")
    window = demands.Window(_day(args.get("start"), "start"), _day(args.get("end"), "end"))
    if window.start and window.end and window.end <= window.start:
        raise InvalidInput("'end' must be after 'start'", field="end")
    return StatsRequest(demands.Grouping(by), demands.Period(period), window)


def to_csv(rows: list[demands.StatRow], key_name: str) -> str:
    """The rows as CSV with a header line."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([key_name, *demands.FIGURES])
    for row in rows:
        values = asdict(row)
        writer.writerow([row.key, *(values[name] for name in demands.FIGURES)])
    return out.getvalue()


def bars(rows: list[tuple[str, int]], title: str) -> Markup:
    """A horizontal bar chart of labelled values as inline SVG (labels escaped; no script)."""
    if not rows:
        return Markup("")
    peak = max(value for _, value in rows) or 1
    height = BAR_HEIGHT * len(rows) + 8
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {BAR_WIDTH} {height}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet" aria-label="{escape(title)}">'
    ]
    span = BAR_WIDTH - LABEL_WIDTH - 90
    for i, (label, value) in enumerate(rows):
        y = 4 + i * BAR_HEIGHT
        width = max(1.0, value / peak * span) if value else 0.0
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 13}" text-anchor="end" font-size="12">{escape(label[:24])}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y + 2}" width="{width:.1f}" height="{BAR_HEIGHT - 5}" fill="#1f77b4"/>'
            f'<text x="{LABEL_WIDTH + width + 4:.1f}" y="{y + 13}" font-size="12">{value:,}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every data-derived text above is escaped)
