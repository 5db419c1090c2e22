"""The team page of a challenge: create a team, join one with an invite code, see members."""
# mypy: allow-untyped-decorators

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.wrappers import Response

from arena.errors import ArenaError
from arena.permissions import Action, Resource, decide
from arena.services import teams as team_service
from web import state
from web.auth.identity import page_user, required
from web.forms import show_error
from web.lookups import ChallengeContext, challenge_context, challenge_context_for_id
from web.pages.forms import CreateTeamForm, JoinTeamForm

bp = Blueprint("teams", __name__)


def _render(
    context: ChallengeContext, create: CreateTeamForm, join: JoinTeamForm, status: int = 200
) -> tuple[str, int]:
    team = team_service.team_of(state.session(), context.user.id, context.challenge.id) if context.user else None
    page = render_template(
        "teams/team.html",
        challenge=context.challenge,
        team=team,
        create_form=create,
        join_form=join,
        show_private=team is not None,
    )
    return page, status


@bp.route("/c/<slug>/team")
@login_required
def mine(slug: str) -> tuple[str, int]:
    """Show the viewer's team in a challenge, or the forms to create or join one."""
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


@bp.route("/teams/<int:team_id>")
def show(team_id: int) -> str:
    """Show a team's public page; members also see the invite code."""
    team = team_service.get_team(state.session(), team_id)
    context = challenge_context_for_id(team.challenge_id, page_user())
    show_private = decide(context.actor, Action.VIEW_TEAM_PRIVATE, Resource(owner_team_id=team.id))
    return render_template("teams/show.html", challenge=context.challenge, team=team, show_private=show_private)
