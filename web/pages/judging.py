"""The judge's pages: the finals a judge judges, the queue, a finalist's packet and the scoring form."""
# mypy: allow-untyped-decorators

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.wrappers import Response

from arena import finals
from arena.boards import PhaseChart, Point, TeamSeries
from arena.enums import FinalStatus, Split
from arena.errors import ArenaError, Conflict, NotFound
from arena.models import Final, Finalist, Phase, User
from arena.timestamps import FORMAT
from web import state
from web.auth.identity import page_user, required
from web.charts import METRIC_BOUNDS, best_over_time_svg
from web.i18n import localized

bp = Blueprint("judging", __name__)

CLOSED = (FinalStatus.LOCKED, FinalStatus.REVEALED)


def status_label(status: str) -> str:
    """The translated name of a final's status."""
    labels: dict[str, str] = {
        FinalStatus.DRAFT: _("draft"),
        FinalStatus.ANNOUNCED: _("announced"),
        FinalStatus.FINALISTS_NAMED: _("finalists named"),
        FinalStatus.SCORING: _("scoring open"),
        FinalStatus.LOCKED: _("locked"),
        FinalStatus.REVEALED: _("revealed"),
    }
    return labels.get(status, status)


def reproduction_label(status: str) -> str:
    """The translated name of a reproduction's status."""
    labels: dict[str, str] = {
        "none": _("not requested"),
        "pending": _("running"),
        "passed": _("reproduced"),
        "failed": _("failed"),
    }
    return labels.get(status, status)


@bp.context_processor
def _labels() -> dict[str, Any]:
    return {"final_status_label": status_label, "reproduction_label": reproduction_label}


def _judge() -> User:
    return required(page_user())


def _finalist_in(final_id: int, finalist_id: int) -> Finalist:
    """The finalist, if it belongs to the final in the URL (else not found)."""
    finalist = finals.get_finalist(state.session(), finalist_id)
    if finalist.final_id != final_id:
        raise NotFound("no finalist %(id)s", params={"id": finalist_id})
    return finalist


def filled(form: list[dict[str, Any]]) -> int:
    """How many criteria of a judge's form have points."""
    return sum(1 for row in form if row["points"] is not None)


@bp.route("/judge")
@login_required
def index() -> str:
    """List the finals the viewer judges; a user who judges none gets not found."""
    judged = finals.judged_finals(state.session(), _judge())
    if not judged:
        abort(404)
    return render_template("judging/index.html", finals=judged)


@bp.route("/judge/finals/<id:final_id>")
@login_required
def queue(final_id: int) -> str:
    """The finalists the viewer scores in a final, with how many criteria are filled, and the conflict form."""
    session, user = state.session(), _judge()
    final = finals.get_final(session, final_id)
    packets = finals.judge_queue(session, user, final_id)
    rows = []
    for packet in packets:
        form = finals.mark_form(session, user, packet["finalist_id"])
        rows.append({"packet": packet, "filled": filled(form), "total": len(form)})
    return render_template("judging/queue.html", final=final, rows=rows, closed=final.status in CLOSED)


@bp.route("/judge/finals/<id:final_id>/conflicts", methods=["POST"])
@login_required
def declare_conflict(final_id: int) -> Response:
    """Declare a conflict of interest with one of the finalists in the viewer's queue."""
    session, user = state.session(), _judge()
    finals.judge_queue(session, user, final_id)  # a user who does not judge this final gets not found
    raw = request.form.get("finalist_id", "")
    if not raw.isdigit():
        abort(404)
    finalist = _finalist_in(final_id, int(raw))
    finals.finalist_packet(session, user, finalist.id)  # only a finalist this judge may see
    reason = request.form.get("reason", "").strip()
    if not reason:
        flash(_("Say why you have a conflict of interest."), "error")
        return redirect(url_for("judging.queue", final_id=final_id))
    try:
        finals.declare_conflict(session, user, final_id, finalist.team_id, reason)
        session.commit()
    except ArenaError as error:
        session.rollback()
        flash(localized(error), "error")
        return redirect(url_for("judging.queue", final_id=final_id))
    flash(_("Conflict of interest declared: F%(position)s is no longer in your queue.", position=finalist.position))
    return redirect(url_for("judging.queue", final_id=final_id))


