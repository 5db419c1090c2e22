"""Site administration: who may create challenges (creators)."""
# mypy: allow-untyped-decorators

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.wrappers import Response

from arena import publishing
from arena.errors import ArenaError
from web import state
from web.auth.identity import page_user, required
from web.i18n import localized

bp = Blueprint("admin_creators", __name__, url_prefix="/admin")


@bp.route("/creators")
@login_required
def creators() -> str:
    """List the creators with a form to add one (site admins)."""
    rows = publishing.list_creators(state.session(), required(page_user()))
    return render_template("admin/creators.html", creators=rows, who=request.args.get("who", ""))


@bp.post("/creators")
@login_required
def grant() -> Response:
    """Let a user, by username or e-mail address, create challenges."""
    session = state.session()
    who = request.form.get("who", "")
    try:
        user = publishing.grant_creator(session, required(page_user()), who)
        session.commit()
    except ArenaError as error:
        session.rollback()
        flash(localized(error), "error")
        return redirect(url_for("admin_creators.creators", who=who))
    flash(_("%(name)s may now create challenges.", name=user.username), "success")
    return redirect(url_for("admin_creators.creators"))


@bp.post("/creators/<id:user_id>/revoke")
@login_required
def revoke(user_id: int) -> Response:
    """Take the creator role away; challenges already created keep their organizers."""
    session = state.session()
    try:
        user = publishing.revoke_creator(session, required(page_user()), user_id)
        session.commit()
    except ArenaError as error:
        session.rollback()
        flash(localized(error), "error")
        return redirect(url_for("admin_creators.creators"))
    flash(_("%(name)s may no longer create challenges.", name=user.username), "success")
    return redirect(url_for("admin_creators.creators"))
