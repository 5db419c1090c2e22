"""The team page of a challenge: create or join a team, answer invitations, and the captain's tools."""
# mypy: allow-untyped-decorators

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from arena import teams as team_service
from arena.challenges import quota_status
from arena.errors import ArenaError
from arena.models import Challenge, MergeRequest, Team, TeamInvitation, User
from arena.permissions import Action, Actor, Resource, decide
from web import state
from web.auth.identity import page_user, required
from web.forms import show_error
from web.lookups import ChallengeContext, challenge_context, challenge_context_for_id
from web.pages.forms import CreateTeamForm, JoinTeamForm
from web.pages.team_forms import ConfirmForm, InstitutionForm, InviteForm, MergeForm, TransferForm

bp = Blueprint("teams", __name__)


@dataclass(frozen=True)
class InvitationRow:
    """An invitation with the names a page shows."""

    invitation: TeamInvitation
    team: Team
    user: User | None


@dataclass(frozen=True)
class MergeRow:
    """A merge request with both teams."""

    request: MergeRequest
    from_team: Team
    into_team: Team


def invitation_rows(session: Session, rows: list[TeamInvitation]) -> list[InvitationRow]:
    """Attach the team and the invited user to each invitation."""
    result = []
    for row in rows:
        team = session.get(Team, row.team_id)
        if team is not None:
            result.append(InvitationRow(invitation=row, team=team, user=session.get(User, row.user_id)))
    return result


def merge_rows(session: Session, rows: list[MergeRequest]) -> list[MergeRow]:
    """Attach both teams to each merge request."""
    result = []
    for row in rows:
        from_team, into_team = session.get(Team, row.from_team_id), session.get(Team, row.into_team_id)
        if from_team is not None and into_team is not None:
            result.append(MergeRow(request=row, from_team=from_team, into_team=into_team))
    return result


def team_panel(session: Session, challenge: Challenge, team: Team, actor: Actor) -> dict[str, Any]:
    """Return what the team page shows about ``team`` to ``actor``: members see requests, captains get tools."""
    resource = Resource(owner_team_id=team.id)
    private = decide(actor, Action.VIEW_TEAM_PRIVATE, resource)
    captain = decide(actor, Action.MANAGE_TEAM, resource)
    sent, received = team_service.pending_merges_for_team(session, team.id) if private else ([], [])
    merged_into = session.get(Team, team.merged_into_id) if team.merged_into_id else None
    now = state.now()
    quotas = [
        (phase, quota_status(session, team.id, phase, now, user_id=actor.user_id))
        for track in challenge.tracks
        for phase in track.phases
        if private and phase.is_open(now)
    ]
    return {
        "challenge": challenge,
        "team": team,
        "show_private": private,
        "is_captain": captain,
        "is_member": actor.team_id == team.id,
        "merged_into": merged_into,
        "quotas": quotas,
        "merge_deadline": team_service.merge_deadline(challenge),
        "sent_invitations": invitation_rows(session, team_service.pending_invitations_for_team(session, team.id))
        if private
        else [],
        "merges_sent": merge_rows(session, sent),
        "merges_received": merge_rows(session, received),
        "confirm_form": ConfirmForm(),
        "invite_form": InviteForm(),
        "transfer_form": TransferForm(),
        "institution_form": InstitutionForm(institution=team.institution),
        "merge_form": MergeForm(),
    }


def _render(
    context: ChallengeContext, create: CreateTeamForm, join: JoinTeamForm, status: int = 200
) -> tuple[str, int]:
    session = state.session()
    user = required(context.user)
    team = team_service.team_of(session, user.id, context.challenge.id)
    panel = team_panel(session, context.challenge, team, context.actor) if team else {}
    received = invitation_rows(
        session, team_service.pending_invitations_for_user(session, user.id, context.challenge.id)
    )
    page = render_template(
        "teams/team.html",
        **{"challenge": context.challenge, "team": team, "show_private": team is not None, **panel},
        create_form=create,
        join_form=join,
        received_invitations=received,
        respond_form=ConfirmForm(),
    )
    return page, status


@bp.route("/c/<slug>/team")
@login_required
def mine(slug: str) -> tuple[str, int]:
    """Show the viewer's team in a challenge, or the forms to create or join one and the invitations received."""
    return _render(challenge_context(slug, page_user()), CreateTeamForm(), JoinTeamForm())


@bp.route("/c/<slug>/team/create", methods=["POST"])
@login_required
def create(slug: str) -> Response | tuple[str, int]:
    """Create a team with the viewer as captain."""
    context = challenge_context(slug, page_user())
    form = CreateTeamForm()
    if not form.validate_on_submit():
        return _render(context, form, JoinTeamForm(), 400)
    try:
        team = team_service.create_team(
            state.session(),
            required(context.user),
            context.challenge,
            form.name.data or "",
            form.institution.data or "",
        )
        state.session().commit()
    except ArenaError as error:
        state.session().rollback()
        return _render(context, form, JoinTeamForm(), show_error(form, error))
    flash(_("Team %(name)s created. Share the invite code with your teammates.", name=team.name), "success")
    return redirect(url_for("teams.mine", slug=slug))


@bp.route("/c/<slug>/team/join", methods=["POST"])
@login_required
def join(slug: str) -> Response | tuple[str, int]:
    """Join a team with its invite code."""
    context = challenge_context(slug, page_user())
    form = JoinTeamForm()
    if not form.validate_on_submit():
        return _render(context, CreateTeamForm(), form, 400)
    try:
        team = team_service.join_team(state.session(), required(context.user), form.invite_code.data or "")
        state.session().commit()
    except ArenaError as error:
        state.session().rollback()
        return _render(context, CreateTeamForm(), form, show_error(form, error))
    flash(_("You joined team %(name)s.", name=team.name), "success")
    return redirect(url_for("teams.show", team_id=team.id))


@bp.route("/teams/<id:team_id>")
def show(team_id: int) -> str:
    """Show a team's page; members also see the invite code and pending requests, the captain the tools."""
    team = team_service.get_team(state.session(), team_id)
    context = challenge_context_for_id(team.challenge_id, page_user())
    panel = team_panel(state.session(), context.challenge, team, context.actor)
    return render_template("teams/show.html", **panel)
