"""Organizations that sponsor or answer demands, their members, respondents' profiles and site-wide roles."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from arena import audit
from arena.demands.access import acts_for
from arena.demands.forms import FieldReader
from arena.demands.vocabulary import FIELDS
from arena.enums import OrganizationKind, SiteRoleKind
from arena.errors import Conflict, Forbidden, InvalidInput, NotFound
from arena.models import Organization, OrganizationMember, RespondentProfile, SiteRole, User


def create_organization(session: Session, user: User, raw: dict[str, str]) -> Organization:
    """Register an organization (name, kind, region, contact); its creator becomes its first member."""
    reader = FieldReader(raw)
    name = reader.text("name", limit=200, required=True)
    kind = reader.choice("kind", {k.value for k in OrganizationKind}, required=True)
    region = reader.text("region", limit=64)
    contact_name = reader.text("contact_name", limit=100)
    contact_email = reader.text("contact_email", limit=254)
    if contact_email and "@" not in contact_email:
        reader.problems.append(("contact_email", "enter an e-mail address like name@example.com", {}))
    contact_phone = reader.text("contact_phone", limit=40)
    if name and session.scalar(select(Organization.id).where(Organization.name == name)) is not None:
        reader.problems.append(("name", "an organization with this name exists; ask its members to add you", {}))
    reader.raise_if_any()
    organization = Organization(
        name=name,
        kind=kind,
        region=region,
        contact_name=contact_name,
        contact_email=contact_email,
        contact_phone=contact_phone,
    )
    session.add(organization)
    session.flush()
    session.add(OrganizationMember(organization_id=organization.id, user_id=user.id))
    audit.record(
        session, "organization.created", actor_id=user.id, target_type="organization", target_id=organization.id
    )
    return organization


def add_member(session: Session, user: User, organization_id: int, username: str) -> OrganizationMember:
    """A member adds another user (by username or e-mail) to the organization."""
    organization = session.get(Organization, organization_id)
    if organization is None:
        raise NotFound("no such organization")
    if not (acts_for(session, user, organization.id) or user.is_admin):
        raise Forbidden("only the organization's members may add members")
    wanted = username.strip()
    other = session.scalar(select(User).where((User.username == wanted) | (User.email == wanted)))
    if other is None:
        raise InvalidInput("no user has the username or e-mail %(name)s", field="username", params={"name": wanted})
    if acts_for(session, other, organization.id):
        raise Conflict("%(name)s is already a member", params={"name": other.username})
    member = OrganizationMember(organization_id=organization.id, user_id=other.id)
    session.add(member)
    audit.record(
        session,
        "organization.member_added",
        actor_id=user.id,
        target_type="organization",
        target_id=organization.id,
        member=other.username,
    )
    return member


DEMAND_ROLES = (SiteRoleKind.REVIEWER, SiteRoleKind.BROKER)


def grant_site_role(session: Session, admin: User, username: str, role: SiteRoleKind) -> SiteRole:
    """A site admin makes a user a demand reviewer or a technology broker."""
    if not admin.is_admin:
        raise Forbidden("only site admins grant roles")
    if role not in DEMAND_ROLES:
        raise InvalidInput("choose reviewer or broker; creators are granted on the creators page", field="role")
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        raise InvalidInput("no user has the username %(name)s", field="username", params={"name": username.strip()})
    existing = session.scalar(select(SiteRole).where(SiteRole.user_id == user.id, SiteRole.role == role.value))
    if existing is not None:
        return existing
    granted = SiteRole(user_id=user.id, role=role.value)
    session.add(granted)
    audit.record(
        session, "site_role.granted", actor_id=admin.id, target_type="user", target_id=user.id, role=role.value
    )
    return granted


def save_profile(
    session: Session, user: User, organization_id: int, raw: dict[str, str], fields: list[str]
) -> RespondentProfile:
    """A respondent organization states its fields and capabilities, used to push matching demands to it."""
    organization = session.get(Organization, organization_id)
    if organization is None or not acts_for(session, user, organization.id):
        raise NotFound("no such organization")
    reader = FieldReader(raw)
    unknown = [code for code in fields if code not in FIELDS]
    if unknown:
        reader.problems.append(("fields", "choose one of the listed values", {}))
    capabilities = reader.text("capabilities", limit=20000)
    track_record = reader.text("track_record", limit=20000)
    reader.raise_if_any()
    profile = session.scalar(select(RespondentProfile).where(RespondentProfile.organization_id == organization.id))
    if profile is None:
        profile = RespondentProfile(organization_id=organization.id)
        session.add(profile)
    profile.fields = sorted(set(fields))
    profile.capabilities, profile.track_record = capabilities, track_record
    session.flush()
    return profile
