"""Accounts: registration, login, API tokens and challenge roles."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime
from functools import cache
from zoneinfo import available_timezones

from sqlalchemy import select
from sqlalchemy.orm import Session

from arena import audit
from arena.accounts.password_rules import check_password
from arena.accounts.passwords import hash_password, verify_password
from arena.db import utcnow
from arena.enums import ChallengeRoleKind
from arena.errors import Conflict, InvalidInput, NotFound, Unauthenticated
from arena.models import ApiToken, ChallengeRole, User

USERNAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{1,62}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
TOKEN_PREFIX = "arena_"  # noqa: S105 (a public prefix, not a secret)


@cache
def _dummy_hash() -> str:
    """A hash to verify against when the account does not exist, so both answers take as long."""
    return hash_password(secrets.token_urlsafe(16))


def create_user(
    session: Session,
    username: str,
    password: str,
    *,
    email: str | None = None,
    is_admin: bool = False,
    display_name: str = "",
    institution: str = "",
    timezone: str = "",
    locale: str = "",
) -> User:
    """Create an account after checking the name, email and password."""
    username = username.strip()
    if not USERNAME_RE.match(username):
        raise InvalidInput(
            "the username must be 2–63 letters, digits, '_', '.' or '-', starting with a letter or digit",
            field="username",
        )
    if email is not None:
        email = email.strip() or None
    check_password(password, username=username, email=email)
    if email is not None and not EMAIL_RE.match(email):
        raise InvalidInput("the email address is not valid", field="email")
    if timezone and timezone not in available_timezones():
        raise InvalidInput(
            "unknown time zone %(zone)s; use a name like Asia/Shanghai",
            field="timezone",
            params={"zone": repr(timezone)},
        )
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict("the username %(name)s is taken", field="username", params={"name": repr(username)})
    if email and session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict("an account with this email already exists", field="email")
    user = User(
        username=username,
        email=email,
        password_hash=hash_password(password),
        is_admin=is_admin,
        display_name=display_name.strip() or username,
        institution=institution.strip(),
        timezone=timezone,
        locale=locale,
    )
    session.add(user)
    session.flush()
    audit.record(session, "user.created", actor_id=user.id, target_type="user", target_id=user.id)
    return user


def set_password(session: Session, user: User, password: str) -> None:
    """Replace a user's password and end every session signed in with the old one."""
    check_password(password, username=user.username, email=user.email)
    user.password_hash = hash_password(password)
    user.session_generation = (user.session_generation or 0) + 1
    audit.record(session, "user.password_changed", actor_id=user.id, target_type="user", target_id=user.id)


def change_password(session: Session, user: User, current: str, new: str) -> None:
    """Replace the user's own password after checking the current one."""
    if not verify_password(current, user.password_hash):
        raise Unauthenticated("the current password is wrong", field="current")
    if new == current:
        raise InvalidInput("the new password is the same as the current one", field="password")
    set_password(session, user, new)


def end_sessions(session: Session, user: User, *, actor_id: int | None = None) -> None:
    """Sign ``user`` out everywhere: every session cookie issued so far stops working."""
    user.session_generation = (user.session_generation or 0) + 1
    audit.record(session, "user.signed_out_everywhere", actor_id=actor_id, target_type="user", target_id=user.id)


def authenticate(session: Session, username: str, password: str) -> User:
    """Return the user whose credentials these are, or raise Unauthenticated."""
    user = session.scalar(select(User).where(User.username == username.strip()))
    # Unknown names cost a hash verification too, so the answer's timing does not tell which names exist.
    matches = verify_password(password, user.password_hash if user is not None else _dummy_hash())
    if user is None or not user.is_active or not matches:
        raise Unauthenticated("wrong username or password")
    return user


def get_user(session: Session, user_id: int) -> User:
    """Return a user by id or raise NotFound."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("no such user")
    return user


def get_user_by_name(session: Session, username: str) -> User:
    """Return a user by name or raise NotFound."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound("no user named %(name)s", params={"name": repr(username)})
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, user: User, name: str = "", expires_at: datetime | None = None) -> str:
    """Create an API token for ``user`` and return it; only its hash is stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(
        ApiToken(
            user_id=user.id,
            token_hash=_token_hash(token),
            prefix=token[: len(TOKEN_PREFIX) + 6],
            name=name[:100],
            expires_at=expires_at,
        )
    )
    audit.record(session, "token.issued", actor_id=user.id, target_type="user", target_id=user.id)
    return token


def user_for_token(session: Session, token: str) -> User:
    """Return the active user a bearer token belongs to, or raise Unauthenticated."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(token.strip())))
    now = utcnow()
    if row is None or row.revoked_at is not None or (row.expires_at is not None and row.expires_at <= now):
        raise Unauthenticated("the API token is invalid, expired or revoked")
    if not row.user.is_active:
        raise Unauthenticated("the account is disabled")
    row.last_used_at = now
    return row.user


def revoke_tokens(session: Session, user: User) -> int:
    """Revoke every token of ``user``; return how many were active."""
    rows = session.scalars(select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))).all()
    for row in rows:
        row.revoked_at = utcnow()
    return len(rows)


def grant_role(
    session: Session, challenge_id: int, user: User, role: ChallengeRoleKind, *, actor_id: int | None = None
) -> ChallengeRole:
    """Give ``user`` a role in a challenge (idempotent)."""
    existing = session.scalar(
        select(ChallengeRole).where(
            ChallengeRole.challenge_id == challenge_id,
            ChallengeRole.user_id == user.id,
            ChallengeRole.role == role.value,
        )
    )
    if existing is not None:
        return existing
    row = ChallengeRole(challenge_id=challenge_id, user_id=user.id, role=role.value)
    session.add(row)
    audit.record(
        session,
        "role.granted",
        actor_id=actor_id,
        challenge_id=challenge_id,
        target_type="user",
        target_id=user.id,
        role=role.value,
    )
    return row


LOCALES = ("zh_CN", "en")


def update_profile(
    session: Session, user: User, *, display_name: str, institution: str, timezone: str, locale: str
) -> None:
    """Set the user's display name, institution, time zone and language after checking them."""
    timezone = timezone.strip()
    if timezone and timezone not in available_timezones():
        raise InvalidInput(
            "unknown time zone %(zone)s; use a name like Asia/Shanghai",
            field="timezone",
            params={"zone": repr(timezone)},
        )
    if locale and locale not in LOCALES:
        raise InvalidInput(
            "unsupported language %(locale)s; choose one of %(choices)s",
            field="locale",
            params={"locale": repr(locale), "choices": ", ".join(LOCALES)},
        )
    user.display_name = display_name.strip()[:128] or user.username
    user.institution = institution.strip()[:200]
    user.timezone = timezone
    user.locale = locale
    audit.record(session, "user.profile_changed", actor_id=user.id, target_type="user", target_id=user.id)


def list_tokens(session: Session, user: User) -> list[ApiToken]:
    """Return the user's tokens, newest first (only prefixes and dates are ever shown)."""
    query = select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc())
    return list(session.scalars(query))


def revoke_token(session: Session, user: User, token_id: int) -> None:
    """Revoke one of the user's own tokens."""
    row = session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id:
        raise NotFound("no such token")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        audit.record(session, "token.revoked", actor_id=user.id, target_type="user", target_id=user.id)
