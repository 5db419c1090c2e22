"""Keeping the statistics roll-ups in step: every flush that moves a figure applies its difference in the same
transaction, and ``rebuild`` recomputes them from the raw rows.

Each demand, answered response, match and deal contributes to one month × field × region cell (classified by
its demand) and, for demands and responses, marks its sponsor or respondent present in that month. A change is
applied as the new contribution minus the old one, read from the database before the flush writes it.
"""

from __future__ import annotations

import typing
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Table, delete, event, inspect, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, UOWTransaction

from arena.enums import ResponseStatus
from arena.models import Deal, Demand, DemandMatch, DemandResponse, DemandStatMonth, DemandStatPresence

ANSWERED = frozenset(s.value for s in ResponseStatus if s not in {ResponseStatus.DRAFT, ResponseStatus.WITHDRAWN})
ALL_TIME = date(1970, 1, 1)
# The grains kept for each dimension: the programme as a whole also by quarter, fields and regions by month and year.
GRAINS = {
    "": ("month", "quarter", "year", "all"),
    "field": ("month", "year", "all"),
    "region": ("month", "year", "all"),
}

Cell = tuple[date, str, str]
Member = tuple[str, int, date, str, str]  # kind, organization, month, field, region
_DEMAND = ("sponsor_id", "field", "region", "submitted_at", "approved_at", "published_at", "intended_investment")
_RESPONSE = ("demand_id", "respondent_id", "status", "submitted_at")
_MATCH = ("demand_id", "at")
_DEAL = ("demand_id", "signed_on", "value")
_WATCHED: dict[type, tuple[str, ...]] = {Demand: _DEMAND, DemandResponse: _RESPONSE, DemandMatch: _MATCH, Deal: _DEAL}


def month_of(moment: date | datetime) -> date:
    """The first day of the (UTC) month of a date or moment."""
    return date(moment.year, moment.month, 1)


