"""Programme statistics computed in the database agree with a count in Python and with a hand-counted example."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from arena import demands
from arena.demands.statistics import Grouping, Period, Window, statistics, totals
from bench.demand_stats import load, python_statistics
from tests.arena.demands_world import build_demands_world, published_demand, submitted_response


@pytest.mark.parametrize(
    ("grouping", "period", "window"),
    [
        (Grouping.TOTAL, Period.MONTH, Window()),
        (Grouping.PERIOD, Period.MONTH, Window(date(2020, 1, 1), date(2021, 7, 1))),
        (Grouping.PERIOD, Period.QUARTER, Window()),
        (Grouping.PERIOD, Period.YEAR, Window(end=date(2022, 1, 1))),
        (Grouping.FIELD, Period.MONTH, Window(start=date(2019, 3, 1))),
        (Grouping.REGION, Period.MONTH, Window()),
    ],
)
def test_the_database_agrees_with_python_on_a_generated_programme(
    session: Session, grouping: Grouping, period: Period, window: Window
) -> None:
    load(session, 0.01)
    computed = statistics(session, grouping, period, window)
    assert computed == python_statistics(session, grouping, period, window)
    assert sum(row.demands_filed for row in computed) > 0 and sum(row.deals for row in computed) > 0


def test_a_hand_counted_programme(session: Session) -> None:
    world = build_demands_world(session)
    first = published_demand(session, world, region="Tianjin", intended_investment="3000000")
    second = published_demand(session, world, region="Tianjin", field="marine", intended_investment="1000000")
    lab = submitted_response(session, world, first, world.lab_user, world.lab)
    submitted_response(session, world, first, world.firm_user, world.firm)
    submitted_response(session, world, second, world.lab_user, world.lab)
    demands.select_responses(session, world.sponsor_user, first.id, {lab.id: "best"})
    demands.record_deal(
        session,
        world.sponsor_user,
        first.id,
        {"kind": "license", "value": "800000", "signed_on": date.today().isoformat(), "response_id": str(lab.id)},
    )
    session.commit()
    row = totals(session)
    assert (row.demands_filed, row.demands_approved, row.demands_published, row.sponsors) == (2, 2, 2, 1)
    assert (row.intended_investment, row.respondents, row.solutions, row.deals, row.contract_value) == (
        4_000_000,
        2,
        3,
        1,
        800_000,
    )
    by_field = {r.key: r for r in statistics(session, Grouping.FIELD)}
    assert by_field["new_materials"].solutions == 2 and by_field["marine"].solutions == 1
    assert by_field["new_materials"].contract_value == 800_000
