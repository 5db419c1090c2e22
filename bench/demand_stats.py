"""Demand statistics benchmark: the roll-ups against the aggregates over the raw rows and against Python.

Loads ten years of a crowdsourcing programme — 50,000 demands from 5,000 sponsors, 200,000 responses from 3,000
respondents, 100,000 matches and 20,000 deals (``--quick``: a tenth) — builds the roll-ups, then times each
statistics request (totals; by month, quarter and year; by field; by region) three ways: as
``arena.demands.statistics`` answers it from the roll-ups, as ``arena.demands.statistics_raw`` aggregates the
raw rows in SQL, and computed in Python from every row read out of the database. Prints medians and the ratios of
the roll-ups to the other two, and checks that all three agree. Asserts the PostgreSQL budget (each request under
100 ms from the roll-ups) only with ``--check``.

    python bench/demand_stats.py [--quick] [--check] [--database-url postgresql+psycopg://…/arena_bench]

Without ``--database-url`` it uses SQLite in a temporary folder (figures agree; the budget is PostgreSQL's).
"""

from __future__ import annotations

import argparse
import random
import statistics as stats
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from arena.db import Base, make_engine, make_session_factory  # noqa: E402
from arena.demands.rollups import rebuild as rebuild_rollups  # noqa: E402
from arena.demands.statistics import ANSWERED, Grouping, Period, StatRow, Window, statistics  # noqa: E402
from arena.demands.statistics_raw import raw_statistics  # noqa: E402
from arena.demands.vocabulary import FIELDS  # noqa: E402
from arena.models import Deal, Demand, DemandMatch, DemandResponse, Organization  # noqa: E402

REGIONS = ["Tianjin", "Beijing", "Hebei", "Shandong", "Ningbo", "Qingdao", "Shanghai", "Guangdong"]
START = datetime(2016, 1, 1, tzinfo=UTC)
DAYS = 3650


def _moment(rng: random.Random) -> datetime:
    return START + timedelta(seconds=rng.randrange(DAYS * 86400))


def load(session: Session, scale: float, seed: int = 7) -> None:
    """Fill an empty database with a plausible programme of the given scale (1.0 = ten years)."""
    rng = random.Random(seed)
    sponsors, respondents = int(5000 * scale), int(3000 * scale)
    n_demands, n_responses, n_matches, n_deals = (int(n * scale) for n in (50_000, 200_000, 100_000, 20_000))
    organizations = [
        {
            "id": i + 1,
            "name": f"org {i + 1}",
            "kind": "enterprise" if i < sponsors else "university",
            "region": rng.choice(REGIONS),
            "created_at": START,
        }
        for i in range(sponsors + respondents)
    ]
    session.execute(insert(Organization), organizations)
    fields, statuses = list(FIELDS), ["draft", "submitted", "in_review", "published", "selected", "contracted"]
    demand_rows = []
    for i in range(n_demands):
        submitted = _moment(rng)
        status = rng.choice(statuses)
        approved = submitted + timedelta(days=rng.randrange(1, 30)) if status not in ("draft", "submitted") else None
        demand_rows.append(
            {
                "id": i + 1,
                "sponsor_id": rng.randrange(1, sponsors + 1),
                "status": status,
                "field": rng.choice(fields),
                "region": rng.choice(REGIONS),
                "title": f"demand {i + 1}",
                "created_at": submitted,
                "updated_at": submitted,
                "submitted_at": submitted if status != "draft" else None,
                "approved_at": approved,
                "published_at": approved + timedelta(days=2) if approved else None,
                "intended_investment": rng.randrange(0, 10_000_000),
                "prize_split": [],
            }
        )
    session.execute(insert(Demand), demand_rows)
    pairs: set[tuple[int, int]] = set()
    response_rows = []
    while len(response_rows) < n_responses:
        pair = (rng.randrange(1, n_demands + 1), rng.randrange(sponsors + 1, sponsors + respondents + 1))
        if pair in pairs:
            continue
        pairs.add(pair)
        moment = _moment(rng)
        response_rows.append(
            {
                "id": len(response_rows) + 1,
                "demand_id": pair[0],
                "respondent_id": pair[1],
                "status": rng.choice(["draft", "submitted", "selected", "not_selected", "withdrawn"]),
                "created_at": moment,
                "updated_at": moment,
                "submitted_at": moment,
            }
        )
    session.execute(insert(DemandResponse), response_rows)
    match_pairs = list(pairs)[:n_matches]
    session.execute(
        insert(DemandMatch),
        [
            {"id": i + 1, "demand_id": d, "respondent_id": r, "score": rng.random(), "at": _moment(rng)}
            for i, (d, r) in enumerate(match_pairs)
        ],
    )
    session.execute(
        insert(Deal),
        [
            {
                "id": i + 1,
                "demand_id": response_rows[i * 7 % n_responses]["demand_id"],
                "response_id": i * 7 % n_responses + 1,
                "kind": rng.choice(["development", "transfer", "license", "service"]),
                "value": rng.randrange(10_000, 5_000_000),
                "signed_on": _moment(rng).date(),
                "parties": "",
                "created_at": START,
                "details": {},
            }
            for i in range(n_deals)
        ],
    )
    # The rows above were inserted in bulk, past the flush that keeps the roll-ups in step: build them once.
    rebuild_rollups(session)
    session.commit()


