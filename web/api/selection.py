"""Final selection of a submission for the private leaderboard."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from arena import submissions as submission_service
from web import state
from web.auth.identity import api_user, required
from web.lookups import phase_context

bp = Blueprint("selection", __name__)


def _toggle(submission_id: int, selected: bool) -> dict[str, Any]:
    user = required(api_user())
    session = state.session()
    submission = submission_service.get_submission(session, submission_id)
    context = phase_context(submission.phase_id, user)
    change = submission_service.select_submission if selected else submission_service.unselect_submission
    result = change(session, state.store(), context.actor, submission, state.now())
    session.commit()
    return {"submission_id": submission.id, "selected": submission.is_selected, "selection": result.to_dict()}


@bp.post("/submissions/<id:submission_id>/selection")
def select(submission_id: int) -> dict[str, Any]:
    """Select a scored submission for the private leaderboard (up to the phase's limit, until it ends)."""
    return _toggle(submission_id, True)


@bp.delete("/submissions/<id:submission_id>/selection")
def unselect(submission_id: int) -> dict[str, Any]:
    """Remove a submission from the team's final selection."""
    return _toggle(submission_id, False)