def history_charts(finalist: Finalist, packet: dict[str, Any]) -> list[dict[str, Any]]:
    """The packet's score history drawn per split (private first), over the source phase, named as the packet
    names the team (its code in blind mode)."""
    phase = state.session().get(Phase, finalist.online_phase_id) if finalist.online_phase_id else None
    if phase is None:
        return []
    name = packet["team"] or packet["code"]
    charts = []
    for split in (Split.PRIVATE, Split.PUBLIC):
        raw = packet["history"].get(split.value, [])
        if not raw:
            continue
        points = [Point(datetime.strptime(p["at"], FORMAT).replace(tzinfo=UTC), p["score"]) for p in raw]
        opens, closes = _aware(phase.opens_at), _aware(phase.closes_at)
        chart = PhaseChart(
            phase_id=phase.id,
            split=split,
            direction=phase.track.direction,
            start=min(opens, points[0].at),
            end=max(closes, points[-1].at),
            frozen_at=None,
            series=[TeamSeries(finalist.team_id, name, False, points)],
        )
        label = _("Best score of %(name)s over the phase", name=name)
        svg = best_over_time_svg(
            chart, phase.track.precision, label, METRIC_BOUNDS.get(phase.track.scorer, (None, None))
        )
        charts.append({"split": split.value, "svg": svg, "points": len(points), "best": points[-1].score})
    return charts


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _packet_page(final: Final, finalist: Finalist, status: int = 200) -> tuple[str, int]:
    session, user = state.session(), _judge()
    form = finals.mark_form(session, user, finalist.id)
    packet = finals.finalist_packet(session, user, finalist.id, store=state.store())
    page = render_template(
        "judging/packet.html",
        final=final,
        packet=packet,
        history=history_charts(finalist, packet),
        form=form,
        filled=filled(form),
        closed=final.status in CLOSED,
        open=final.status == FinalStatus.SCORING,
    )
    return page, status


@bp.route("/judge/finals/<id:final_id>/finalists/<id:finalist_id>")
@login_required
def packet(final_id: int, finalist_id: int) -> tuple[str, int]:
    """A finalist's packet and the viewer's scoring form (read-only once the final is locked)."""
    finalist = _finalist_in(final_id, finalist_id)
    return _packet_page(finals.get_final(state.session(), final_id), finalist)


@bp.route("/judge/finals/<id:final_id>/finalists/<id:finalist_id>", methods=["POST"])
@login_required
def save_all(final_id: int, finalist_id: int) -> Response | tuple[str, int]:
    """Save every criterion the form carries points for (the form without JavaScript)."""
    session, user = state.session(), _judge()
    finalist = _finalist_in(final_id, finalist_id)
    final = finals.get_final(session, final_id)
    errors = []
    for row in finals.mark_form(session, user, finalist.id):
        points = request.form.get(f"points-{row['criterion_id']}", "").strip()
        comment = request.form.get(f"comment-{row['criterion_id']}", "")
        if not points:
            continue
        try:
            finals.save_mark(session, user, finalist.id, row["criterion_id"], _number(points), comment)
            session.commit()
        except ArenaError as error:
            session.rollback()
            errors.append(localized(error))
    for message in dict.fromkeys(errors):
        flash(message, "error")
    if errors:
        return _packet_page(final, finalist, 400)
    flash(_("Marks saved."), "success")
    return redirect(url_for("judging.packet", final_id=final_id, finalist_id=finalist_id))


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return float("nan")  # refused by the scale check with the message naming the range


@bp.route("/judge/finals/<id:final_id>/finalists/<id:finalist_id>/marks", methods=["POST"])
@login_required
def save_one(final_id: int, finalist_id: int) -> tuple[Response, int]:
    """Save one criterion's points and comment as the judge types; answers JSON for the page's script."""
    session, user = state.session(), _judge()
    finalist = _finalist_in(final_id, finalist_id)
    raw = request.form.get("criterion_id", "")
    points = request.form.get("points", "").strip()
    if not raw.isdigit():
        abort(404)
    if not points:
        return jsonify(saved=False, message=_("Give points before a comment can be saved.")), 400
    try:
        row = finals.save_mark(session, user, finalist.id, int(raw), _number(points), request.form.get("comment", ""))
        session.commit()
    except ArenaError as error:
        session.rollback()
        if isinstance(error, NotFound):
            abort(404)
        return jsonify(saved=False, message=localized(error)), 409 if isinstance(error, Conflict) else 400
    return jsonify(saved=True, criterion_id=row.criterion_id, points=row.points), 200


@bp.route("/judge/finals/<id:final_id>/finalists/<id:finalist_id>/report")
@login_required
def report(final_id: int, finalist_id: int) -> Response:
    """The finalist's technical report, as a PDF shown inline, to a judge who may see the packet."""
    finalist = _finalist_in(final_id, finalist_id)
    packet_data = finals.finalist_packet(state.session(), _judge(), finalist.id)
    if not packet_data["report"]:
        abort(404)
    path = state.store().path_for(packet_data["report"]["sha256"])
    response = send_file(path, mimetype="application/pdf", download_name=f"F{finalist.position}.pdf")
    response.headers["Content-Disposition"] = f'inline; filename="F{finalist.position}.pdf"'
    response.headers["X-Frame-Options"] = "SAMEORIGIN"  # the packet page embeds it
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/judge/finals/<id:final_id>/finalists/<id:finalist_id>/code")
@login_required
def code(final_id: int, finalist_id: int) -> Response:
    """The selected submission's file, as a download named by the finalist's code, to a judge who may see the packet."""
    finalist = _finalist_in(final_id, finalist_id)
    file = finals.finalist_code(state.session(), _judge(), finalist.id)
    response = send_file(
        state.store().path_for(file["sha256"]),
        mimetype="application/octet-stream",
        as_attachment=True,
        download_name=file["name"],
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
