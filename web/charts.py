"""Rendering chart data as inline SVG, server-side: no JavaScript, no build step.

Every text that comes from data (team names) is escaped; numbers are formatted here. Axis dates are in
the viewer's zone, like every other time on the pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape

from arena.boards import Histogram, PhaseChart, TeamSeries, challenge_charts
from arena.models import Challenge
from arena.permissions import Actor
from web import state
from web.i18n import pick
from web.times import viewer_zone_name

WIDTH = 640
HEIGHT = 260
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 12, 36
PALETTE = (
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
)  # fmt: skip


# Where a scorer's primary metric can lie (None: unbounded on that side); the chart's y-axis starts and ends
# there, so an accuracy of 0.6 is drawn at 60 % of a 0–1 axis rather than alone in the middle of nowhere.
METRIC_BOUNDS: dict[str, tuple[float | None, float | None]] = {
    **dict.fromkeys(
        ("accuracy", "balanced_accuracy", "macro_f1", "roc_auc", "map_at_k", "open_set", "reid_cmc_map"), (0.0, 1.0)
    ),
    **dict.fromkeys(("rmse", "mae", "log_loss"), (0.0, None)),
    "r2": (None, 1.0),
}


def y_range(scores: list[float], bounds: tuple[float | None, float | None]) -> tuple[float, float]:
    """The y-axis of a chart of ``scores``: the metric's bounds where known, else the data with some room."""
    low_bound, high_bound = bounds
    low, high = min(scores, default=0.0), max(scores, default=1.0)
    room = (high - low) * 0.1 or max(abs(high) * 0.1, 0.1)
    y_low = low_bound if low_bound is not None and low >= low_bound else low - room
    y_high = high_bound if high_bound is not None and high <= high_bound else high + room
    if low_bound is not None and y_low < low_bound <= low:
        y_low = low_bound
    return y_low, y_high


def _number(value: float, precision: int) -> str:
    return f"{value:.{max(0, precision)}f}"


def _when(moment: datetime) -> str:
    try:
        zone = ZoneInfo(viewer_zone_name())
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return moment.astimezone(zone if zone.key != "UTC" else UTC).strftime("%m-%d %H:%M")


class _Frame:
    """Maps data coordinates onto the drawing area."""

    def __init__(self, x_low: float, x_high: float, y_low: float, y_high: float) -> None:
        if y_high == y_low:
            y_low, y_high = y_low - 0.5, y_high + 0.5
        if x_high == x_low:
            x_high = x_low + 1
        self.x_low, self.x_high, self.y_low, self.y_high = x_low, x_high, y_low, y_high

    def x(self, value: float) -> float:
        """Horizontal pixel of a data x."""
        return LEFT + (value - self.x_low) / (self.x_high - self.x_low) * (WIDTH - LEFT - RIGHT)

    def y(self, value: float) -> float:
        """Vertical pixel of a data y."""
        return HEIGHT - BOTTOM - (value - self.y_low) / (self.y_high - self.y_low) * (HEIGHT - TOP - BOTTOM)


def _axes(frame: _Frame, y_labels: tuple[str, str], x_labels: tuple[str, str]) -> list[str]:
    bottom, right = HEIGHT - BOTTOM, WIDTH - RIGHT
    return [
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{bottom}" stroke="#888"/>',
        f'<line x1="{LEFT}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="#888"/>',
        f'<text x="{LEFT - 4}" y="{frame.y(frame.y_high) + 4:.1f}" text-anchor="end">{escape(y_labels[1])}</text>',
        f'<text x="{LEFT - 4}" y="{frame.y(frame.y_low):.1f}" text-anchor="end">{escape(y_labels[0])}</text>',
        f'<text x="{LEFT}" y="{HEIGHT - 18}" text-anchor="start">{escape(x_labels[0])}</text>',
        f'<text x="{right}" y="{HEIGHT - 18}" text-anchor="end">{escape(x_labels[1])}</text>',
    ]


def _svg(body: list[str], label: str) -> Markup:
    head = (
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-label="{escape(label)}" font-size="11" font-family="sans-serif">'
    )
    return Markup(head + "".join(body) + "</svg>")  # noqa: S704 (every data-derived text above is escaped)


