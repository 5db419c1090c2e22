"""The caller's notifications over the API: the inbox (in English, with message ids and params) and marking read."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from arena import notifications
from arena.errors import InvalidInput
from arena.models import Notification
from arena.timestamps import rfc3339
from web import state
from web.api.requests import json_body
from web.auth.identity import api_user, required
from web.numbers import bounded_int, parsed_int

bp = Blueprint("notifications", __name__)


def notification_dict(row: Notification) -> dict[str, Any]:
    """One notification: rendered in English, plus the message ids and params to render it in another language."""
    params = notifications.localized(row.params or {}, "en")
    return {
        "id": row.id,
        "kind": row.kind,
        "subject": row.subject % params,
        "body": row.body % params if row.body else "",
        "subject_id": row.subject,
        "body_id": row.body,
        "params": row.params or {},
        "link": row.link,
        "created_at": rfc3339(row.created_at),
        "read_at": rfc3339(row.read_at),
    }


@bp.get("/me/notifications")
def inbox() -> dict[str, Any]:
    """The caller's notifications, newest first (``before_id`` pages on), and how many are unread."""
    user = required(api_user())
    before = request.args.get("before_id")
    before_id = parsed_int(before, "before_id") if before is not None else None
    rows = notifications.inbox(state.session(), user, before_id=before_id)
    return {
        "notifications": [notification_dict(r) for r in rows],
        "unread": notifications.unread_count(state.session(), user),
    }


@bp.post("/me/notifications/read")
def read() -> dict[str, Any]:
    """Mark the caller's notifications read: those in ``ids``, or all when ``ids`` is left out."""
    user = required(api_user())
    data = json_body()
    ids = data.get("ids")
    if ids is not None and (not isinstance(ids, list) or len(ids) > 1000):
        raise InvalidInput("'ids' must be a list of notification ids", field="ids")
    wanted = [bounded_int(i, "ids") for i in ids] if ids is not None else None
    marked = notifications.mark_read(state.session(), user, wanted)
    state.session().commit()
    return {"marked": marked, "unread": notifications.unread_count(state.session(), user)}
