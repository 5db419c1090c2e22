"""The numbers the programme reports: demands filed / approved / published, sponsors, intended investment,
respondents, solutions, matches, deals and contract value, by period (month, quarter, year; in UTC), field or region.

The whole months of a window are answered from the roll-ups (``arena.demands.rollups``): the additive figures
summed over month × field × region cells, the distinct sponsors and respondents counted as presence rows of the
coarsest buckets (year, quarter, month; all time) that tile the window. The days of a window outside whole
months are counted from the raw rows, and the distinct counts take the union of both.
"""

from __future__ import annotations

import typing
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, func, literal, or_, select, union_all
from sqlalchemy.orm import Session

from arena.demands.rollups import bucket_of
from arena.demands.statistics_raw import (
    ANSWERED,
    FIGURES,
    Grouping,
    Period,
    StatRow,
    Window,
    period_key,
    raw_members,
    raw_statistics,
    text_key,
)
from arena.models import DemandStatMonth, DemandStatPresence

__all__ = ["ANSWERED", "FIGURES", "Grouping", "Period", "StatRow", "Window", "statistics", "totals"]

DISTINCT = ("sponsors", "respondents")
Piece = tuple[str, date | None, date | None]  # grain, first bucket (inclusive), last bucket (exclusive)


def _next(day: date, grain: str) -> date:
    months = {"month": 1, "quarter": 3, "year": 12}[grain]
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _split(window: Window) -> tuple[tuple[date | None, date | None] | None, list[Window]]:
    """The whole months of the window (first day of each end, None when open) and the days outside them."""
    lo = None if window.start is None else window.start if window.start.day == 1 else _next(window.start, "month")
    hi = None if window.end is None else window.end.replace(day=1)
    if lo is not None and hi is not None and lo >= hi:
        return None, [window]
    edges = []
    if window.start is not None and lo != window.start:
        edges.append(Window(window.start, lo))
    if window.end is not None and hi != window.end:
        edges.append(Window(hi, window.end))
    return (lo, hi), edges


def pieces(lo: date | None, hi: date | None, grains: list[str]) -> list[Piece]:
    """Tile the months from ``lo`` to ``hi`` (month starts, None when open) with the coarsest grains first."""
    grain, rest = grains[0], grains[1:]
    if not rest:
        return [(grain, lo, hi)]
    first = None if lo is None else lo if bucket_of(grain, lo) == lo else _next(bucket_of(grain, lo), grain)
    last = None if hi is None else bucket_of(grain, hi)
    if first is not None and last is not None and first >= last:
        return pieces(lo, hi, rest)
    out: list[Piece] = [(grain, first, last)]
    if lo is not None and first is not None and first != lo:
        out += pieces(lo, first, rest)
    if hi is not None and last is not None and last != hi:
        out += pieces(last, hi, rest)
    return out


def _tiling(grouping: Grouping, period: Period, lo: date | None, hi: date | None) -> list[Piece]:
    if grouping is Grouping.PERIOD:
        grains = {Period.YEAR: ["year", "quarter", "month"], Period.QUARTER: ["quarter", "month"]}
        return pieces(lo, hi, grains.get(period, ["month"]))
    if lo is None and hi is None:
        return [("all", None, None)]
    return pieces(lo, hi, ["year", "quarter", "month"] if grouping is Grouping.TOTAL else ["year", "month"])


def _within(column: Any, lo: date | None, hi: date | None) -> list[ColumnElement[bool]]:
    return [*([column >= lo] if lo else []), *([column < hi] if hi else [])]


def _additive(session: Session, grouping: Grouping, period: Period, lo: date | None, hi: date | None) -> Select[Any]:
    cell = DemandStatMonth
    key: Any = literal("total")
    if grouping is Grouping.PERIOD:
        key = period_key(session, cell.month, period)
    elif grouping is not Grouping.TOTAL:
        key = cell.field if grouping is Grouping.FIELD else cell.region
    key = key.label("key")
    sums = [func.coalesce(func.sum(getattr(cell, name)), 0).label(name) for name in FIGURES if name not in DISTINCT]
    return select(key, *sums).where(*_within(cell.month, lo, hi)).group_by(key)


