"""API tokens and the caller's own account."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from arena import accounts
from web import state
from web.api.requests import json_body, text_field
from web.auth.identity import api_user, required

bp = Blueprint("tokens", __name__)


@bp.post("/tokens")
def create() -> tuple[dict[str, Any], int]:
    """Exchange a username and password for a new API token (shown once)."""
    data = json_body()
    user = accounts.authenticate(
        state.session(), text_field(data, "username", max_length=63), text_field(data, "password", max_length=1024)
    )
    token = accounts.issue_token(state.session(), user, name=text_field(data, "name", required=False, max_length=100))
    state.session().commit()
    return {"token": token, "username": user.username}, 201


@bp.get("/me")
def me() -> dict[str, Any]:
    """Return the caller's account."""
    user = required(api_user())
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "email": user.email,
        "institution": user.institution,
        "timezone": user.timezone or state.settings().default_timezone,
        "locale": user.locale or state.settings().default_locale,
        "is_admin": user.is_admin,
    }
