"""A finalist team's own page: its eligibility checklist, the captain's materials, withdrawing, and appeals."""
# mypy: allow-untyped-decorators

from __future__ import annotations

from typing import Any, BinaryIO, cast

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from arena import finals
from arena.db import utcnow
from arena.enums import FinalistStatus, SubmissionStatus
from arena.errors import ArenaError, InvalidInput
from arena.models import Finalist, Submission, User
from arena.permissions import actor_for
from web import state
from web.auth.identity import page_user, required
from web.errors import status_for
from web.i18n import localized
from web.pages.finals import final_context

bp = Blueprint("finalist", __name__)


def _mine(slug: str) -> tuple[Any, User, Finalist]:
    context = final_context(slug)
    user = required(page_user())
    return context, user, finals.own_finalist(state.session(), user, context.final.id)


def _page(slug: str, *, error: str = "", status: int = 200, field: str = "") -> tuple[str, int]:
    context, user, finalist = _mine(slug)
    session = state.session()
    final = context.final
    now = utcnow()
    actor = actor_for(session, user, final.challenge_id)
    submissions = session.scalars(
        select(Submission)
        .where(
            Submission.team_id == finalist.team_id,
            Submission.phase_id == finalist.online_phase_id,
            Submission.status == SubmissionStatus.SCORED,
        )
        .order_by(Submission.id.desc())
    ).all()
    html = render_template(
        "finals/me.html",
        challenge=context.challenge.challenge,
        final=final,
        finalist=finalist,
        eligibility=finals.eligibility(session, finalist),
        is_captain=actor.is_captain and actor.team_id == finalist.team_id,
        materials_open=finals.materials_open(final, finalist, now),
        appeals_open=final.appeal_deadline is not None
        and now < final.appeal_deadline
        and FinalistStatus(finalist.status).takes_part,
        can_withdraw=FinalistStatus(finalist.status).takes_part and final.status in ("finalists_named", "scoring"),
        appeals=finals.own_appeals(session, user, finalist.id),
        submissions=submissions,
        error=error,
        field=field,
        form=request.form if request.method == "POST" else {},
    )
    return html, status


@bp.route("/c/<slug>/final/me")
@login_required
def show(slug: str) -> tuple[str, int]:
    """The team's checklist, materials, reproduction result and appeals."""
    return _page(slug)


def _act(slug: str, work: Any, done: str) -> Response | tuple[str, int]:
    _context, user, finalist = _mine(slug)
    try:
        work(user, finalist)
    except ArenaError as error:
        state.session().rollback()
        return _page(slug, error=localized(error), status=status_for(error), field=error.field or "")
    state.session().commit()
    flash(done, "ok")
    return redirect(url_for("finalist.show", slug=slug))


@bp.route("/c/<slug>/final/me/identity", methods=["POST"])
@login_required
def identity(slug: str) -> Response | tuple[str, int]:
    """The captain confirms real names (one per line) and the institution."""
    names = [line for line in request.form.get("real_names", "").splitlines() if line.strip()]
    institution = request.form.get("institution", "")[:200]
    return _act(
        slug,
        lambda user, f: finals.confirm_identity(state.session(), user, f.id, names, institution),
        str(gettext("Real names and institution confirmed.")),
    )


@bp.route("/c/<slug>/final/me/report", methods=["POST"])
@login_required
def report(slug: str) -> Response | tuple[str, int]:
    """The captain uploads the technical report (a PDF within the final's size limit)."""
    upload = request.files.get("report")

    def work(user: User, finalist: Finalist) -> None:
        if upload is None or not upload.filename:
            raise InvalidInput("choose the PDF file of the technical report", field="report")
        finals.upload_report(state.session(), state.store(), user, finalist.id, cast(BinaryIO, upload.stream))

    return _act(slug, work, str(gettext("Technical report uploaded.")))


@bp.route("/c/<slug>/final/me/submission", methods=["POST"])
@login_required
def submission(slug: str) -> Response | tuple[str, int]:
    """The captain chooses the scored submission that reproduction re-runs."""
    raw = request.form.get("submission_id", "")

    def work(user: User, finalist: Finalist) -> None:
        if not raw.isdigit():
            raise InvalidInput("choose one of the team's scored submissions of the source phase", field="submission_id")
        finals.choose_code_submission(state.session(), user, finalist.id, int(raw))

    return _act(slug, work, str(gettext("Submission chosen for reproduction.")))


@bp.route("/c/<slug>/final/me/withdraw", methods=["POST"])
@login_required
def withdraw(slug: str) -> Response | tuple[str, int]:
    """The captain withdraws the team's place, with a reason, after ticking the confirmation."""
    reason = request.form.get("reason", "")[:2000]

    def work(user: User, finalist: Finalist) -> None:
        if request.form.get("confirm") != "yes":
            raise InvalidInput("tick the box to confirm that your team gives up its place", field="confirm")
        if not reason.strip():
            raise InvalidInput("say why your team withdraws", field="reason")
        finals.decline_finalist(state.session(), user, finalist.id, reason)

    return _act(slug, work, str(gettext("Your team has withdrawn from the final; the next team moves up.")))


@bp.route("/c/<slug>/final/me/appeals", methods=["POST"])
@login_required
def appeal(slug: str) -> Response | tuple[str, int]:
    """A member files an appeal before the deadline."""
    text = request.form.get("text", "")[:5000]
    return _act(
        slug,
        lambda user, f: finals.file_appeal(state.session(), user, f.id, text),
        str(gettext("Appeal filed; the organizer's answer will appear here.")),
    )


@bp.app_template_global()
def own_final_finalist(challenge_id: int) -> Finalist | None:
    """The viewer's team's finalist record in the challenge's final (for links), or None."""
    user = page_user()
    if user is None:
        return None
    session = state.session()
    actor = actor_for(session, user, challenge_id)
    if actor.team_id is None:
        return None
    return session.scalar(select(Finalist).where(Finalist.team_id == actor.team_id))
