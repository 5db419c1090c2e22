"""A small world for the demands workflow: a sponsor, a broker, a reviewer, two respondents and an outsider."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from arena import demands
from arena.db import utcnow
from arena.enums import SiteRoleKind
from arena.models import Demand, DemandResponse, Organization, User
from tests.factories import make_user

FORM = {
    "title": "Low-cost corrosion-resistant coating for offshore platforms",
    "field": "new_materials",
    "region": "Tianjin",
    "summary": "A coating that keeps steel free of rust for ten years at sea.",
    "problem": "Current coatings fail after three years in the splash zone.",
    "current_state": "Epoxy zinc-rich primer with a polyurethane top coat.",
    "indicators": "Salt-spray resistance of at least 5,000 h; cost below 200 yuan per m².",
    "budget_min": "500000",
    "budget_max": "2,000,000",
    "intended_investment": "5000000元",
}


@dataclass
class DemandsWorld:
    """The people and organizations of a demands test."""

    admin: User
    sponsor_user: User
    sponsor: Organization
    broker: User
    reviewer: User
    lab_user: User
    lab: Organization
    firm_user: User
    firm: Organization
    outsider: User


def build_demands_world(session: Session) -> DemandsWorld:
    """Create the organizations, members and site roles, committed."""
    admin = make_user(session, "siteadmin", admin=True)
    sponsor_user = make_user(session, "sponsor1")
    sponsor = demands.create_organization(
        session,
        sponsor_user,
        {
            "name": "Bohai Steel Ltd.",
            "kind": "enterprise",
            "region": "Tianjin",
            "contact_name": "Li Wei",
            "contact_email": "li.wei@bohai-steel.example",
        },
    )
    broker = make_user(session, "broker1")
    reviewer = make_user(session, "reviewer1")
    demands.grant_site_role(session, admin, "broker1", SiteRoleKind.BROKER)
    demands.grant_site_role(session, admin, "reviewer1", SiteRoleKind.REVIEWER)
    lab_user = make_user(session, "labhead")
    lab = demands.create_organization(
        session,
        lab_user,
        {"name": "Marine Materials Lab, Tianjin University", "kind": "university", "region": "Tianjin"},
    )
    firm_user = make_user(session, "firmcto")
    firm = demands.create_organization(session, firm_user, {"name": "Haihe Coatings", "kind": "company"})
    outsider = make_user(session, "outsider")
    session.commit()
    return DemandsWorld(admin, sponsor_user, sponsor, broker, reviewer, lab_user, lab, firm_user, firm, outsider)


def published_demand(session: Session, world: DemandsWorld, **changes: str) -> Demand:
    """A demand filed, submitted, approved and published, with a deadline thirty days ahead."""
    form = dict(FORM, deadline=(utcnow() + timedelta(days=30)).date().isoformat(), **changes)
    saved = demands.save_draft(session, world.sponsor_user, form, sponsor_id=world.sponsor.id)
    assert saved.problems == []
    demands.submit_demand(session, world.sponsor_user, saved.demand.id)
    demands.start_review(session, world.reviewer, saved.demand.id)
    demands.approve(session, world.reviewer, saved.demand.id, dict.fromkeys(demands.CHECKLIST, True))
    demands.publish(session, world.reviewer, saved.demand.id)
    session.commit()
    return saved.demand


RESPONSE = {
    "approach": "Graphene-modified zinc primer applied by spraying.",
    "team": "Prof. Zhang and four researchers",
    "track_record": "Coatings for the Bohai bridge",
    "schedule": "Twelve months",
    "price": "1200000",
}


def submitted_response(
    session: Session, world: DemandsWorld, demand: Demand, user: User, org: Organization
) -> DemandResponse:
    """A complete response of ``org`` to the demand, submitted."""
    response, problems = demands.save_response(session, user, demand.id, org.id, RESPONSE)
    assert problems == []
    demands.submit_response(session, user, response.id)
    session.commit()
    return response
