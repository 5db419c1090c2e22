"""The console's people page: add and remove a challenge's co-organizers and judges."""
# mypy: allow-untyped-decorators

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.wrappers import Response

from arena import staff
from arena.enums import ChallengeRoleKind
from arena.errors import ArenaError
from web import state
from web.auth.identity import required
from web.i18n import localized
from web.pages.console import managed

bp = Blueprint("console_people", __name__)


@bp.route("/c/<slug>/manage/people")
@login_required
def people(slug: str) -> str:
    """List the challenge's organizers and judges with forms to add and remove them."""
    context = managed(slug)
    rows = staff.challenge_people(state.session(), required(context.user), context.challenge)
    organizers = [p for p in rows if p.role is ChallengeRoleKind.ORGANIZER]
    return render_template(
        "console/people.html",
        challenge=context.challenge,
        organizers=organizers,
        judges=[p for p in rows if p.role is ChallengeRoleKind.JUDGE],
        last_organizer=len(organizers) <= 1,
    )


def _back(slug: str) -> Response:
    return redirect(url_for("console_people.people", slug=slug))


@bp.post("/c/<slug>/manage/people")
@login_required
def add(slug: str) -> Response:
    """Add a co-organizer or a judge by username or e-mail address."""
    context = managed(slug)
    session = state.session()
    try:
        role = staff.parse_role(request.form.get("role", ""))
        user = staff.add_person(session, required(context.user), context.challenge, request.form.get("who", ""), role)
        session.commit()
        if role is ChallengeRoleKind.ORGANIZER:
            flash(_("%(name)s is now an organizer.", name=user.username), "success")
        else:
            flash(_("%(name)s is now a judge.", name=user.username), "success")
    except ArenaError as error:
        session.rollback()
        flash(localized(error), "error")
    return _back(slug)


@bp.post("/c/<slug>/manage/people/<id:user_id>/remove")
@login_required
def remove(slug: str, user_id: int) -> Response:
    """Take the organizer or judge role away from a user (never the last organizer)."""
    context = managed(slug)
    session = state.session()
    try:
        role = staff.parse_role(request.form.get("role", ""))
        user = staff.remove_person(session, required(context.user), context.challenge, user_id, role)
        session.commit()
        flash(_("%(name)s no longer has this role.", name=user.username), "success")
    except ArenaError as error:
        session.rollback()
        flash(localized(error), "error")
    return _back(slug)
