"""Creators: users whom a site admin lets create challenges (a site role), granted and revoked with an audit."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from arena import audit
from arena.enums import SiteRoleKind
from arena.errors import InvalidInput, NotFound
from arena.models import SiteRole, User
from arena.permissions import Action, actor_for, require

CREATOR = SiteRoleKind.CREATOR.value


def list_creators(session: Session, admin: User) -> list[User]:
    """Return every creator by username (site admins only)."""
    require(actor_for(session, admin, None), Action.MANAGE_USERS)
    query = select(User).join(SiteRole, SiteRole.user_id == User.id).where(SiteRole.role == CREATOR)
    return list(session.scalars(query.order_by(User.username)))


def _find(session: Session, who: str) -> User:
    who = who.strip()
    if not who:
        raise InvalidInput("give a username or an e-mail address", field="who")
    user = session.scalar(select(User).where((User.username == who) | (func.lower(User.email) == who.lower())))
    if user is None:
        raise NotFound("no account has the username or e-mail address %(who)s", params={"who": who})
    return user


def _role(session: Session, user_id: int) -> SiteRole | None:
    return session.scalar(select(SiteRole).where(SiteRole.user_id == user_id, SiteRole.role == CREATOR))


def grant_creator(session: Session, admin: User, who: str) -> User:
    """Let a user (by username or e-mail) create challenges; idempotent, audited. The caller commits."""
    require(actor_for(session, admin, None), Action.MANAGE_USERS)
    user = _find(session, who)
    if _role(session, user.id) is None:
        session.add(SiteRole(user_id=user.id, role=CREATOR))
        audit.record(
            session, "creator.granted", actor_id=admin.id, target_type="user", target_id=user.id, user=user.username
        )
        session.flush()
    return user


def revoke_creator(session: Session, admin: User, user_id: int) -> User:
    """Take the creator role away (challenges already created keep their organizers); audited. The caller commits."""
    require(actor_for(session, admin, None), Action.MANAGE_USERS)
    row = _role(session, user_id)
    user = session.get(User, user_id)
    if row is None or user is None:
        raise NotFound("this user is not a creator")
    session.delete(row)
    audit.record(
        session, "creator.revoked", actor_id=admin.id, target_type="user", target_id=user.id, user=user.username
    )
    session.flush()
    return user


def is_creator(session: Session, user: User | None) -> bool:
    """Whether the user may create challenges (creators and site admins)."""
    if user is None:
        return False
    return user.is_admin or _role(session, user.id) is not None