def _one_bucket_per_key(grouping: Grouping, period: Period, tiles: list[Piece]) -> bool:
    """Whether every group key is answered by one bucket (so no organization can be counted twice)."""
    if grouping is Grouping.PERIOD:
        return all(grain == period.value for grain, _, _ in tiles)
    if len(tiles) != 1:
        return False
    grain, lo, hi = tiles[0]
    return grain == "all" or (lo is not None and hi is not None and _next(lo, grain) == hi)


def _distinct(
    session: Session, kind: str, grouping: Grouping, period: Period, tiles: list[Piece], edges: list[Window]
) -> Select[Any]:
    p = DemandStatPresence
    dim = {Grouping.FIELD: "field", Grouping.REGION: "region"}.get(grouping, "")
    key: Any = p.bucket if grouping is Grouping.PERIOD else literal("total") if grouping is Grouping.TOTAL else p.value
    parts: list[Select[Any]] = []
    chosen = or_(false(), *(and_(p.grain == grain, *_within(p.bucket, a, b)) for grain, a, b in tiles))
    if not edges and _one_bucket_per_key(grouping, period, tiles):
        # Each (key, organization) is one presence row: count rows, in the primary key's order.
        return (
            select(key.label("key"), func.count().label("n")).where(p.kind == kind, p.dim == dim, chosen).group_by(key)
        )
    if tiles:
        parts.append(
            select(key.label("key"), p.organization_id.label("organization_id")).where(
                p.kind == kind, p.dim == dim, chosen
            )
        )
    parts += [raw_members(session, kind, grouping, edge) for edge in edges]
    members = (parts[0] if len(parts) == 1 else union_all(*parts)).subquery()
    outer: Any = period_key(session, members.c.key, period) if grouping is Grouping.PERIOD else members.c.key
    unique = select(outer.label("key"), members.c.organization_id).distinct().subquery()
    return select(unique.c.key, func.count().label("n")).group_by(unique.c.key)


def statistics(
    session: Session,
    grouping: Grouping = Grouping.PERIOD,
    period: Period = Period.MONTH,
    window: Window = Window(),  # noqa: B008
) -> list[StatRow]:
    """The programme's figures, one row per period, field or region (or one row in all), ordered by key."""
    figures: dict[str, dict[str, int]] = {}
    months, edges = _split(window)
    if months is not None:
        for row in session.execute(_additive(session, grouping, period, *months)).mappings():
            bucket = figures.setdefault(text_key(row["key"], period), {})
            for name in FIGURES:
                if name not in DISTINCT:
                    bucket[name] = bucket.get(name, 0) + int(row[name] or 0)
    for edge in edges:
        for edge_row in raw_statistics(session, grouping, period, edge):
            bucket = figures.setdefault(edge_row.key, {})
            for name in FIGURES:
                if name not in DISTINCT:
                    bucket[name] = bucket.get(name, 0) + getattr(edge_row, name)
    tiles = _tiling(grouping, period, *months) if months is not None else []
    for kind, name in (("sponsor", "sponsors"), ("respondent", "respondents")):
        for key, n in session.execute(_distinct(session, kind, grouping, period, tiles, edges)):
            figures.setdefault(text_key(key, period), {})[name] = int(n)
    return [
        StatRow(key, **typing.cast(dict[str, Any], values))
        for key, values in sorted(figures.items())
        if any(values.values())
    ]


def totals(session: Session, window: Window = Window()) -> StatRow:  # noqa: B008
    """The programme's figures over the whole window, in one row."""
    rows = statistics(session, Grouping.TOTAL, window=window)
    return rows[0] if rows else StatRow("total")
