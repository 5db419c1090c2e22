"""The numbers the programme reports, computed straight from the raw rows: demands, sponsors, investment,
respondents, solutions, matches, deals and contract value, by period (month, quarter, year; in UTC), field or region.

Each figure is one aggregate query over a date column; a demand's field and region also classify its responses,
matches and deals. ``arena.demands.statistics`` answers from the roll-ups and uses this only for the part of a
window that does not cover whole months; it is also the reference the roll-ups are tested against.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Date, Integer, Select, String, cast, func, literal, select
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


def period_key(session: Session, column: Any, period: Period) -> ColumnElement[Any]:
    """The group key of a date or moment column for the period (truncated in PostgreSQL, text in SQLite)."""
    if session.get_bind().dialect.name == "postgresql":
        # date_trunc is far cheaper per row than to_char; the key is given its text form in Python.
        return func.date_trunc(period.value, column)
    if period is Period.QUARTER:
        quarter = (cast(func.strftime("%m", column), Integer) + 2) // 3
        return func.strftime("%Y", column).concat("-Q").concat(cast(quarter, String))
    return func.strftime({Period.MONTH: "%Y-%m", Period.YEAR: "%Y"}[period], column)


def text_key(value: Any, period: Period) -> str:
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
        return period_key(session, column, period)
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


def raw_statistics(
    session: Session,
    grouping: Grouping = Grouping.PERIOD,
    period: Period = Period.MONTH,
    window: Window = Window(),  # noqa: B008
) -> list[StatRow]:
    """The programme's figures from the raw rows, one row per period, field or region (or one in all), by key."""
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
            bucket = figures.setdefault(text_key(row["key"], period), {})
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


def month_start(session: Session, column: Any) -> ColumnElement[Any]:
    """The first day of the (UTC) month of a moment, as a date (PostgreSQL) or YYYY-MM-DD text (SQLite)."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.date_trunc("month", column), Date)
    return func.date(column, "start of month")


def raw_members(session: Session, kind: str, grouping: Grouping, window: Window) -> Select[Any]:
    """(key, organization) of each demand filed ("sponsor") or solution ("respondent") within the window.

    The key is the month's first day when grouping by period, else the field, region or "total".
    """
    column: Any
    org: Any
    base: Any
    where: list[ColumnElement[bool]]
    if kind == "sponsor":
        column, org, base, where = Demand.submitted_at, Demand.sponsor_id, Demand, []
    else:
        column, org, base = DemandResponse.submitted_at, DemandResponse.respondent_id, DemandResponse
        where = [DemandResponse.status.in_(ANSWERED)]
    key = month_start(session, column) if grouping is Grouping.PERIOD else _key(session, grouping, Period.MONTH, column)
    statement = select(key.label("key"), org.label("organization_id")).select_from(base)
    if base is DemandResponse and grouping in (Grouping.FIELD, Grouping.REGION):
        statement = statement.join(Demand, Demand.id == DemandResponse.demand_id)
    return statement.where(*_bounds(column, window, is_date=False), *where)
