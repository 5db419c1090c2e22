"""Teams: create, join with an invite code, look one up."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from arena.permissions import Action, Resource, decide
from arena.services import teams as team_service
from web import state
from web.api.requests import json_body, text_field
from web.api.serializers import team_dict
from web.auth.identity import api_user, required
from web.lookups import challenge_context, challenge_context_for_id

bp = Blueprint("teams", __name__)


@bp.post("/challenges/<slug>/teams")
def create(slug: str) -> tuple[dict[str, Any], int]:
    """Create a team with the caller as captain."""
    user = required(api_user())
    context = challenge_context(slug, user)
    data = json_body()
    team = team_service.create_team(
        state.session(),
        user,
        context.challenge,
        text_field(data, "name", max_length=100),
        text_field(data, "institution", required=False, max_length=200),
    )
    state.session().commit()
    return team_dict(team, private=True), 201


@bp.post("/teams/join")
def join() -> dict[str, Any]:
    """Join the team with this invite code."""
    user = required(api_user())
    team = team_service.join_team(state.session(), user, text_field(json_body(), "invite_code", max_length=32))
    state.session().commit()
    return team_dict(team, private=True)


@bp.get("/teams/<int:team_id>")
def show(team_id: int) -> dict[str, Any]:
    """Return a team; its members (and organizers) also get the invite code."""
    team = team_service.get_team(state.session(), team_id)
    context = challenge_context_for_id(team.challenge_id, api_user())
    private = decide(context.actor, Action.VIEW_TEAM_PRIVATE, Resource(owner_team_id=team.id))
    return team_dict(team, private=private)
