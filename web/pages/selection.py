"""Final selection toggles on the team's submissions page."""
# mypy: allow-untyped-decorators

from __future__ import annotations

from flask import Blueprint, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.wrappers import Response

from arena import submissions as submission_service
from arena.errors import ArenaError
from web import state
from web.auth.identity import page_user
from web.i18n import localized
from web.lookups import phase_context

bp = Blueprint("selection", __name__)


def _toggle(submission_id: int, selected: bool) -> Response:
    session = state.session()
    submission = submission_service.get_submission(session, submission_id)
    context = phase_context(submission.phase_id, page_user())
    try:
        if selected:
            submission_service.select_submission(session, state.store(), context.actor, submission, state.now())
            flash(_("Submission #%(id)s is selected for the private leaderboard.", id=submission.id), "success")
        else:
            submission_service.unselect_submission(session, state.store(), context.actor, submission, state.now())
            flash(_("Submission #%(id)s is no longer selected.", id=submission.id), "success")
        session.commit()
    except ArenaError as error:
        session.rollback()
        flash(localized(error), "error")
    return redirect(url_for("submissions.mine", phase_id=submission.phase_id))


@bp.post("/submissions/<id:submission_id>/select")
@login_required
def select(submission_id: int) -> Response:
    """Select a submission for the private leaderboard."""
    return _toggle(submission_id, True)


@bp.post("/submissions/<id:submission_id>/unselect")
@login_required
def unselect(submission_id: int) -> Response:
    """Remove a submission from the final selection."""
    return _toggle(submission_id, False)
