"""A challenge's audit log in the JSON API (organizers and site admins), with the page's filters."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from arena import staff
from arena.errors import InvalidInput
from arena.permissions import Action, require
from arena.timestamps import rfc3339
from web import state
from web.auth.identity import api_user, required
from web.lookups import challenge_context
from web.pages.console import audit_filter

bp = Blueprint("audit", __name__)


def _number(name: str, default: int) -> int:
    value = request.args.get(name, "")
    if not value:
        return default
    if not value.isdigit() or int(value) < 1:
        raise InvalidInput("%(name)s must be a whole number of 1 or more", field=name, params={"name": name})
    return int(value)


def entry_dict(entry: staff.AuditEntry) -> dict[str, Any]:
    """Return an audit entry as the API shows it."""
    return {
        "id": entry.id,
        "at": rfc3339(entry.at),
        "kind": entry.kind.value if entry.kind else None,
        "action": entry.action,
        "actor": entry.actor_name or None,
        "target_type": entry.target_type or None,
        "target_id": entry.target_id,
        "reason": entry.reason,
        "details": entry.details,
    }


@bp.get("/challenges/<slug>/audit")
def audit(slug: str) -> dict[str, Any]:
    """A page of the challenge's audit log, newest first, filtered like the audit page (times in UTC)."""
    context = challenge_context(slug, required(api_user()))
    require(context.actor, Action.MANAGE_CHALLENGE, hide=True)
    flt = audit_filter(request.args, "UTC")
    page = staff.audit_page(
        state.session(), context.challenge.id, flt, _number("page", 1), min(_number("per_page", 50), 200)
    )
    return {
        "entries": [entry_dict(e) for e in page.entries],
        "total": page.total,
        "page": page.page,
        "per_page": page.per_page,
        "pages": page.pages,
    }
