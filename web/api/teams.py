"""Teams: create, join with an invite code, look one up; invitations, leaving, captaincy and institution."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from arena import teams as team_service
from arena.errors import Forbidden, InvalidInput
from arena.models import Team, TeamInvitation, User
from arena.permissions import Action, Resource, decide
from web import state
from web.api.requests import json_body, text_field
from web.api.serializers import invitation_dict, team_dict
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


@bp.get("/teams/<id:team_id>")
def show(team_id: int) -> dict[str, Any]:
    """Return a team; its members (and organizers) also get the invite code."""
    team = team_service.get_team(state.session(), team_id)
    context = challenge_context_for_id(team.challenge_id, api_user())
    private = decide(context.actor, Action.VIEW_TEAM_PRIVATE, Resource(owner_team_id=team.id))
    return team_dict(team, private=private)


@bp.patch("/teams/<id:team_id>")
def update(team_id: int) -> dict[str, Any]:
    """Change the team's institution (captain)."""
    user = required(api_user())
    team = team_service.get_team(state.session(), team_id)
    data = json_body()
    if "institution" not in data:
        raise InvalidInput("send the field to change: 'institution'", field="institution")
    team_service.set_institution(state.session(), user, team, text_field(data, "institution", max_length=200))
    state.session().commit()
    return team_dict(team, private=True)


@bp.post("/teams/<id:team_id>/captain")
def transfer(team_id: int) -> dict[str, Any]:
    """Hand the captaincy to the member named ``username`` (captain)."""
    user = required(api_user())
    team = team_service.get_team(state.session(), team_id)
    team_service.transfer_captain(state.session(), user, team, text_field(json_body(), "username", max_length=64))
    state.session().commit()
    return team_dict(team, private=True)


@bp.post("/teams/<id:team_id>/leave")
def leave(team_id: int) -> dict[str, Any]:
    """Leave the team; a captain alone dissolves it (then ``team`` is null)."""
    user = required(api_user())
    team = team_service.get_team(state.session(), team_id)
    kept = team_service.leave_team(state.session(), user, team)
    result = {"team": team_dict(kept, private=False) if kept else None, "dissolved": kept is None}
    state.session().commit()
    return result


def _invitation_dict(invitation: TeamInvitation) -> dict[str, Any]:
    team = team_service.get_team(state.session(), invitation.team_id)
    return invitation_dict(invitation, team, state.session().get(User, invitation.user_id))


@bp.post("/teams/<id:team_id>/invitations")
def invite(team_id: int) -> tuple[dict[str, Any], int]:
    """Invite the user named ``username`` (captain)."""
    user = required(api_user())
    team = team_service.get_team(state.session(), team_id)
    invitation = team_service.invite(state.session(), user, team, text_field(json_body(), "username", max_length=64))
    state.session().commit()
    return _invitation_dict(invitation), 201


@bp.get("/teams/<id:team_id>/invitations")
def team_invitations(team_id: int) -> dict[str, Any]:
    """List the team's pending invitations (members and organizers)."""
    team = team_service.get_team(state.session(), team_id)
    context = challenge_context_for_id(team.challenge_id, required(api_user()))
    if not decide(context.actor, Action.VIEW_TEAM_PRIVATE, Resource(owner_team_id=team.id)):
        raise Forbidden("only the team's members see its invitations")
    rows = team_service.pending_invitations_for_team(state.session(), team.id)
    return {"invitations": [_invitation_dict(row) for row in rows]}


@bp.get("/challenges/<slug>/invitations")
def my_invitations(slug: str) -> dict[str, Any]:
    """List the invitations the caller has received in a challenge and not yet answered."""
    user = required(api_user())
    context = challenge_context(slug, user)
    rows = team_service.pending_invitations_for_user(state.session(), user.id, context.challenge.id)
    return {"invitations": [_invitation_dict(row) for row in rows]}


@bp.post("/invitations/<id:invitation_id>/accept")
def accept_invitation(invitation_id: int) -> dict[str, Any]:
    """Accept an invitation addressed to the caller and join the team."""
    user = required(api_user())
    invitation = team_service.get_invitation(state.session(), invitation_id)
    team: Team = team_service.respond_to_invitation(state.session(), user, invitation, accept=True)
    state.session().commit()
    return team_dict(team, private=True)


@bp.post("/invitations/<id:invitation_id>/decline")
def decline_invitation(invitation_id: int) -> dict[str, Any]:
    """Decline an invitation addressed to the caller."""
    user = required(api_user())
    invitation = team_service.get_invitation(state.session(), invitation_id)
    team_service.respond_to_invitation(state.session(), user, invitation, accept=False)
    state.session().commit()
    return _invitation_dict(invitation)


@bp.post("/invitations/<id:invitation_id>/cancel")
def cancel_invitation(invitation_id: int) -> dict[str, Any]:
    """Withdraw an invitation (the inviting team's captain)."""
    user = required(api_user())
    invitation = team_service.get_invitation(state.session(), invitation_id)
    team_service.cancel_invitation(state.session(), user, invitation)
    state.session().commit()
    return _invitation_dict(invitation)
