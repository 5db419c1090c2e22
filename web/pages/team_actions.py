"""The team page's buttons: invitations, leaving, captaincy, institution and merges (all CSRF-protected posts)."""
# mypy: allow-untyped-decorators

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from arena import teams as team_service
from arena.errors import ArenaError, InvalidInput
from arena.models import Team, User
from web import state
from web.auth.identity import page_user, required
from web.errors import status_for
from web.i18n import localized
from web.lookups import challenge_context_for_id
from web.pages.team_forms import ConfirmForm, InstitutionForm, InviteForm, MergeForm, TransferForm
from web.pages.teams import team_panel

bp = Blueprint("team_actions", __name__)

Outcome = Response | tuple[str, int]


def _run(form: FlaskForm, team: Team, work: Callable[[Session, User], tuple[str, str]]) -> Outcome:
    """Validate ``form``, do ``work`` and commit; on success flash its message and go to its page.

    ``work`` returns (message, url). On a refusal the team's page is shown again with the reason.
    """
    session = state.session()
    user = required(page_user())
    try:
        if not form.validate_on_submit():
            problems = "; ".join(str(e) for errors in form.errors.values() for e in errors)
            raise InvalidInput(problems or "the form is incomplete")
        message, url = work(session, user)
        session.commit()
    except ArenaError as error:
        session.rollback()
        flash(localized(error), "error")
        fresh = session.get(Team, team.id)
        context = challenge_context_for_id(team.challenge_id, user)
        if fresh is None:
            return redirect(url_for("teams.mine", slug=context.challenge.slug))
        return render_template("teams/show.html", **team_panel(session, context.challenge, fresh, context.actor)), (
            status_for(error)
        )
    flash(message, "success")
    return redirect(url)


def _team_url(team: Team) -> str:
    return url_for("teams.show", team_id=team.id)


@bp.route("/teams/<id:team_id>/invitations", methods=["POST"])
@login_required
def invite(team_id: int) -> Outcome:
    """Invite a user by username (captain)."""
    team = team_service.get_team(state.session(), team_id)
    form = InviteForm()

    def work(session: Session, user: User) -> tuple[str, str]:
        team_service.invite(session, user, team, form.username.data or "")
        return _("Invitation sent to %(name)s.", name=(form.username.data or "").strip()), _team_url(team)

    return _run(form, team, work)


def _invitation_team(invitation_id: int) -> Team:
    invitation = team_service.get_invitation(state.session(), invitation_id)
    return team_service.get_team(state.session(), invitation.team_id)


@bp.route("/invitations/<id:invitation_id>/accept", methods=["POST"])
@login_required
def accept_invitation(invitation_id: int) -> Outcome:
    """Accept an invitation and join the team."""
    team = _invitation_team(invitation_id)

    def work(session: Session, user: User) -> tuple[str, str]:
        invitation = team_service.get_invitation(session, invitation_id)
        joined = team_service.respond_to_invitation(session, user, invitation, accept=True)
        return _("You joined team %(name)s.", name=joined.name), _team_url(joined)

    return _run(ConfirmForm(), team, work)


@bp.route("/invitations/<id:invitation_id>/decline", methods=["POST"])
@login_required
def decline_invitation(invitation_id: int) -> Outcome:
    """Decline an invitation."""
    team = _invitation_team(invitation_id)

    def work(session: Session, user: User) -> tuple[str, str]:
        team_service.respond_to_invitation(
            session, user, team_service.get_invitation(session, invitation_id), accept=False
        )
        slug = challenge_context_for_id(team.challenge_id, user).challenge.slug
        return _("Invitation declined."), url_for("teams.mine", slug=slug)

    return _run(ConfirmForm(), team, work)


@bp.route("/invitations/<id:invitation_id>/cancel", methods=["POST"])
@login_required
def cancel_invitation(invitation_id: int) -> Outcome:
    """Withdraw an invitation (captain)."""
    team = _invitation_team(invitation_id)

    def work(session: Session, user: User) -> tuple[str, str]:
        team_service.cancel_invitation(session, user, team_service.get_invitation(session, invitation_id))
        return _("Invitation withdrawn."), _team_url(team)

    return _run(ConfirmForm(), team, work)


