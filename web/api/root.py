"""The ``/api/v1`` blueprint: bearer-token authentication for every API route, JSON only."""

from __future__ import annotations

from flask import Blueprint, g, request

from arena import accounts
from arena.errors import Unauthenticated
from web import state
from web.api import (
    audit,
    challenge_creation,
    challenge_data,
    challenge_editing,
    challenges,
    demands,
    finals,
    integrity,
    leaderboards,
    merges,
    notifications,
    openapi,
    stages,
    submissions,
    teams,
    tokens,
)

api = Blueprint("api", __name__, url_prefix="/api/v1")


@api.before_request
def authenticate_token() -> None:
    """Resolve ``Authorization: Bearer …`` to a user; session cookies are never used by the API."""
    g.api_user = None
    header = request.headers.get("Authorization", "")
    if not header:
        return
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("use the header 'Authorization: Bearer <token>'")
    g.api_user = accounts.user_for_token(state.session(), token)
    state.session().commit()


for child in (
    tokens.bp,
    challenges.bp,
    challenge_creation.bp,
    challenge_data.bp,
    challenge_editing.bp,
    teams.bp,
    merges.bp,
    stages.bp,
    submissions.bp,
    leaderboards.bp,
    integrity.bp,
    finals.bp,
    audit.bp,
    notifications.bp,
    demands.bp,
    openapi.bp,
):
    api.register_blueprint(child)