def _python_key(grouping: Grouping, period: Period, moment: date | datetime, demand: Any) -> str:
    if grouping is Grouping.FIELD:
        return str(demand.field)
    if grouping is Grouping.REGION:
        return str(demand.region)
    if grouping is Grouping.TOTAL:
        return "total"
    if period is Period.MONTH:
        return f"{moment.year:04d}-{moment.month:02d}"
    if period is Period.QUARTER:
        return f"{moment.year:04d}-Q{(moment.month + 2) // 3}"
    return f"{moment.year:04d}"


def python_statistics(
    session: Session,
    grouping: Grouping = Grouping.PERIOD,
    period: Period = Period.MONTH,
    window: Window = Window(),  # noqa: B008
) -> list[StatRow]:
    """The same figures as ``arena.demands.statistics.statistics``, computed in Python from every row."""

    def inside(moment: date | datetime | None) -> bool:
        if moment is None:
            return False
        day = moment.date() if isinstance(moment, datetime) else moment
        return (window.start is None or day >= window.start) and (window.end is None or day < window.end)

    demands = {
        d.id: d
        for d in session.execute(
            select(
                Demand.id,
                Demand.field,
                Demand.region,
                Demand.sponsor_id,
                Demand.submitted_at,
                Demand.approved_at,
                Demand.published_at,
                Demand.intended_investment,
            )
        )
    }
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    distinct: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for d in demands.values():
        for name, moment in (
            ("demands_filed", d.submitted_at),
            ("demands_approved", d.approved_at),
            ("demands_published", d.published_at),
        ):
            if inside(moment):
                key = _python_key(grouping, period, moment, d)
                counts[key][name] += 1
                if name == "demands_filed":
                    distinct[key]["sponsors"].add(d.sponsor_id)
                    counts[key]["intended_investment"] += d.intended_investment or 0
    for r in session.execute(
        select(
            DemandResponse.demand_id, DemandResponse.respondent_id, DemandResponse.status, DemandResponse.submitted_at
        )
    ):
        if r.status in ANSWERED and inside(r.submitted_at):
            key = _python_key(grouping, period, r.submitted_at, demands[r.demand_id])
            counts[key]["solutions"] += 1
            distinct[key]["respondents"].add(r.respondent_id)
    for m in session.execute(select(DemandMatch.demand_id, DemandMatch.at)):
        if inside(m.at):
            counts[_python_key(grouping, period, m.at, demands[m.demand_id])]["matches"] += 1
    for deal in session.execute(select(Deal.demand_id, Deal.signed_on, Deal.value)):
        if inside(deal.signed_on):
            key = _python_key(grouping, period, deal.signed_on, demands[deal.demand_id])
            counts[key]["deals"] += 1
            counts[key]["contract_value"] += deal.value
    keys = sorted(set(counts) | set(distinct))
    return [
        replace(StatRow(key), **counts[key], **{name: len(ids) for name, ids in distinct[key].items()}) for key in keys
    ]


REQUESTS: list[tuple[str, Grouping, Period, Window]] = [
    ("totals", Grouping.TOTAL, Period.MONTH, Window()),
    ("by month, one year", Grouping.PERIOD, Period.MONTH, Window(date(2024, 1, 1), date(2025, 1, 1))),
    ("by quarter", Grouping.PERIOD, Period.QUARTER, Window()),
    ("by year", Grouping.PERIOD, Period.YEAR, Window()),
    ("by field", Grouping.FIELD, Period.MONTH, Window()),
    ("by region, five years", Grouping.REGION, Period.MONTH, Window(date(2021, 1, 1), date(2026, 1, 1))),
]


def _median_seconds(work: Any, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        work()
        times.append(time.perf_counter() - began)
    return stats.median(times)


def run(url: str, scale: float, repeat: int = 5) -> dict[str, tuple[float, float, float]]:
    """Load the data into a fresh schema at ``url``, then time every request three ways.

    Returns name → (roll-ups, SQL over the raw rows, Python), each a median in seconds.
    """
    engine = make_engine(url)
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    factory = make_session_factory(engine)
    with factory() as session:
        load(session, scale)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    with factory() as session:
        results = {}
        for name, grouping, period, window in REQUESTS:
            rolled = statistics(session, grouping, period, window)
            if rolled != raw_statistics(session, grouping, period, window):
                raise SystemExit(f"{name}: the roll-ups and the raw rows disagree")
            if rolled != python_statistics(session, grouping, period, window):
                raise SystemExit(f"{name}: the database and Python disagree")
            args = (grouping, period, window)
            results[name] = (
                _median_seconds(lambda a=args: statistics(session, *a), repeat),
                _median_seconds(lambda a=args: raw_statistics(session, *a), repeat),
                _median_seconds(lambda a=args: python_statistics(session, *a), 1),
            )
    engine.dispose()
    return results


def main() -> None:
    """Run the benchmark and print one line per request."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the data")
    parser.add_argument("--check", action="store_true", help="fail if a request takes 100 ms or more")
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/stats.sqlite"
    results = run(url, 0.1 if args.quick else 1.0)
    print(f"{'request':<24} {'roll-ups':>10} {'raw SQL':>10} {'python':>10} {'vs SQL':>7} {'vs py':>7}")
    for name, (rolled, raw, python) in results.items():
        print(
            f"{name:<24} {rolled * 1000:>8.1f}ms {raw * 1000:>8.1f}ms {python * 1000:>8.1f}ms"
            f" {rolled / raw:>7.3f} {rolled / python:>7.3f}"
        )
    if args.check and any(rolled >= 0.1 for rolled, _, _ in results.values()):
        raise SystemExit("a statistics request took 100 ms or more")


if __name__ == "__main__":
    main()
