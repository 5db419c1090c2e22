"""Team merges: request, list, accept, decline and withdraw."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import request as http_request

from arena import teams as team_service
from arena.errors import Forbidden, InvalidInput
from arena.models import Team
from arena.permissions import Action, Resource, decide
from web import state
from web.api.requests import id_field, json_body, text_field
from web.api.serializers import merge_dict, team_dict
from web.auth.identity import api_user, required
from web.lookups import challenge_context_for_id

bp = Blueprint("merges", __name__)


def _target(team: Team, data: dict[str, Any]) -> Team:
    into_id = data.get("into_team_id")
    if into_id is not None:
        return team_service.get_team(state.session(), id_field(data, "into_team_id"))
    name = text_field(data, "into_team", required=False, max_length=100)
    if not name:
        raise InvalidInput("give 'into_team_id' or 'into_team' (the team's name)", field="into_team_id")
    return team_service.find_team(state.session(), team.challenge_id, name)


@bp.post("/teams/<id:team_id>/merge-requests")
def create(team_id: int) -> tuple[dict[str, Any], int]:
    """Ask to merge this team (the caller captains it) into another team."""
    user = required(api_user())
    team = team_service.get_team(state.session(), team_id)
    request = team_service.request_merge(state.session(), user, team, _target(team, json_body()), state.now())
    state.session().commit()
    return merge_dict(request), 201


@bp.get("/teams/<id:team_id>/merge-requests")
def index(team_id: int) -> dict[str, Any]:
    """List the team's pending merge requests, sent and received (members and organizers)."""
    team = team_service.get_team(state.session(), team_id)
    context = challenge_context_for_id(team.challenge_id, required(api_user()))
    if not decide(context.actor, Action.VIEW_TEAM_PRIVATE, Resource(owner_team_id=team.id)):
        raise Forbidden("only the team's members see its merge requests")
    sent, received = team_service.pending_merges_for_team(state.session(), team.id)
    return {"sent": [merge_dict(r) for r in sent], "received": [merge_dict(r) for r in received]}


@bp.post("/merge-requests/<id:request_id>/accept")
def accept(request_id: int) -> dict[str, Any]:
    """Merge the requesting team into the caller's (the receiving captain); returns the merged team."""
    user = required(api_user())
    request = team_service.get_merge_request(state.session(), request_id)
    team = team_service.accept_merge(state.session(), state.store(), user, request, state.now())
    state.session().commit()
    return team_dict(team, private=True)


@bp.post("/merge-requests/<id:request_id>/decline")
def decline(request_id: int) -> dict[str, Any]:
    """Refuse a merge request (the receiving captain), with an optional ``reason``."""
    user = required(api_user())
    request = team_service.get_merge_request(state.session(), request_id)
    data = json_body() if http_request.get_data() else {}
    reason = text_field(data, "reason", required=False, max_length=1000)
    team_service.decline_merge(state.session(), user, request, state.now(), reason)
    state.session().commit()
    return merge_dict(request)


@bp.post("/merge-requests/<id:request_id>/cancel")
def cancel(request_id: int) -> dict[str, Any]:
    """Withdraw a merge request (the requesting captain)."""
    user = required(api_user())
    request = team_service.get_merge_request(state.session(), request_id)
    team_service.cancel_merge(state.session(), user, request, state.now())
    state.session().commit()
    return merge_dict(request)
