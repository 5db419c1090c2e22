"""The viewer's inbox: notifications in the viewer's language, marked read one by one or all at once."""
# mypy: allow-untyped-decorators

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext
from flask_login import login_required
from werkzeug.wrappers import Response

from arena import notifications
from arena.models import Notification
from web import state
from web.auth.identity import page_user, required

bp = Blueprint("inbox", __name__)


def render_notice(row: Notification) -> dict[str, Any]:
    """A notification's subject and body in the viewer's language."""
    params = notifications.localized(row.params or {}, str(get_locale() or "en"))
    subject = str(gettext(row.subject, **params))
    body = str(gettext(row.body, **params)) if row.body else ""
    return {"row": row, "subject": subject, "body": body}


@bp.route("/inbox")
@login_required
def show() -> str:
    """The viewer's notifications, newest first."""
    rows = notifications.inbox(state.session(), required(page_user()), limit=100)
    return render_template("inbox/index.html", notices=[render_notice(r) for r in rows])


@bp.route("/inbox/read", methods=["POST"])
@login_required
def read() -> Response:
    """Mark one notification read (``id``), or all of them."""
    raw = request.form.get("id", "")
    ids = [int(raw)] if raw.isdigit() else None
    notifications.mark_read(state.session(), required(page_user()), ids)
    state.session().commit()
    return redirect(url_for("inbox.show"))


@bp.app_template_global()
def unread_notifications() -> int:
    """How many notifications the viewer has not read (0 when logged out)."""
    user = page_user()
    return notifications.unread_count(state.session(), user) if user is not None else 0
