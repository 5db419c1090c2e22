"""The demo seeds the demands workflow: demands in several states, responses, a selection, a deal, a challenge."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from arena import demands
from arena.challenges import import_bundle
from arena.demands.statistics_raw import raw_statistics
from arena.models import Deal, Demand, DemandMatch, DemandResponse, DemandStatMonth, DemandStatPresence
from tests.factories import write_bundle
from web import demo, state
from web.extensions import db


def test_the_demo_seeds_every_state_of_the_demands_workflow_once(app: Flask, tmp_path: Path) -> None:
    root = write_bundle(tmp_path / "b", slug="snow-leopard")
    with app.app_context():
        session = db.session()
        report = import_bundle(session, state.store(), root)
        session.commit()
        demo.seed_demo_accounts(session, [report.challenge_id])
        demo.seed_demo_accounts(session, [report.challenge_id])  # a second run changes nothing
        statuses = Counter(session.scalars(select(Demand.status)))
        assert statuses == Counter(
            {"published": 2, "contracted": 1, "in_review": 1, "changes_requested": 1, "submitted": 1}
        )
        assert session.scalar(select(Deal.value)) == 880_000
        assert len(session.scalars(select(DemandResponse.id)).all()) == 3
        assert session.scalars(select(DemandMatch.id)).all()
        linked = demands.demand_of_challenge(session, report.challenge_id)
        assert linked is not None and linked.bounty == 100_000 and linked.prize_split == [50_000, 30_000, 20_000]
        assert demands.totals(session).contract_value == 880_000


def test_the_demo_leaves_the_statistics_roll_ups_equal_to_a_rebuild(app: Flask, tmp_path: Path) -> None:
    root = write_bundle(tmp_path / "b", slug="snow-leopard")
    with app.app_context():
        session = db.session()
        report = import_bundle(session, state.store(), root)
        session.commit()
        demo.seed_demo_accounts(session, [report.challenge_id])

        def snapshot() -> tuple[set[tuple[object, ...]], set[tuple[object, ...]]]:
            months = {tuple(r) for r in session.execute(select(*DemandStatMonth.__table__.c)) if any(r[3:])}
            return months, {tuple(r) for r in session.execute(select(*DemandStatPresence.__table__.c))}

        seeded = snapshot()
        assert seeded[0] and seeded[1]
        demands.rebuild_rollups(session)
        assert snapshot() == seeded
        for grouping in demands.Grouping:
            assert demands.statistics(session, grouping) == raw_statistics(session, grouping)
