"""A staged phase's entries: the rule, who is admitted and why; organizers advance teams or admit one by hand."""
# mypy: allow-untyped-decorators

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.wrappers import Response

from arena import challenges as challenge_service
from arena import teams as team_service
from arena.errors import ArenaError, InvalidInput
from arena.models import Team
from arena.permissions import Action, decide
from web import state
from web.auth.identity import page_user, required
from web.errors import status_for
from web.i18n import localized
from web.lookups import PhaseContext, phase_context
from web.pages.team_forms import AdmitForm, ConfirmForm

bp = Blueprint("stages", __name__)


def _render(context: PhaseContext, admit_form: AdmitForm | None = None, status: int = 200) -> tuple[str, int]:
    session = state.session()
    phase = context.phase
    rows = [(entry, session.get(Team, entry.team_id)) for entry in challenge_service.entries(session, phase)]
    page = render_template(
        "phases/entries.html",
        phase=phase,
        challenge=context.challenge,
        team=context.team,
        rule=challenge_service.rule_of(phase),
        source=challenge_service.source_phase(session, phase),
        entries=[(entry, team) for entry, team in rows if team is not None],
        admitted=context.team is not None and challenge_service.is_admitted(session, phase, context.team.id),
        last_run=challenge_service.last_advancement(session, phase),
        can_manage=decide(context.actor, Action.MANAGE_PHASE_ENTRIES),
        confirm_form=ConfirmForm(),
        admit_form=admit_form or AdmitForm(),
    )
    return page, status


@bp.route("/phases/<id:phase_id>/entries")
def entries(phase_id: int) -> tuple[str, int]:
    """Show who may submit to a phase: everyone, or the admitted teams with the reason of each admission."""
    return _render(phase_context(phase_id, page_user()))


@bp.route("/phases/<id:phase_id>/advance", methods=["POST"])
@login_required
def advance(phase_id: int) -> Response | tuple[str, int]:
    """Admit the teams that qualify on the previous phase's board (organizers)."""
    context = phase_context(phase_id, page_user())
    if not ConfirmForm().validate_on_submit():
        return _render(context, status=400)
    try:
        result = challenge_service.advance(state.session(), context.phase, required(context.user), state.now())
        state.session().commit()
    except ArenaError as error:
        state.session().rollback()
        flash(localized(error), "error")
        return _render(context, status=status_for(error))
    flash(
        _(
            "%(new)s teams admitted (%(old)s were already admitted).",
            new=len(result.admitted),
            old=len(result.already_admitted),
        ),
        "success",
    )
    return redirect(url_for("stages.entries", phase_id=phase_id))


@bp.route("/phases/<id:phase_id>/admit", methods=["POST"])
@login_required
def admit(phase_id: int) -> Response | tuple[str, int]:
    """Admit one team by hand with a reason (organizers)."""
    context = phase_context(phase_id, page_user())
    form = AdmitForm()
    try:
        if not form.validate_on_submit():
            raise InvalidInput("give the team's name and the reason for admitting it")
        session = state.session()
        team = team_service.find_team(session, context.challenge.id, form.team.data or "")
        challenge_service.admit(
            session, context.phase, team, required(context.user), form.reason.data or "", state.now()
        )
        session.commit()
    except ArenaError as error:
        state.session().rollback()
        flash(localized(error), "error")
        return _render(context, form, status_for(error))
    flash(_("Team %(name)s admitted.", name=team.name), "success")
    return redirect(url_for("stages.entries", phase_id=phase_id))
