"""Matching demands to respondents, measured on a small labelled set in both languages, and pushed on publication."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy.orm import Session

from arena import demands, notifications
from arena.demands.matching import Candidate, rank, words
from tests.arena.demands_world import DemandsWorld, build_demands_world, published_demand

CASES = json.loads((Path(__file__).parent / "data" / "demand_matching.json").read_text(encoding="utf-8"))


def _candidates(use_text: bool = True) -> list[Candidate]:
    return [
        Candidate(i, tuple(r["fields"]), r["capabilities"] if use_text else "")
        for i, r in enumerate(CASES["respondents"])
    ]


def _mean_reciprocal_rank(use_field: bool, use_text: bool) -> float:
    names = [r["name"] for r in CASES["respondents"]]
    total = 0.0
    for case in CASES["demands"]:
        ranked = rank(case["field"] if use_field else "", case["text"], _candidates(use_text))
        order = [names[r.organization_id] for r in ranked]
        first = min(order.index(name) for name in case["relevant"])
        total += 1.0 / (first + 1)
    return total / len(CASES["demands"])


def test_chinese_and_english_texts_are_cut_into_words() -> None:
    assert words("雪豹个体识别 snow-leopard re-identification") == [
        "雪豹",
        "个体",
        "识别",
        "snow",
        "leopard",
        "re",
        "identification",
    ]


def test_the_labelled_set_ranks_a_relevant_respondent_first_almost_always() -> None:
    combined = _mean_reciprocal_rank(use_field=True, use_text=True)
    assert combined >= 0.9
    # Each signal alone is worse: the field alone cannot tell two AI labs apart, the words alone miss synonyms.
    assert combined > _mean_reciprocal_rank(use_field=True, use_text=False)
    assert combined >= _mean_reciprocal_rank(use_field=False, use_text=True)


def test_publishing_pushes_the_demand_to_the_matching_respondents_inbox(session: Session) -> None:
    world: DemandsWorld = build_demands_world(session)
    demands.save_profile(
        session,
        world.lab_user,
        world.lab.id,
        {"capabilities": "海洋防腐涂料与盐雾试验 anti-corrosion coating"},
        ["new_materials", "marine"],
    )
    demands.save_profile(session, world.firm_user, world.firm.id, {"capabilities": "食品发酵工艺"}, ["food"])
    session.commit()
    demand = published_demand(session, world)
    inbox = demands.inbox(session, world.lab_user)
    assert [d.id for _, d in inbox] == [demand.id]
    assert demands.inbox(session, world.firm_user) == []
    assert demands.inbox(session, world.sponsor_user) == []
    told = notifications.inbox(session, world.lab_user)
    assert [n.kind for n in told] == ["demand.matched"] and told[0].link == f"/demands/{demand.id}"
    assert told[0].params["title"] == demand.title
    assert notifications.inbox(session, world.firm_user) == []
