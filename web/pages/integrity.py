"""Organizer pages for integrity: signals to review, rescoring with progress, and re-runs of submissions."""
# mypy: allow-untyped-decorators

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.wrappers import Response

from arena import evaluation, integrity
from arena import submissions as submission_service
from arena.errors import ArenaError
from arena.models import Phase, Submission, Team
from arena.permissions import Action, Actor, decide, require
from web import state
from web.auth.identity import page_user, required
from web.i18n import localized
from web.lookups import challenge_context, phase_context
from web.pages.integrity_forms import DismissSignalForm, RerunForm, RescoreForm

bp = Blueprint("integrity", __name__)

REFRESH_SECONDS = 5


@bp.route("/c/<slug>/integrity")
@login_required
def signals(slug: str) -> str:
    """List a challenge's integrity signals (open ones; ``?all=1`` adds dismissed ones)."""
    context = challenge_context(slug, page_user())
    require(context.actor, Action.REVIEW_INTEGRITY)
    session = state.session()
    show_all = request.args.get("all") == "1"
    rows = integrity.list_signals(session, context.challenge.id, include_dismissed=show_all)
    team_ids = {t for s in rows for t in s.team_ids}
    teams = {t.id: t for t in session.query(Team).filter(Team.id.in_(team_ids))} if team_ids else {}
    phases = {p.id: p for p in session.query(Phase).filter(Phase.id.in_({s.phase_id for s in rows if s.phase_id}))}
    return render_template(
        "organizer/integrity.html",
        challenge=context.challenge,
        signals=rows,
        teams=teams,
        phases=phases,
        show_all=show_all,
        form=DismissSignalForm(),
    )


@bp.route("/c/<slug>/integrity/<id:signal_id>/dismiss", methods=["POST"])
@login_required
def dismiss(slug: str, signal_id: int) -> Response:
    """Dismiss a signal with a reason (audited)."""
    context = challenge_context(slug, page_user())
    require(context.actor, Action.REVIEW_INTEGRITY)
    session = state.session()
    signal = integrity.get_signal(session, signal_id)
    if signal.challenge_id != context.challenge.id:
        return redirect(url_for("integrity.signals", slug=slug))
    form = DismissSignalForm()
    if not form.validate_on_submit():
        flash(_("Say why the signal is dismissed."), "error")
        return redirect(url_for("integrity.signals", slug=slug))
    try:
        integrity.dismiss_signal(session, signal, reason=form.reason.data or "", actor_id=required(context.user).id)
        session.commit()
    except ArenaError as error:
        session.rollback()
        flash(localized(error), "error")
        return redirect(url_for("integrity.signals", slug=slug))
    flash(_("Signal #%(id)s dismissed.", id=signal_id), "success")
    return redirect(url_for("integrity.signals", slug=slug))


@bp.route("/phases/<id:phase_id>/rescoring")
@login_required
def rescores(phase_id: int) -> str:
    """Show the phase's score version and the progress of its rescores; refresh while one runs."""
    context = phase_context(phase_id, page_user())
    require(context.actor, Action.RESCORE, context.resource())
    runs = evaluation.phase_rescores(state.session(), phase_id)
    state.session().commit()
    running = any(r.finished_at is None and not r.superseded for r in runs)
    return render_template(
        "organizer/rescoring.html",
        phase=context.phase,
        challenge=context.challenge,
        runs=runs,
        form=RescoreForm(),
        refresh=REFRESH_SECONDS if running else None,
    )


@bp.route("/phases/<id:phase_id>/rescore", methods=["POST"])
@login_required
def rescore(phase_id: int) -> Response:
    """Start rescoring every scored submission of the phase under a new score version."""
    context = phase_context(phase_id, page_user())
    require(context.actor, Action.RESCORE, context.resource())
    form = RescoreForm()
    if not form.validate_on_submit():
        flash(_("Say why the phase is rescored."), "error")
        return redirect(url_for("integrity.rescores", phase_id=phase_id))
    run = evaluation.rescore_phase(
        state.session(),
        state.settings(),
        context.phase,
        reason=form.reason.data or "",
        requested_by_id=required(context.user).id,
    )
    flash(_("Rescoring %(n)s submissions under score version %(v)s.", n=run.total, v=run.version), "success")
    return redirect(url_for("integrity.rescores", phase_id=phase_id))


@bp.route("/submissions/<id:submission_id>/rerun", methods=["POST"])
@login_required
def rerun(submission_id: int) -> Response:
    """Re-run a submission to check that it reproduces its recorded score."""
    submission = submission_service.get_submission(state.session(), submission_id)
    context = phase_context(submission.phase_id, page_user())
    require(context.actor, Action.RESCORE, context.resource(), hide=True)
    if not RerunForm().validate_on_submit():
        flash(_("The form expired; try again."), "error")
        return redirect(url_for("submissions.show", submission_id=submission_id))
    try:
        found = evaluation.request_rerun(
            state.session(), state.settings(), submission, actor_id=required(context.user).id
        )
    except ArenaError as error:
        state.session().rollback()
        flash(localized(error), "error")
        return redirect(url_for("submissions.show", submission_id=submission_id))
    flash(_("Re-run #%(id)s is queued.", id=found.id), "success")
    return redirect(url_for("submissions.show", submission_id=submission_id))


def provenance_panel(submission: Submission, actor: Actor) -> dict[str, Any] | None:
    """Return what the submission page shows organizers: score provenance, re-runs and the re-run form."""
    if not decide(actor, Action.REVIEW_INTEGRITY):
        return None
    session = state.session()
    return {
        "scores": evaluation.provenance(session, submission),
        "reruns": evaluation.submission_reruns(session, submission.id),
        "score_version": submission.phase.score_version,
        "can_rerun": decide(actor, Action.RESCORE),
        "form": RerunForm(),
    }
