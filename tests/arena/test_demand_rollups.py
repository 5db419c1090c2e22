"""The statistics roll-ups stay equal to a rebuild from the raw rows after any sequence of changes, and the
statistics answered from them equal the figures computed from the raw rows."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from arena.demands.rollups import rebuild
from arena.demands.statistics import Grouping, Period, Window, statistics
from arena.demands.statistics_raw import raw_statistics
from arena.models import (
    Deal,
    Demand,
    DemandMatch,
    DemandResponse,
    DemandStatMonth,
    DemandStatPresence,
    Organization,
)
from bench.demand_stats import load

START = datetime(2023, 11, 20, tzinfo=UTC)
FIELDS = ["marine", "new_materials", "ai"]
REGIONS = ["Tianjin", "Ningbo"]
WINDOWS = [
    Window(),
    Window(date(2020, 1, 1), date(2021, 7, 1)),
    Window(date(2019, 3, 15), date(2022, 2, 10)),
    Window(start=date(2018, 5, 2)),
    Window(end=date(2021, 11, 30)),
    Window(date(2020, 6, 3), date(2020, 6, 20)),
]


def _snapshot(session: Session) -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    session.flush()
    months = {tuple(r) for r in session.execute(select(*DemandStatMonth.__table__.c))}
    nonzero = {r for r in months if any(r[3:])}
    presences = {tuple(r) for r in session.execute(select(*DemandStatPresence.__table__.c))}
    return nonzero, presences


def _moment(days: int) -> datetime:
    return START + timedelta(days=days, hours=days % 7)


operation = st.one_of(
    st.tuples(
        st.just("file"), st.integers(0, 2), st.sampled_from(FIELDS), st.sampled_from(REGIONS), st.integers(0, 90)
    ),
    st.tuples(st.just("approve"), st.integers(0, 9), st.integers(0, 90)),
    st.tuples(st.just("edit"), st.integers(0, 9), st.sampled_from(FIELDS), st.sampled_from(REGIONS), st.integers(0, 9)),
    st.tuples(st.just("respond"), st.integers(0, 9), st.integers(3, 5), st.integers(0, 90)),
    st.tuples(st.just("status"), st.integers(0, 29), st.sampled_from(["draft", "submitted", "withdrawn", "selected"])),
    st.tuples(st.just("match"), st.integers(0, 9), st.integers(3, 5), st.integers(0, 90)),
    st.tuples(st.just("deal"), st.integers(0, 29), st.integers(0, 90), st.integers(0, 5_000_000)),
    st.tuples(st.just("delete"), st.integers(0, 9)),
    st.tuples(st.just("commit")),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(operation, min_size=1, max_size=30))
def test_maintained_rollups_equal_a_rebuild_after_any_sequence(session: Session, operations: list[Any]) -> None:
    for table in (Deal, DemandMatch, DemandResponse, Demand, Organization):
        session.execute(delete(table))
    rebuild(session)
    session.commit()
    orgs = [Organization(name=f"org {i}", kind="enterprise" if i < 3 else "university") for i in range(6)]
    session.add_all(orgs)
    session.flush()

    def pick(kind: type, index: int) -> Any:
        rows = list(session.scalars(select(kind).order_by(kind.id)))  # type: ignore[attr-defined]
        return rows[index % len(rows)] if rows else None

    for op in operations:
        name = op[0]
        if name == "file":
            _, sponsor, field, region, day = op
            session.add(
                Demand(
                    sponsor_id=orgs[sponsor].id,
                    field=field,
                    region=region,
                    status="submitted",
                    submitted_at=_moment(day),
                    intended_investment=day * 1000,
                )
            )
        elif name == "approve" and (demand := pick(Demand, op[1])) is not None:
            demand.approved_at = _moment(op[2])
            demand.published_at = _moment(op[2] + 3)
        elif name == "edit" and (demand := pick(Demand, op[1])) is not None:
            demand.field, demand.region, demand.intended_investment = op[2], op[3], op[4] * 7
            demand.submitted_at = _moment(op[4] * 11)
        elif name in ("respond", "match") and (demand := pick(Demand, op[1])) is not None:
            kind = DemandResponse if name == "respond" else DemandMatch
            if session.scalar(select(kind).filter_by(demand_id=demand.id, respondent_id=orgs[op[2]].id)) is None:
                if kind is DemandResponse:
                    session.add(
                        DemandResponse(
                            demand_id=demand.id,
                            respondent_id=orgs[op[2]].id,
                            status="submitted",
                            submitted_at=_moment(op[3]),
                        )
                    )
                else:
                    session.add(
                        DemandMatch(demand_id=demand.id, respondent_id=orgs[op[2]].id, score=0.5, at=_moment(op[3]))
                    )
        elif name == "status" and (response := pick(DemandResponse, op[1])) is not None:
            response.status = op[2]
        elif name == "deal" and (response := pick(DemandResponse, op[1])) is not None:
            session.add(
                Deal(
                    demand_id=response.demand_id,
                    response_id=response.id,
                    kind="license",
                    value=op[3],
                    signed_on=_moment(op[2]).date(),
                )
            )
        elif name == "delete" and (demand := pick(Demand, op[1])) is not None:
            session.delete(demand)
        elif name == "commit":
            session.commit()
        session.flush()
    maintained = _snapshot(session)
    rebuild(session)
    assert maintained == _snapshot(session)
    for grouping, period, window in [
        (Grouping.TOTAL, Period.MONTH, Window()),
        (Grouping.PERIOD, Period.MONTH, Window(date(2023, 12, 5), date(2024, 2, 1))),
        (Grouping.PERIOD, Period.QUARTER, Window()),
        (Grouping.FIELD, Period.MONTH, Window(start=date(2024, 1, 9))),
    ]:
        assert statistics(session, grouping, period, window) == raw_statistics(session, grouping, period, window)
    session.rollback()


@pytest.mark.parametrize("window", WINDOWS)
@pytest.mark.parametrize(
    ("grouping", "period"),
    [
        (Grouping.TOTAL, Period.MONTH),
        (Grouping.PERIOD, Period.MONTH),
        (Grouping.PERIOD, Period.QUARTER),
        (Grouping.PERIOD, Period.YEAR),
        (Grouping.FIELD, Period.MONTH),
        (Grouping.REGION, Period.MONTH),
    ],
)
def test_the_rollups_answer_as_the_raw_rows_do(
    session: Session, grouping: Grouping, period: Period, window: Window
) -> None:
    load(session, 0.005)
    computed = statistics(session, grouping, period, window)
    assert computed == raw_statistics(session, grouping, period, window)
    assert sum(row.solutions for row in computed) > 0 and sum(row.respondents for row in computed) > 0