def _series_markup(frame: _Frame, series: TeamSeries, colour: str, end: float, precision: int) -> list[str]:
    coords: list[str] = []
    dots: list[str] = []
    for index, point in enumerate(series.points):
        x, y = frame.x(point.at.timestamp()), frame.y(point.score)
        if index:
            coords.append(f"{x:.1f},{frame.y(series.points[index - 1].score):.1f}")
        coords.append(f"{x:.1f},{y:.1f}")
        title = f"{series.team_name}: {_number(point.score, precision)} ({_when(point.at)})"
        dots.append(
            f'<circle class="point" data-team="{series.team_id}" cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}">'
            f"<title>{escape(title)}</title></circle>"
        )
    if len(series.points) == 1:
        # One score is one point: no line leading from it to the chart's edge.
        return dots
    coords.append(f"{frame.x(end):.1f},{frame.y(series.best):.1f}")
    line = (
        f'<polyline class="series" data-team="{series.team_id}" fill="none" stroke="{colour}" '
        f'stroke-width="1.5" points="{" ".join(coords)}"/>'
    )
    return [line, *dots]


def best_over_time_svg(
    chart: PhaseChart, precision: int, label: str, bounds: tuple[float | None, float | None] = (None, None)
) -> Markup:
    """Draw each team's best score as a step line over the phase, with a dot where it improved."""
    scores = [p.score for s in chart.series for p in s.points]
    start, end = chart.start.timestamp(), chart.end.timestamp()
    frame = _Frame(start, end, *y_range(scores, bounds))
    body = _axes(
        frame,
        (_number(frame.y_low, precision), _number(frame.y_high, precision)),
        (_when(chart.start), _when(chart.end)),
    )
    legend: list[str] = []
    for index, series in enumerate(chart.series):
        colour = PALETTE[index % len(PALETTE)]
        body += _series_markup(frame, series, colour, end, precision)
        legend.append(
            f'<text class="legend" x="{WIDTH - RIGHT - 4}" y="{TOP + 12 * (index + 1)}" text-anchor="end" '
            f'fill="{colour}">{escape(series.team_name)}</text>'
        )
    return _svg(body + legend, label)


def histogram_svg(histogram: Histogram, precision: int, label: str) -> Markup:
    """Draw the score distribution as bars, one per bin."""
    if not histogram.counts:
        return _svg([], label)
    frame = _Frame(0, len(histogram.counts), 0, max(histogram.counts))
    body = _axes(
        frame,
        ("0", str(max(histogram.counts))),
        (_number(histogram.edges[0], precision), _number(histogram.edges[-1], precision)),
    )
    width = frame.x(1) - frame.x(0)
    for index, count in enumerate(histogram.counts):
        low, high = histogram.edges[index], histogram.edges[index + 1]
        title = f"{_number(low, precision)} – {_number(high, precision)}: {count}"
        body.append(
            f'<rect class="bar" x="{frame.x(index) + 1:.1f}" y="{frame.y(count):.1f}" width="{max(width - 2, 1):.1f}" '
            f'height="{frame.y(0) - frame.y(count):.1f}" fill="#4c78a8" data-count="{count}">'
            f"<title>{escape(title)}</title></rect>"
        )
    return _svg(body, label)


@dataclass(frozen=True)
class ChartView:
    """One phase's charts, rendered for the challenge page."""

    title: str
    split: str
    frozen_at: datetime | None
    best_svg: Markup
    histogram_svg: Markup


def challenge_chart_views(challenge: Challenge, actor: Actor, now: datetime) -> list[ChartView]:
    """Render every chart the viewer may see on a challenge's page."""
    phases = [phase for track in challenge.tracks for phase in track.phases]
    views = []
    for chart in challenge_charts(state.session(), phases, actor, now):
        phase = next(p for p in phases if p.id == chart.phase_id)
        locale = str(get_locale() or "en")
        precision = phase.track.precision
        views.append(
            ChartView(
                title=f"{pick(phase.track.title, locale)} · {pick(phase.title, locale)}",
                split=chart.split.value,
                frozen_at=chart.frozen_at,
                best_svg=best_over_time_svg(
                    chart,
                    precision,
                    _("Best score of the leading teams over time"),
                    METRIC_BOUNDS.get(phase.track.scorer, (None, None)),
                ),
                histogram_svg=histogram_svg(
                    chart.histogram, precision, _("Distribution of the scores of all submissions")
                ),
            )
        )
    return views
