"""Who acts for which organization, who reviews and brokers, and what each may see of a demand."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from arena.enums import DemandStatus, SiteRoleKind
from arena.errors import Forbidden, NotFound
from arena.models import Demand, DemandResponse, Organization, OrganizationMember, SiteRole, TermsAcceptance, User


def organizations_of(session: Session, user_id: int) -> list[Organization]:
    """The organizations the user acts for, by name."""
    return list(
        session.scalars(
            select(Organization)
            .join(OrganizationMember, OrganizationMember.organization_id == Organization.id)
            .where(OrganizationMember.user_id == user_id)
            .order_by(Organization.name)
        )
    )


def acts_for(session: Session, user: User | None, organization_id: int) -> bool:
    """Whether the user is a member of the organization."""
    if user is None:
        return False
    found = session.scalar(
        select(OrganizationMember.id).where(
            OrganizationMember.organization_id == organization_id, OrganizationMember.user_id == user.id
        )
    )
    return found is not None


def has_site_role(session: Session, user: User | None, role: SiteRoleKind) -> bool:
    """Whether the user holds the site-wide role (site admins hold every role)."""
    if user is None:
        return False
    if user.is_admin:
        return True
    found = session.scalar(select(SiteRole.id).where(SiteRole.user_id == user.id, SiteRole.role == role.value))
    return found is not None


def is_reviewer(session: Session, user: User | None) -> bool:
    """Whether the user reviews demands (a technology manager, an expert, or a site admin)."""
    return has_site_role(session, user, SiteRoleKind.REVIEWER)


def is_sponsor_of(session: Session, user: User | None, demand: Demand) -> bool:
    """Whether the user acts for the demand's sponsor, or is the broker who filed it."""
    if user is None:
        return False
    return demand.broker_id == user.id or acts_for(session, user, demand.sponsor_id)


def may_see(session: Session, user: User | None, demand: Demand) -> bool:
    """Whether the user may know the demand exists: public ones for all, others for sponsor and reviewers."""
    if DemandStatus(demand.status).is_public:
        return True
    if is_sponsor_of(session, user, demand):
        return True
    return demand.status != DemandStatus.DRAFT and is_reviewer(session, user)


def may_read_details(session: Session, user: User | None, demand: Demand) -> bool:
    """Whether the user may read the full texts: open demands to all, confidential ones after accepting terms."""
    if not may_see(session, user, demand):
        return False
    if not demand.confidential or is_sponsor_of(session, user, demand) or is_reviewer(session, user):
        return True
    if user is None:
        return False
    accepted = session.scalar(
        select(TermsAcceptance.id).where(TermsAcceptance.demand_id == demand.id, TermsAcceptance.user_id == user.id)
    )
    return accepted is not None


def visible_demand(session: Session, user: User | None, demand_id: int) -> Demand:
    """The demand if the user may know of it, else NotFound (so its existence does not leak)."""
    demand = session.get(Demand, demand_id)
    if demand is None or not may_see(session, user, demand):
        raise NotFound("no such demand")
    return demand


def sponsored_demand(session: Session, user: User, demand_id: int) -> Demand:
    """The demand if the user acts for its sponsor; NotFound for anyone who may not see it, else Forbidden."""
    demand = visible_demand(session, user, demand_id)
    if not is_sponsor_of(session, user, demand):
        raise Forbidden("only the demand's sponsor may do this")
    return demand


def reviewable_demand(session: Session, user: User, demand_id: int) -> Demand:
    """The demand if the user is a reviewer; NotFound otherwise."""
    if not is_reviewer(session, user):
        raise NotFound("no such demand")
    return visible_demand(session, user, demand_id)


def own_response(session: Session, user: User, response_id: int) -> DemandResponse:
    """A response the user's organization wrote; NotFound for everyone else, sponsors included."""
    response = session.get(DemandResponse, response_id)
    if response is None or not acts_for(session, user, response.respondent_id):
        raise NotFound("no such response")
    return response


def response_for_sponsor(session: Session, user: User, response_id: int) -> DemandResponse:
    """A submitted response to one of the user's demands; drafts stay the respondent's own."""
    response = session.get(DemandResponse, response_id)
    if response is None or response.status == "draft":
        raise NotFound("no such response")
    demand = session.get(Demand, response.demand_id)
    if demand is None or not is_sponsor_of(session, user, demand):
        raise NotFound("no such response")
    return response
