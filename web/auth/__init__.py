"""Accounts pages: registration, login, profile and API tokens."""

from web.auth.views import bp as auth_blueprint

__all__ = ["auth_blueprint"]
