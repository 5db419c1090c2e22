"""The logged-in user as Flask-Login sees it, and the current Arena user for views."""
# mypy: allow-untyped-decorators
# mypy: allow-subclassing-any

from __future__ import annotations

from flask import g
from flask_login import UserMixin, current_user

from arena.errors import Unauthenticated
from arena.models import User
from web import state
from web.extensions import login_manager


class LoginUser(UserMixin):
    """Flask-Login's view of an Arena user (presentation adapter; the model stays framework-free)."""

    def __init__(self, user: User) -> None:
        self.user = user

    def get_id(self) -> str:
        """Return the id stored in the session cookie."""
        return str(self.user.id)

    @property
    def is_active(self) -> bool:
        """Whether the account may log in."""
        return bool(self.user.is_active)


@login_manager.user_loader
def load_user(user_id: str) -> LoginUser | None:
    """Load the session's user, if the id is valid and the account active."""
    try:
        user = state.session().get(User, int(user_id))
    except ValueError:
        return None
    if user is None or not user.is_active:
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