def bucket_of(grain: str, month: date) -> date:
    """The first day of the month, quarter or year holding ``month`` (all time: one fixed day)."""
    if grain == "month":
        return month
    if grain == "quarter":
        return date(month.year, (month.month - 1) // 3 * 3 + 1, 1)
    if grain == "year":
        return date(month.year, 1, 1)
    return ALL_TIME


class Delta:
    """Figures to add to cells and presences to add (or, negative, remove)."""

    def __init__(self) -> None:
        """An empty difference."""
        self.cells: dict[Cell, Counter[str]] = defaultdict(Counter)
        self.members: Counter[Member] = Counter()

    def demand(self, row: Any, sign: int) -> None:
        """Count a demand's filing, approval and publication (``row`` has the demand's columns)."""
        field, region = row.field or "", row.region or ""
        if row.submitted_at is not None:
            cell = self.cells[(month_of(row.submitted_at), field, region)]
            cell["demands_filed"] += sign
            cell["intended_investment"] += sign * (row.intended_investment or 0)
            self.members[("sponsor", row.sponsor_id, month_of(row.submitted_at), field, region)] += sign
        if row.approved_at is not None:
            self.cells[(month_of(row.approved_at), field, region)]["demands_approved"] += sign
        if row.published_at is not None:
            self.cells[(month_of(row.published_at), field, region)]["demands_published"] += sign

    def response(self, row: Any, field: str, region: str, sign: int) -> None:
        """Count an answered response as a solution of its respondent."""
        if row.status in ANSWERED and row.submitted_at is not None:
            self.cells[(month_of(row.submitted_at), field, region)]["solutions"] += sign
            self.members[("respondent", row.respondent_id, month_of(row.submitted_at), field, region)] += sign

    def match(self, row: Any, field: str, region: str, sign: int) -> None:
        """Count a demand pushed to a respondent."""
        if row.at is not None:
            self.cells[(month_of(row.at), field, region)]["matches"] += sign

    def deal(self, row: Any, field: str, region: str, sign: int) -> None:
        """Count a signed deal and its value."""
        if row.signed_on is not None:
            cell = self.cells[(month_of(row.signed_on), field, region)]
            cell["deals"] += sign
            cell["contract_value"] += sign * (row.value or 0)

    def child(self, kind: Any, row: Any, field: str, region: str, sign: int) -> None:
        """Count a response, match or deal of a demand classified by ``field`` and ``region``."""
        {DemandResponse: self.response, DemandMatch: self.match, Deal: self.deal}[kind](row, field, region, sign)

    def presences(self) -> Counter[tuple[str, str, str, date, str, int]]:
        """The presence rows to change: (kind, grain, dim, bucket, value, organization) → refs."""
        out: Counter[tuple[str, str, str, date, str, int]] = Counter()
        for (kind, org, month, field, region), n in self.members.items():
            if n:
                for dim, value in (("", ""), ("field", field), ("region", region)):
                    for grain in GRAINS[dim]:
                        out[(kind, grain, dim, bucket_of(grain, month), value, org)] += n
        return Counter({key: n for key, n in out.items() if n})


def _table(kind: type) -> Table:
    return typing.cast(Table, kind.__table__)  # type: ignore[attr-defined]


def _upsert(connection: Connection, table: Any, rows: list[dict[str, Any]], keys: list[str], adds: list[str]) -> None:
    if connection.info.get("rollups_fresh"):  # rebuilding empty tables from unique keys: plain inserts
        connection.execute(table.insert(), rows)
        return
    insert = (postgresql if connection.dialect.name == "postgresql" else sqlite).insert
    for chunk in range(0, len(rows), 500):
        statement = insert(table).values(rows[chunk : chunk + 500])
        statement = statement.on_conflict_do_update(
            index_elements=keys, set_={name: getattr(table.c, name) + statement.excluded[name] for name in adds}
        )
        connection.execute(statement)


def apply(connection: Connection, delta: Delta) -> None:
    """Add the difference to the roll-up tables (removing presences whose count falls to zero)."""
    cells = [
        {"month": month, "field": field, "region": region, **counter}
        for (month, field, region), counter in sorted(delta.cells.items())
        if any(counter.values())
    ]
    month_table = _table(DemandStatMonth)
    figures = [c.name for c in month_table.c if c.name not in {"month", "field", "region"}]
    for row in cells:
        for name in figures:
            row.setdefault(name, 0)
    if cells:
        _upsert(connection, month_table, cells, ["month", "field", "region"], figures)
    presence = _table(DemandStatPresence)
    keys = ["kind", "grain", "dim", "bucket", "value", "organization_id"]
    changes = sorted(delta.presences().items())
    if changes:
        _upsert(
            connection,
            presence,
            [{**dict(zip(keys, key, strict=True)), "refs": n} for key, n in changes],
            keys,
            ["refs"],
        )
    gone = [key for key, n in changes if n < 0]
    for chunk in range(0, len(gone), 500):
        connection.execute(
            delete(presence).where(
                tuple_(*(presence.c[k] for k in keys)).in_(gone[chunk : chunk + 500]), presence.c.refs <= 0
            )
        )


def _stored(connection: Connection, kind: type, ids: Iterable[int]) -> dict[int, Any]:
    table = _table(kind)
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    columns = [table.c.id, *(table.c[name] for name in _WATCHED[kind])]
    return {row.id: row for row in connection.execute(select(*columns).where(table.c.id.in_(wanted)))}


def _changed(obj: Any, names: tuple[str, ...]) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


def _children(connection: Connection, demand_ids: list[int]) -> Iterator[tuple[type, Any]]:
    for kind in (DemandResponse, DemandMatch, Deal):
        table = _table(kind)
        columns = [table.c.id, *(table.c[name] for name in _WATCHED[kind])]
        for row in connection.execute(select(*columns).where(table.c.demand_id.in_(demand_ids))):
            yield kind, row


def _before_flush(session: Session, _context: UOWTransaction, _instances: Any) -> None:
    touched: list[Any] = [
        obj
        for obj in (*session.new, *session.dirty, *session.deleted)
        if type(obj) in _WATCHED
        and (obj in session.deleted or obj in session.new or _changed(obj, _WATCHED[type(obj)]))
    ]
    if not touched:
        return
    connection = session.connection()
    delta = Delta()
    with session.no_autoflush:
        persisted: dict[type, list[int]] = defaultdict(list)
        for obj in touched:
            if obj not in session.new:
                persisted[type(obj)].append(obj.id)
        stored = {kind: _stored(connection, kind, ids) for kind, ids in persisted.items()}
        deleted_ids = {(type(o), o.id) for o in session.deleted}
        for obj in touched:
            kind, old = type(obj), stored.get(type(obj), {}).get(obj.id) if obj not in session.new else None
            gone = obj in session.deleted
            if kind is Demand:
                if old is not None:
                    delta.demand(old, -1)
                if not gone:
                    delta.demand(obj, +1)
                moved = old is not None and (gone or (old.field, old.region) != (obj.field, obj.region))
                if moved and old is not None:
                    for child_kind, child in _children(connection, [obj.id]):
                        if (child_kind, child.id) not in deleted_ids:
                            delta.child(child_kind, child, old.field or "", old.region or "", -1)
                            if not gone:
                                delta.child(child_kind, child, obj.field or "", obj.region or "", +1)
                continue
            demand = session.get(Demand, obj.demand_id if not gone or old is None else old.demand_id)
            field, region = (demand.field or "", demand.region or "") if demand is not None else ("", "")
            if old is not None:
                delta.child(kind, old, field, region, -1)
            if not gone:
                delta.child(kind, obj, field, region, +1)
    apply(connection, delta)


def install() -> None:
    """Keep the roll-ups in step on every ORM session (idempotent)."""
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)


def rebuild(session: Session) -> int:
    """Recompute both roll-up tables from the raw rows (in the session's transaction); the number of cells."""
    connection = session.connection()
    session.flush()
    connection.execute(delete(_table(DemandStatMonth)))
    connection.execute(delete(_table(DemandStatPresence)))
    demand_table = _table(Demand)
    classes: dict[int, tuple[str, str]] = {}
    delta = Delta()
    for row in connection.execute(select(demand_table.c.id, *(demand_table.c[n] for n in _DEMAND))):
        classes[row.id] = (row.field or "", row.region or "")
        delta.demand(row, +1)
    for kind in (DemandResponse, DemandMatch, Deal):
        table = _table(kind)
        for row in connection.execute(select(*(table.c[n] for n in _WATCHED[kind]))):
            delta.child(kind, row, *classes.get(row.demand_id, ("", "")), +1)
    connection.info["rollups_fresh"] = True
    try:
        apply(connection, delta)
    finally:
        connection.info.pop("rollups_fresh")
    return sum(1 for counter in delta.cells.values() if any(counter.values()))


# Importing this module (arena.demands does) makes every session keep the roll-ups in step.
install()
