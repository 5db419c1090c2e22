"""The logged-in user as Flask-Login sees it, and the current Arena user for views."""
# mypy: allow-untyped-decorators
# mypy: allow-subclassing-any

from __future__ import annotations

import time

from flask import g, session
from flask_login import UserMixin, current_user, login_user

from arena.errors import Unauthenticated
from arena.models import User
from web import state
from web.extensions import login_manager


class LoginUser(UserMixin):
    """Flask-Login's view of an Arena user (presentation adapter; the model stays framework-free)."""

    def __init__(self, user: User) -> None:
        self.user = user

    def get_id(self) -> str:
        """Return what the session cookie carries: the user id and the account's session generation."""
        return f"{self.user.id}:{self.user.session_generation}"

    @property
    def is_active(self) -> bool:
        """Whether the account may log in."""
        return bool(self.user.is_active)


LOGIN_AT_KEY = "arena_login_at"


def start_session(user: User) -> None:
    """Log ``user`` in on this browser, for at most the session lifetime from now."""
    login_user(LoginUser(user))
    session.permanent = True  # the cookie's signed timestamp then enforces the idle limit
    session[LOGIN_AT_KEY] = int(time.time())


@login_manager.user_loader
def load_user(session_id: str) -> LoginUser | None:
    """Load the session's user, unless the account is inactive or signed out since, or the session too old."""
    user_id, _, generation = session_id.partition(":")
    try:
        user = state.session().get(User, int(user_id))
    except ValueError:
        return None
    if user is None or not user.is_active or generation != str(user.session_generation):
        return None
    login_at = session.get(LOGIN_AT_KEY)
    lifetime = state.settings().session_lifetime_hours * 3600
    if not isinstance(login_at, int) or time.time() - login_at > lifetime:
        return None
    return LoginUser(user)


def page_user() -> User | None:
    """Return the Arena user logged in through the session cookie, if any."""
    if current_user and current_user.is_authenticated:
        user: User = current_user.user
        return user
    return None


def api_user() -> User | None:
    """Return the Arena user the API request's bearer token belongs to, if any."""
    user: User | None = g.get("api_user")
    return user


def required(user: User | None) -> User:
    """Return ``user`` or raise Unauthenticated."""
    if user is None:
        raise Unauthenticated("log in first")
    return user
