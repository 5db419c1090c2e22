"""The organizer's work on a final's people: naming and replacing finalists, reproductions, judges, panels, exports."""
# mypy: allow-untyped-decorators

from __future__ import annotations

import io
from typing import Any

from flask import Blueprint, request, send_file
from flask_babel import gettext
from flask_login import login_required
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from arena import finals
from arena import teams as team_service
from arena.errors import InvalidInput, NotFound
from arena.models import Challenge, Final, Finalist, User
from web import state
from web.auth.identity import page_user, required
from web.pages.finals_manage import Outcome, act, form_number, managed_final, need


def _(message: str, **params: Any) -> str:
    """The message in the viewer's language."""
    return str(gettext(message, **params))


bp = Blueprint("finals_people", __name__)


def _finalist(session: Session, final: Final | None, finalist_id: int) -> Finalist:
    finalist = session.get(Finalist, finalist_id)
    if finalist is None or finalist.final_id != need(final).id:
        raise NotFound("no finalist %(id)s", params={"id": finalist_id})
    return finalist


@bp.route("/c/<slug>/final/manage/name", methods=["POST"])
@login_required
def name(slug: str) -> Outcome:
    """Name the top N, or every team at or past a threshold, of a closed source phase's private board."""

    def work(session: Session, user: User, final: Final | None, challenge: Challenge) -> str:
        phase_id = int(form_number("phase_id", int))
        if request.form.get("rule") == "threshold":
            threshold = float(form_number("value", float))
            named = finals.name_finalists(session, user, need(final).id, phase_id, threshold=threshold)
        else:
            top_n = int(form_number("value", int))
            named = finals.name_finalists(session, user, need(final).id, phase_id, top_n=top_n)
        return _("%(count)s finalists named.", count=len(named))

    return act(slug, work)


@bp.route("/c/<slug>/final/manage/add", methods=["POST"])
@login_required
def add(slug: str) -> Outcome:
    """Add a team to the final by hand, with a reason."""

    def work(session: Session, user: User, final: Final | None, challenge: Challenge) -> str:
        team = team_service.find_team(session, challenge.id, request.form.get("team", "").strip())
        finals.add_finalist(session, user, need(final).id, team.id, request.form.get("reason", ""))
        return _("%(team)s is added to the final.", team=team.name)

    return act(slug, work)


@bp.route("/c/<slug>/final/manage/finalists/<id:finalist_id>/decline", methods=["POST"])
@login_required
def decline(slug: str, finalist_id: int) -> Outcome:
    """Mark a finalist declined; the next team on the board becomes a substitute."""

    def work(session: Session, user: User, final: Final | None, challenge: Challenge) -> str:
        _finalist(session, final, finalist_id)
        substitute = finals.decline_finalist(session, user, finalist_id, request.form.get("reason", ""))
        if substitute is None:
            return _("The finalist is declined; no team is left on the board to substitute.")
        return _("The finalist is declined; the next team on the board is the substitute.")

    return act(slug, work)


@bp.route("/c/<slug>/final/manage/finalists/<id:finalist_id>/reproduce", methods=["POST"])
@login_required
def reproduce(slug: str, finalist_id: int) -> Outcome:
    """Re-run the finalist's selected submission, or record the finished re-run's result."""

    def work(session: Session, user: User, final: Final | None, challenge: Challenge) -> str:
        finalist = _finalist(session, final, finalist_id)
        if request.form.get("record") and finalist.rerun_id is not None:
            status = finals.record_reproduction(session, finalist_id)
            return _("Reproduction recorded: %(status)s.", status=status)
        finals.request_reproduction(session, state.settings(), user, finalist_id)
        return _("The reproduction is queued.")

    return act(slug, work)


@bp.route("/c/<slug>/final/manage/judges", methods=["POST"])
@login_required
def invite(slug: str) -> Outcome:
    """Invite a judge by username, optionally on a named panel."""

    def work(session: Session, user: User, final: Final | None, challenge: Challenge) -> str:
        username = request.form.get("username", "").strip()
        panel = request.form.get("panel", "").strip() or None
        finals.invite_judge(session, user, need(final).id, username, panel=panel)
        return _("%(name)s is invited to judge.", name=username)

    return act(slug, work)


@bp.route("/c/<slug>/final/manage/judges/<id:judge_id>/panel", methods=["POST"])
@login_required
def panel(slug: str, judge_id: int) -> Outcome:
    """Limit a judge (by user id) to some finalists (none ticked: every finalist) and name the panel."""

    def work(session: Session, user: User, final: Final | None, challenge: Challenge) -> str:
        chosen = [int(v) for v in request.form.getlist("finalist_ids") if v.isdigit()]
        name = request.form.get("panel", "").strip() or None
        finals.assign_panel(session, user, need(final).id, judge_id, chosen or None, name)
        return _("The panel is saved.")

    return act(slug, work)


@bp.route("/c/<slug>/final/manage/results.<fmt>")
@login_required
def results(slug: str, fmt: str) -> Response:
    """The results table (components, totals, each judge's total as J1, J2 …) as CSV or Parquet."""
    final, challenge = managed_final(slug)
    if fmt not in ("csv", "parquet"):
        raise NotFound("no such format %(name)s", params={"name": fmt})
    frame = finals.results_frame(state.session(), required(page_user()), need(final).id)
    buffer = io.BytesIO()
    if fmt == "csv":
        buffer.write(frame.to_csv(index=False).encode("utf-8"))
        mimetype = "text/csv"
    else:
        frame.to_parquet(buffer, index=False)
        mimetype = "application/vnd.apache.parquet"
    buffer.seek(0)
    if not buffer.getbuffer().nbytes:
        raise InvalidInput("the results are empty")
    return send_file(buffer, mimetype=mimetype, as_attachment=True, download_name=f"{challenge.slug}-final.{fmt}")
