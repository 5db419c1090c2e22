"""The organizer console of a challenge: its home, the audit log (page and CSV) and the queue."""
# mypy: allow-untyped-decorators

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Blueprint, Response, current_app, jsonify, render_template, request
from werkzeug.datastructures import MultiDict

from arena import evaluation, staff
from arena.errors import ArenaError, InvalidInput
from arena.permissions import Action, require
from arena.timestamps import rfc3339
from web import state
from web.audit_labels import ACTION_LABELS, KIND_LABELS, action_label, details_summary, kind_label
from web.auth.identity import page_user
from web.i18n import localized
from web.lookups import ChallengeContext, challenge_context
from web.pages.console_links import CONSOLE_LINKS
from web.times import viewer_zone_name

bp = Blueprint("console", __name__)


def managed(slug: str) -> ChallengeContext:
    """Load a challenge the caller organizes (or a site admin); 404 for everyone else."""
    context = challenge_context(slug, page_user())
    require(context.actor, Action.MANAGE_CHALLENGE, hide=True)
    return context


def parse_day(value: str, field: str, zone_name: str, *, end: bool = False) -> datetime | None:
    """Parse ``YYYY-MM-DD`` (a day in ``zone_name``) or an RFC 3339 time; ``end`` makes a day inclusive."""
    value = value.strip()
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(
            "%(field)s must be a date like 2026-12-03 or a time like 2026-12-03T08:00:00Z",
            field=field,
            params={"field": field},
        ) from None
    if moment.tzinfo is None:
        try:
            zone = ZoneInfo(zone_name)
        except (ZoneInfoNotFoundError, ValueError):
            zone = ZoneInfo("UTC")
        day_only = len(value) == 10
        moment = moment.replace(tzinfo=zone)
        if end and day_only:
            moment += timedelta(days=1)
    return moment.astimezone(UTC)


def audit_filter(args: MultiDict[str, str], zone_name: str) -> staff.AuditFilter:
    """Read the audit log's filters from query arguments (the page and the API share them)."""
    target_id = args.get("target_id", "").strip()
    if target_id and not target_id.isdigit():
        raise InvalidInput("target_id must be a whole number", field="target_id")
    return staff.AuditFilter(
        kind=staff.parse_kind(args.get("kind", "").strip()),
        action=args.get("action", "").strip(),
        actor=args.get("actor", "").strip(),
        target_type=args.get("target_type", "").strip(),
        target_id=int(target_id) if target_id else None,
        since=parse_day(args.get("since", ""), "since", zone_name),
        until=parse_day(args.get("until", ""), "until", zone_name, end=True),
    )


@bp.route("/c/<slug>/manage")
def home(slug: str) -> str:
    """The console's home: links to every console page that exists in this app."""
    context = managed(slug)
    links = [link for link in CONSOLE_LINKS if link.endpoint in current_app.view_functions]
    return render_template("console/home.html", challenge=context.challenge, links=links)


def _page_number() -> int:
    value = request.args.get("page", "1")
    return int(value) if value.isdigit() and int(value) > 0 else 1


@bp.route("/c/<slug>/manage/audit")
def audit(slug: str) -> tuple[str, int]:
    """The audit log with filters, newest first, fifty a page."""
    context = managed(slug)
    session = state.session()
    error = ""
    try:
        page = staff.audit_page(session, context.challenge.id, audit_filter(request.args, viewer_zone_name()),
                                _page_number())  # fmt: skip
    except ArenaError as exc:
        error = localized(exc)
        page = staff.AuditPage(entries=[], total=0, page=1, per_page=staff.PER_PAGE)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "console/audit.html",
        challenge=context.challenge,
        page=page,
        error=error,
        args=args,
        kinds=KIND_LABELS,
        actions=ACTION_LABELS,
        actors=staff.audit_actors(session, context.challenge.id),
        action_label=action_label,
        kind_label=kind_label,
        details_summary=details_summary,
    ), 400 if error else 200


@bp.route("/c/<slug>/manage/audit.csv")
def audit_csv(slug: str) -> Response:
    """The filtered audit log as CSV (UTC times, labels in the viewer's language)."""
    context = managed(slug)
    rows = staff.audit_rows(state.session(), context.challenge.id, audit_filter(request.args, viewer_zone_name()))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        ["id", "at_utc", "kind", "action", "label", "actor", "target_type", "target_id", "reason", "details"]
    )
    for e in rows:
        writer.writerow([e.id, rfc3339(e.at), e.kind or "", e.action, action_label(e.action), e.actor_name,
                         e.target_type, e.target_id or "", e.reason, details_summary(e.details)])  # fmt: skip
    response = Response("\ufeff" + buffer.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f"attachment; filename={context.challenge.slug}-audit.csv"
    return response


def _queue_args(context: ChallengeContext) -> tuple[int | None, tuple[str, ...]]:
    phase = request.args.get("phase", "")
    phase_ids = {p.id for t in context.challenge.tracks for p in t.phases}
    phase_id = int(phase) if phase.isdigit() and int(phase) in phase_ids else None
    status = request.args.get("status", "")
    statuses = (status,) if status in evaluation.QUEUE_STATUSES else evaluation.QUEUE_STATUSES
    return phase_id, statuses


def _queue(context: ChallengeContext) -> list[evaluation.QueueItem]:
    phase_id, statuses = _queue_args(context)
    return evaluation.challenge_queue(state.session(), state.settings(), context.challenge.id, state.now(),
                                      phase_id=phase_id, statuses=statuses)  # fmt: skip


@bp.route("/c/<slug>/manage/queue")
def queue(slug: str) -> str:
    """Queued, running and failed submissions and re-runs, with age, worker and attempts; refreshes by polling."""
    context = managed(slug)
    phase_id, statuses = _queue_args(context)
    return render_template(
        "console/queue.html",
        challenge=context.challenge,
        items=_queue(context),
        phase_id=phase_id,
        status=statuses[0] if len(statuses) == 1 else "",
        statuses=evaluation.QUEUE_STATUSES,
    )


@bp.route("/c/<slug>/manage/queue.json")
def queue_json(slug: str) -> Response:
    """The queue's rows for the page's polling script."""
    context = managed(slug)
    items: list[dict[str, Any]] = [
        {
            "kind": i.kind,
            "id": i.id,
            "status": i.status,
            "age_seconds": i.age_seconds,
            "worker": i.worker,
            "attempts": i.attempts,
            "error": i.error,
        }  # fmt: skip
        for i in _queue(context)
    ]
    return jsonify({"items": items, "count": len(items)})
