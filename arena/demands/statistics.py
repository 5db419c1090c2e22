"""The numbers the programme reports, computed in the database: demands, sponsors, investment, respondents,
solutions, matches, deals and contract value, by period (month, quarter, year; in UTC), field or region.

Each figure is one aggregate query over an indexed date column; a demand's field and region also classify its
responses, matches and deals.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Integer, String, cast, func, literal, select
from sqlalchemy.orm import Session

from arena.enums import ResponseStatus
from arena.models import Deal, Demand, DemandMatch, DemandResponse


class Period(StrEnum):
    """How wide one row of a statistics-by-period table is."""

    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


class Grouping(StrEnum):
    """What the rows of a statistics table stand for."""

    PERIOD = "period"
    FIELD = "field"
    REGION = "region"
    TOTAL = "total"


@dataclass(frozen=True)
class StatRow:
    """The programme's figures for one period, field or region (or all of them)."""

    key: str
    demands_filed: int = 0
    demands_approved: int = 0
    demands_published: int = 0
    sponsors: int = 0
    intended_investment: int = 0
    respondents: int = 0
    solutions: int = 0
    matches: int = 0
    deals: int = 0
    contract_value: int = 0


FIGURES = [f.name for f in fields(StatRow) if f.name != "key"]
ANSWERED = [s.value for s in ResponseStatus if s not in {ResponseStatus.DRAFT, ResponseStatus.WITHDRAWN}]


@dataclass(frozen=True)
class Window:
    """The time span counted: from ``start`` (inclusive) to ``end`` (exclusive), either open."""

    start: date | None = None
    end: date | None = None


def _period_key(session: Session, column: Any, period: Period) -> ColumnElement[Any]:
    if session.get_bind().dialect.name == "postgresql":
        # date_trunc is far cheaper per row than to_char; the key is given its text form in Python.
        return func.date_trunc(period.value, column)
    if period is Period.QUARTER:
        quarter = (cast(func.strftime("%m", column), Integer) + 2) // 3
        return func.strftime("%Y", column).concat("-Q").concat(cast(quarter, String))
    return func.strftime({Period.MONTH: "%Y-%m", Period.YEAR: "%Y"}[period], column)


def _text_key(value: Any, period: Period) -> str:
    """The printed form of a group's key: a period truncated by PostgreSQL becomes YYYY-MM, YYYY-Qn or YYYY."""
    if not isinstance(value, date):
        return str(value or "")
    if period is Period.MONTH:
        return f"{value.year:04d}-{value.month:02d}"
    if period is Period.QUARTER:
        return f"{value.year:04d}-Q{(value.month + 2) // 3}"
    return f"{value.year:04d}"


def _key(session: Session, grouping: Grouping, period: Period, column: Any) -> Any:
    if grouping is Grouping.PERIOD:
        return _period_key(session, column, period)
    if grouping is Grouping.FIELD:
        return Demand.field
    if grouping is Grouping.REGION:
        return Demand.region
    return literal("total")


def _bounds(column: Any, window: Window, *, is_date: bool) -> list[ColumnElement[bool]]:
    def moment(day: date) -> date | datetime:
        return day if is_date else datetime.combine(day, time(), tzinfo=UTC)

    conditions = [column.is_not(None)]
    if window.start is not None:
        conditions.append(column >= moment(window.start))
    if window.end is not None:
        conditions.append(column < moment(window.end))
    return conditions


def statistics(
    session: Session,
    grouping: Grouping = Grouping.PERIOD,
    period: Period = Period.MONTH,
    window: Window = Window(),  # noqa: B008
) -> list[StatRow]:
    """The programme's figures, one row per period, field or region (or one row in all), ordered by key."""
    figures: dict[str, dict[str, int]] = {}

    def gather(
        column: Any,
        values: dict[str, Any],
        *,
        joins_demand: bool,
        base: Any,
        is_date: bool = False,
        where: list[ColumnElement[bool]] | None = None,
    ) -> None:
        key = _key(session, grouping, period, column).label("key")
        statement = select(key, *(expression.label(name) for name, expression in values.items())).select_from(base)
        if joins_demand:
            statement = statement.join(Demand, Demand.id == base.demand_id)
        statement = statement.where(*_bounds(column, window, is_date=is_date), *(where or [])).group_by(key)
        for row in session.execute(statement).mappings():
            bucket = figures.setdefault(_text_key(row["key"], period), {})
            for name in values:
                bucket[name] = int(row[name] or 0)

    gather(
        Demand.submitted_at,
        {
            "demands_filed": func.count(Demand.id),
            "sponsors": func.count(func.distinct(Demand.sponsor_id)),
            "intended_investment": func.coalesce(func.sum(Demand.intended_investment), 0),
        },
        joins_demand=False,
        base=Demand,
    )
    gather(Demand.approved_at, {"demands_approved": func.count(Demand.id)}, joins_demand=False, base=Demand)
    gather(Demand.published_at, {"demands_published": func.count(Demand.id)}, joins_demand=False, base=Demand)
    gather(
        DemandResponse.submitted_at,
        {
            "solutions": func.count(DemandResponse.id),
            "respondents": func.count(func.distinct(DemandResponse.respondent_id)),
        },
        joins_demand=grouping in (Grouping.FIELD, Grouping.REGION),
        base=DemandResponse,
        where=[DemandResponse.status.in_(ANSWERED)],
    )
    gather(
        DemandMatch.at,
        {"matches": func.count(DemandMatch.id)},
        joins_demand=grouping in (Grouping.FIELD, Grouping.REGION),
        base=DemandMatch,
    )
    gather(
        Deal.signed_on,
        {
            "deals": func.count(Deal.id),
            "contract_value": func.coalesce(func.sum(Deal.value), 0),
        },
        joins_demand=grouping in (Grouping.FIELD, Grouping.REGION),
        base=Deal,
        is_date=True,
    )
    return [StatRow(key, **typing.cast(dict[str, Any], values)) for key, values in sorted(figures.items())]


def totals(session: Session, window: Window = Window()) -> StatRow:  # noqa: B008
    """The programme's figures over the whole window, in one row."""
    rows = statistics(session, Grouping.TOTAL, window=window)
    return rows[0] if rows else StatRow("total")