@bp.route("/teams/<id:team_id>/leave", methods=["POST"])
@login_required
def leave(team_id: int) -> Outcome:
    """Leave the team (a captain alone dissolves it)."""
    team = team_service.get_team(state.session(), team_id)

    def work(session: Session, user: User) -> tuple[str, str]:
        slug = challenge_context_for_id(team.challenge_id, user).challenge.slug
        kept = team_service.leave_team(session, user, team)
        message = _("You left team %(name)s.", name=team.name) if kept else _("The team was dissolved.")
        return message, url_for("teams.mine", slug=slug)

    return _run(ConfirmForm(), team, work)


@bp.route("/teams/<id:team_id>/captain", methods=["POST"])
@login_required
def transfer(team_id: int) -> Outcome:
    """Hand the captaincy to another member (captain)."""
    team = team_service.get_team(state.session(), team_id)
    form = TransferForm()

    def work(session: Session, user: User) -> tuple[str, str]:
        team_service.transfer_captain(session, user, team, form.username.data or "")
        return _("The captaincy was handed over."), _team_url(team)

    return _run(form, team, work)


@bp.route("/teams/<id:team_id>/institution", methods=["POST"])
@login_required
def institution(team_id: int) -> Outcome:
    """Set the team's institution (captain)."""
    team = team_service.get_team(state.session(), team_id)
    form = InstitutionForm()

    def work(session: Session, user: User) -> tuple[str, str]:
        team_service.set_institution(session, user, team, form.institution.data or "")
        return _("The institution was saved."), _team_url(team)

    return _run(form, team, work)


@bp.route("/teams/<id:team_id>/merge-requests", methods=["POST"])
@login_required
def request_merge(team_id: int) -> Outcome:
    """Ask to merge this team into another one (captain)."""
    team = team_service.get_team(state.session(), team_id)
    form = MergeForm()

    def work(session: Session, user: User) -> tuple[str, str]:
        into = team_service.find_team(session, team.challenge_id, form.team.data or "")
        team_service.request_merge(session, user, team, into, state.now())
        return _("Merge request sent to %(name)s; its captain decides.", name=into.name), _team_url(team)

    return _run(form, team, work)


def _merge_action(request_id: int, action: str) -> Outcome:
    request = team_service.get_merge_request(state.session(), request_id)
    mine = request.into_team_id if action in ("accept", "decline") else request.from_team_id
    team = team_service.get_team(state.session(), mine)

    def work(session: Session, user: User) -> tuple[str, str]:
        row = team_service.get_merge_request(session, request_id)
        if action == "accept":
            merged = team_service.accept_merge(session, state.store(), user, row, state.now())
            return _("The teams are merged into %(name)s.", name=merged.name), _team_url(merged)
        if action == "decline":
            team_service.decline_merge(session, user, row, state.now())
            return _("Merge request declined."), _team_url(team)
        team_service.cancel_merge(session, user, row, state.now())
        return _("Merge request withdrawn."), _team_url(team)

    return _run(ConfirmForm(), team, work)


@bp.route("/merge-requests/<id:request_id>/accept", methods=["POST"])
@login_required
def accept_merge(request_id: int) -> Outcome:
    """Carry out a merge into this team (the receiving captain)."""
    return _merge_action(request_id, "accept")


@bp.route("/merge-requests/<id:request_id>/decline", methods=["POST"])
@login_required
def decline_merge(request_id: int) -> Outcome:
    """Refuse a merge into this team (the receiving captain)."""
    return _merge_action(request_id, "decline")


@bp.route("/merge-requests/<id:request_id>/cancel", methods=["POST"])
@login_required
def cancel_merge(request_id: int) -> Outcome:
    """Withdraw this team's merge request (the requesting captain)."""
    return _merge_action(request_id, "cancel")
