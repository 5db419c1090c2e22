"""Demo data for the demands workflow: sponsors, demands in several fields and states, respondents, responses,
a selection, a deal, and the snow-leopard demand linked to its challenge (idempotent)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from arena import demands
from arena.db import utcnow
from arena.enums import SiteRoleKind
from arena.models import Challenge, Organization, User

SPONSORS = {
    "Bohai Steel Ltd.": {"region": "Tianjin", "contact_name": "Li Wei", "contact_email": "li.wei@bohai-steel.example"},
    "Jinmen Pharmaceutical Co.": {
        "region": "Tianjin",
        "contact_name": "Wang Fang",
        "contact_email": "wf@jinmen.example",
    },
    "Qilian Mountains Ecology Fund": {
        "region": "Qinghai",
        "contact_name": "Zhao Lei",
        "contact_email": "zl@qilian.example",
    },
}
RESPONDENTS = {
    "Marine Materials Lab, Tianjin University": (
        "university",
        ["new_materials", "marine"],
        "海洋防腐涂料、石墨烯改性涂层、盐雾试验。Anti-corrosion coatings.",
    ),
    "Vision Lab, Nankai University": (
        "university",
        ["artificial_intelligence", "ecology"],
        "计算机视觉、目标检测、红外相机图像中的个体重识别。Computer vision and re-identification.",
    ),
    "Haihe Coatings": ("company", ["new_materials"], "工业涂料生产与施工。Industrial coatings."),
}


def _demand(session: Session, author: User, sponsor: Organization, **form: str) -> int:
    form.setdefault("deadline", (utcnow() + timedelta(days=60)).date().isoformat())
    form.setdefault("budget_min", "300000")
    form.setdefault("budget_max", "1500000")
    return demands.save_draft(session, author, form, sponsor_id=sponsor.id).demand.id


def _to_review(session: Session, author: User, reviewer: User, demand_id: int) -> None:
    demands.submit_demand(session, author, demand_id)
    demands.start_review(session, reviewer, demand_id)


def _publish(session: Session, author: User, reviewer: User, demand_id: int) -> None:
    _to_review(session, author, reviewer, demand_id)
    demands.approve(session, reviewer, demand_id, dict.fromkeys(demands.CHECKLIST, True), "clear and feasible")
    demands.publish(session, reviewer, demand_id)


def _answer(session: Session, user: User, org: Organization, demand_id: int, approach: str, price: str) -> int:
    form = {
        "approach": approach,
        "team": "A professor and four researchers",
        "track_record": "Three similar projects",
        "schedule": "Twelve months in three stages",
        "price": price,
    }
    response, _ = demands.save_response(session, user, demand_id, org.id, form)
    demands.submit_response(session, user, response.id)
    return response.id


def seed_demo_demands(session: Session, users: dict[str, User]) -> None:
    """Create the demo organizations, demands, responses, a selection and a deal, unless they exist."""
    if session.scalar(select(Organization.id).where(Organization.name.in_(list(SPONSORS)))) is not None:
        return
    admin, sponsor, reviewer, lab, broker = (users[n] for n in ("admin", "sponsor", "reviewer", "lab", "broker"))
    demands.grant_site_role(session, admin, reviewer.username, SiteRoleKind.REVIEWER)
    demands.grant_site_role(session, admin, broker.username, SiteRoleKind.BROKER)
    orgs = {
        name: demands.create_organization(session, sponsor, {"name": name, "kind": "enterprise", **facts})
        for name, facts in SPONSORS.items()
    }
    for name, (kind, fields, capabilities) in RESPONDENTS.items():
        orgs[name] = demands.create_organization(
            session, lab if "University" in name else admin, {"name": name, "kind": kind}
        )
        demands.save_profile(
            session, lab if "University" in name else admin, orgs[name].id, {"capabilities": capabilities}, fields
        )
    steel, pharma, fund = (orgs[n] for n in SPONSORS)
    tju, nankai, haihe = (orgs[n] for n in RESPONDENTS)
    coating = _demand(
        session,
        sponsor,
        steel,
        title="海上平台钢结构长效防腐涂层",
        field="new_materials",
        region="Tianjin",
        summary="为渤海海上平台的浪溅区钢结构寻找十年免维护的防腐涂层。",
        problem="现有环氧富锌底漆在浪溅区三年即出现锈蚀。",
        current_state="环氧富锌底漆加聚氨酯面漆。",
        indicators="中性盐雾试验不少于 5000 小时；每平方米成本低于 200 元。",
        intended_investment="5000000",
    )
    _publish(session, sponsor, reviewer, coating)
    first = _answer(session, lab, tju, coating, "石墨烯改性锌粉底漆，喷涂施工，先做挂片试验。", "1200000")
    _answer(session, admin, haihe, coating, "Glass-flake epoxy system applied in two coats.", "800000")
    demands.post_message(session, sponsor, first, "能否在 60 °C 海水中做加速试验？")
    demands.post_message(session, lab, first, "可以，我们的盐雾箱支持 60 °C。")
    welds = _demand(
        session,
        sponsor,
        steel,
        title="Weld seam defect detection with machine vision",
        field="smart_manufacturing",
        summary="Find cracks and porosity in weld seams on the production line, in real time.",
        problem="Inspectors miss small defects at line speed.",
        indicators="Recall ≥ 95% at 1 m/s line speed.",
        intended_investment="2000000",
    )
    _publish(session, sponsor, reviewer, welds)
    chosen = _answer(
        session, lab, nankai, welds, "A segmentation network trained on X-ray and visible images.", "900000"
    )
    demands.select_responses(session, sponsor, welds, {chosen: "Best recall in the pilot on our samples."})
    deal = demands.record_deal(
        session,
        sponsor,
        welds,
        {
            "kind": "development",
            "value": "880000",
            "signed_on": utcnow().date().isoformat(),
            "response_id": str(chosen),
            "parties": "Bohai Steel Ltd.; Nankai University",
            "broker": broker.username,
        },
    )
    demands.add_milestone(
        session,
        sponsor,
        deal.id,
        {
            "title": "Pilot on one line",
            "amount": "300000",
            "due_on": (utcnow() + timedelta(days=90)).date().isoformat(),
        },
    )
    release = _demand(
        session,
        sponsor,
        pharma,
        title="缓释制剂工艺改进",
        field="biomedicine",
        region="Tianjin",
        summary="提高一种口服缓释片的生物利用度。",
        problem="现有工艺释放曲线不稳定。",
        indicators="体外释放曲线批间差异小于 5%。",
    )
    _to_review(session, sponsor, reviewer, release)
    cold = _demand(
        session,
        sponsor,
        pharma,
        title="Cold-chain temperature monitoring",
        field="food",
        summary="Track vaccine temperatures from plant to clinic.",
        problem="Loggers are read only on arrival.",
        indicators="Alerts within 5 minutes.",
    )
    _to_review(session, sponsor, reviewer, cold)
    demands.request_changes(session, reviewer, cold, "State the number of shipments per day and the budget split.")
    membrane = _demand(
        session,
        broker,
        steel,
        title="Seawater desalination membrane for platforms",
        field="marine",
        summary="Fresh water on offshore platforms with less energy.",
        problem="Reverse osmosis uses too much power.",
        indicators="Below 3 kWh per m³.",
    )
    demands.submit_demand(session, broker, membrane)
    leopards = _demand(
        session,
        sponsor,
        fund,
        title="雪豹个体识别：红外相机图像",
        field="ecology",
        region="Qinghai",
        summary="从祁连山红外相机图像中识别雪豹个体，用于种群数量估计。",
        problem="人工比对斑纹耗时数月。",
        indicators="Top-1 准确率不低于 90%。",
        budget_min="100000",
        budget_max="100000",
    )
    _publish(session, sponsor, reviewer, leopards)
    challenge = session.scalar(select(Challenge).where(Challenge.slug == "snow-leopard"))
    if challenge is not None:
        demands.link_challenge(
            session, admin, leopards, challenge.slug, {"bounty": "100000", "prize_split": "50000, 30000, 20000"}
        )
    session.commit()
