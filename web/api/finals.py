"""Organizer API for on-site finals: the final, its rubric, finalists, judges, panels, conflicts, lock and reveal."""

from __future__ import annotations

from datetime import datetime
from typing import Any, BinaryIO, cast

from flask import Blueprint, Response, request

from arena import finals
from arena.boards import export_format, to_csv_bytes, to_parquet_bytes
from arena.errors import InvalidInput
from arena.models import Final, User
from arena.permissions import Action, require
from arena.timestamps import rfc3339
from web import state
from web.api import finals_judging
from web.api.finals_serializers import (
    appeal_dict,
    conflict_dict,
    criterion_dict,
    final_dict,
    finalist_dict,
    judge_dict,
    preview_dict,
    progress_dict,
)
from web.api.requests import id_field, json_body, text_field
from web.auth.identity import api_user, required
from web.downloads import download
from web.lookups import challenge_context, challenge_context_for_id
from web.numbers import bounded_int, parsed_int

bp = Blueprint("finals", __name__)
bp.register_blueprint(finals_judging.bp)

TIMES = ("materials_due_at", "pitch_at", "appeal_deadline")
MAX_REPORT = 2**31 - 1
FIELDS = (
    "title",
    "venue",
    "source_phase_ids",
    "formula",
    "aggregation",
    "trim_min_judges",
    "missing_rule",
    "blind",
    "tolerance",
    "report_max_bytes",
    *TIMES,
)


def _time(value: Any, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise InvalidInput("'%(field)s' must be an RFC 3339 time with its zone", field=name, params={"field": name})
    return moment


def _fields(data: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(data) - set(FIELDS) - {"reason"})
    if unknown:
        raise InvalidInput("unknown field %(name)s", field=unknown[0], params={"name": unknown[0]})
    fields = {name: data[name] for name in FIELDS if name in data}
    for name in TIMES:
        if name in fields:
            fields[name] = _time(fields[name], name)
    # Bounds the columns can hold; the services check the meaning.
    if "venue" in fields:
        fields["venue"] = text_field(data, "venue", max_length=300)
    if "trim_min_judges" in fields:
        fields["trim_min_judges"] = bounded_int(data["trim_min_judges"], "trim_min_judges", maximum=1000)
    if "report_max_bytes" in fields:
        fields["report_max_bytes"] = bounded_int(data["report_max_bytes"], "report_max_bytes", maximum=MAX_REPORT)
    if isinstance(fields.get("source_phase_ids"), list):
        fields["source_phase_ids"] = [bounded_int(i, "source_phase_ids") for i in fields["source_phase_ids"]]
    return fields


def _managed(final_id: int) -> tuple[User, Final]:
    """The caller and the final, if the caller manages it; else NotFound."""
    user = required(api_user())
    final = finals.get_final(state.session(), final_id)
    require(challenge_context_for_id(final.challenge_id, user).actor, Action.MANAGE_FINAL, hide=True)
    return user, final


@bp.post("/challenges/<slug>/finals")
def create(slug: str) -> tuple[dict[str, Any], int]:
    """Create a draft final (organizers): title, schedule, sources, formula, aggregation, blind mode."""
    user = required(api_user())
    context = challenge_context(slug, user)
    fields = _fields(json_body())
    title = fields.pop("title", None)
    final = finals.create_final(state.session(), user, context.challenge, title, **fields)
    state.session().commit()
    return final_dict(final), 201


@bp.get("/finals/<id:final_id>")
def show(final_id: int) -> dict[str, Any]:
    """Return a final with its formula and settings (organizers)."""
    return final_dict(_managed(final_id)[1])


@bp.patch("/finals/<id:final_id>")
def update(final_id: int) -> dict[str, Any]:
    """Change a final; once finalists are named a change of the rules needs ``reason``."""
    user = required(api_user())
    data = json_body()
    fields = _fields(data)
    reason = text_field(data, "reason", required=False, max_length=2000)
    final = finals.update_final(state.session(), user, final_id, reason=reason, **fields)
    state.session().commit()
    return final_dict(final)


@bp.post("/finals/<id:final_id>/announce")
def announce(final_id: int) -> dict[str, Any]:
    """Announce the final: its formula, sources and rubric are declared."""
    final = finals.announce_final(state.session(), required(api_user()), final_id)
    state.session().commit()
    return final_dict(final)


@bp.post("/finals/<id:final_id>/scoring")
def open_scoring(final_id: int) -> dict[str, Any]:
    """Open scoring: judges may save marks; the rubric is fixed."""
    final = finals.open_scoring(state.session(), required(api_user()), final_id)
    state.session().commit()
    return final_dict(final)


@bp.get("/rubric-templates")
def rubric_templates() -> dict[str, Any]:
    """List the starting rubric's criteria."""
    required(api_user())
    return {"templates": [{"name": "default", "criteria": finals.rubric_template()}]}


@bp.get("/finals/<id:final_id>/rubric")
def show_rubric(final_id: int) -> dict[str, Any]:
    """Return the final's rubric (organizers)."""
    _managed(final_id)
    return {"criteria": [criterion_dict(c) for c in finals.rubric(state.session(), final_id)]}


@bp.put("/finals/<id:final_id>/rubric")
def put_rubric(final_id: int) -> dict[str, Any]:
    """Replace the rubric with ``{"criteria": [...]}`` (before scoring opens)."""
    criteria = json_body().get("criteria")
    if not isinstance(criteria, list):
        raise InvalidInput("'criteria' must be a list", field="criteria")
    rows = finals.set_rubric(state.session(), required(api_user()), final_id, criteria)
    state.session().commit()
    return {"criteria": [criterion_dict(c) for c in rows]}


@bp.get("/finals/<id:final_id>/finalists")
def list_finalists(final_id: int) -> dict[str, Any]:
    """List the finalists taking part, each with its eligibility (organizers)."""
    _managed(final_id)
    session = state.session()
    rows = finals.taking_part(session, final_id)
    return {"finalists": [finalist_dict(f, finals.eligibility(session, f)) for f in rows]}


@bp.post("/finals/<id:final_id>/finalists")
def name(final_id: int) -> tuple[dict[str, Any], int]:
    """Name finalists from a closed phase's private board: ``top_n`` or ``threshold``."""
    data = json_body()
    top_n = bounded_int(data["top_n"], "top_n", maximum=10_000) if data.get("top_n") is not None else None
    threshold = data.get("threshold")
    if threshold is not None and (isinstance(threshold, bool) or not isinstance(threshold, int | float)):
        raise InvalidInput("'threshold' must be a number", field="threshold")
    if (top_n is None) == (threshold is None):
        raise InvalidInput("send either 'top_n' or 'threshold'", field="top_n")
    rows = finals.name_finalists(
        state.session(), required(api_user()), final_id, id_field(data, "phase_id"), top_n=top_n, threshold=threshold
    )
    state.session().commit()
    return {"finalists": [finalist_dict(f) for f in rows]}, 201


@bp.post("/finals/<id:final_id>/finalists/manual")
def add(final_id: int) -> tuple[dict[str, Any], int]:
    """Name a team by hand with a ``reason``."""
    data = json_body()
    phase_id = id_field(data, "phase_id") if data.get("phase_id") is not None else None
    finalist = finals.add_finalist(
        state.session(),
        required(api_user()),
        final_id,
        id_field(data, "team_id"),
        text_field(data, "reason", max_length=2000),
        phase_id=phase_id,
    )
    state.session().commit()
    return finalist_dict(finalist), 201


@bp.post("/finalists/<id:finalist_id>/decline")
def decline(finalist_id: int) -> dict[str, Any]:
    """Decline a place (captain or organizer); the next team on the board becomes a substitute."""
    reason = text_field(json_body(), "reason", required=False, max_length=2000)
    substitute = finals.decline_finalist(state.session(), required(api_user()), finalist_id, reason)
    state.session().commit()
    return {"substitute": finalist_dict(substitute) if substitute else None}


@bp.post("/finalists/<id:finalist_id>/reproduction")
def reproduce(finalist_id: int) -> tuple[dict[str, Any], int]:
    """Re-run the finalist's selected submission to check that its score reproduces."""
    finalist = finals.request_reproduction(state.session(), state.settings(), required(api_user()), finalist_id)
    return finalist_dict(finalist), 202


def _sealed_dict(row: Any) -> dict[str, Any]:
    return {"phase_id": row.phase_id, "cases": row.cases, "source": row.source, "created_at": rfc3339(row.created_at)}


@bp.get("/finals/<id:final_id>/sealed-sets")
def list_sealed(final_id: int) -> dict[str, Any]:
    """List the final's sealed test sets (organizers); inputs and key are never served."""
    final = finals.get_final(state.session(), final_id)
    finals.check_manage(state.session(), required(api_user()), final)
    return {"sealed_sets": [_sealed_dict(row) for row in finals.sealed_sets(state.session(), final.id)]}


@bp.post("/finals/<id:final_id>/sealed-sets")
def provide_sealed(final_id: int) -> tuple[dict[str, Any], int]:
    """Provide or replace a source phase's sealed set: multipart ``phase_id``, ``inputs`` archive, ``labels`` key."""
    user = required(api_user())
    phase_id = parsed_int(request.form.get("phase_id", ""), "phase_id")
    inputs, labels = request.files.get("inputs"), request.files.get("labels")
    if inputs is None or not inputs.filename:
        raise InvalidInput("send the archive of the sealed inputs (zip or tar.gz) as 'inputs'", field="inputs")
    if labels is None or not labels.filename:
        raise InvalidInput("send the sealed key (a CSV file) as 'labels'", field="labels")
    row = finals.upload_sealed_set(
        state.session(),
        state.store(),
        user,
        final_id,
        phase_id,
        cast(BinaryIO, inputs.stream),
        cast(BinaryIO, labels.stream),
    )
    state.session().commit()
    return _sealed_dict(row), 201


@bp.delete("/finals/<id:final_id>/sealed-sets/<id:phase_id>")
def remove_sealed(final_id: int, phase_id: int) -> dict[str, Any]:
    """Remove a source phase's sealed set; reproduction uses the phase's own hidden data again."""
    finals.remove_sealed_set(state.session(), required(api_user()), final_id, phase_id)
    state.session().commit()
    return {"removed": True, "phase_id": phase_id}


@bp.post("/finals/<id:final_id>/judges")
def invite(final_id: int) -> tuple[dict[str, Any], int]:
    """Invite the user named ``username`` as a judge, optionally on a ``panel``."""
    data = json_body()
    panel = text_field(data, "panel", required=False, max_length=100) or None
    judge = finals.invite_judge(
        state.session(), required(api_user()), final_id, text_field(data, "username", max_length=64), panel=panel
    )
    state.session().commit()
    return judge_dict(judge), 201


@bp.put("/finals/<id:final_id>/judges/<id:judge_id>/panel")
def panel(final_id: int, judge_id: int) -> dict[str, Any]:
    """Limit a judge (user id) to ``finalist_ids`` (null: every finalist) on a named ``panel``."""
    data = json_body()
    ids = data.get("finalist_ids")
    if ids is not None and not isinstance(ids, list):
        raise InvalidInput("'finalist_ids' must be a list of ids or null", field="finalist_ids")
    chosen = [bounded_int(i, "finalist_ids") for i in ids] if ids is not None else None
    name_ = text_field(data, "panel", required=False, max_length=100) or None
    judge = finals.assign_panel(state.session(), required(api_user()), final_id, judge_id, chosen, name_)
    state.session().commit()
    return judge_dict(judge)


@bp.get("/finals/<id:final_id>/conflicts")
def list_conflicts(final_id: int) -> dict[str, Any]:
    """List every conflict of interest with its source (organizers)."""
    rows = finals.conflicts(state.session(), required(api_user()), final_id)
    return {"conflicts": [conflict_dict(c) for c in rows]}


@bp.get("/finals/<id:final_id>/progress")
def progress(final_id: int) -> dict[str, Any]:
    """Scoring progress per judge (organizers)."""
    rows = finals.progress(state.session(), required(api_user()), final_id)
    return {"judges": [progress_dict(r) for r in rows]}


def _usernames(user: User, final_id: int) -> dict[int, str]:
    return {r.judge_id: r.username for r in finals.progress(state.session(), user, final_id)}


@bp.get("/finals/<id:final_id>/preview")
def preview(final_id: int) -> dict[str, Any]:
    """The ranking as it would lock now, with Kendall's W and each judge's deviation."""
    user = required(api_user())
    result = finals.preview_ranking(state.session(), user, final_id)
    return preview_dict(result, _usernames(user, final_id))


@bp.post("/finals/<id:final_id>/lock")
def lock(final_id: int) -> dict[str, Any]:
    """Lock the final: marks can no longer change."""
    user = required(api_user())
    result = finals.lock_final(state.session(), user, final_id)
    state.session().commit()
    return preview_dict(result, _usernames(user, final_id))


@bp.post("/finals/<id:final_id>/unlock")
def unlock(final_id: int) -> dict[str, Any]:
    """Reopen scoring of a locked final with a ``reason`` on the record."""
    reason = text_field(json_body(), "reason", max_length=2000)
    final = finals.unlock_final(state.session(), required(api_user()), final_id, reason)
    state.session().commit()
    return final_dict(final)


@bp.post("/finals/<id:final_id>/reveal")
def reveal(final_id: int) -> dict[str, Any]:
    """Reveal the locked result to everyone."""
    final = finals.reveal_final(state.session(), required(api_user()), final_id)
    state.session().commit()
    return final_dict(final)


@bp.get("/finals/<id:final_id>/appeals")
def list_appeals(final_id: int) -> dict[str, Any]:
    """List the final's appeals (organizers)."""
    rows = finals.appeals(state.session(), required(api_user()), final_id)
    return {"appeals": [appeal_dict(a) for a in rows]}


@bp.post("/appeals/<id:appeal_id>/answer")
def answer(appeal_id: int) -> dict[str, Any]:
    """Answer an appeal on the record (organizers)."""
    text = text_field(json_body(), "answer", max_length=5000)
    appeal = finals.answer_appeal(state.session(), required(api_user()), appeal_id, text)
    state.session().commit()
    return appeal_dict(appeal)


@bp.get("/finals/<id:final_id>/exports/results")
def export_results(final_id: int) -> Response:
    """Download the results (``?format=csv|parquet``); judges appear only as J1, J2, …"""
    fmt = export_format(request.args.get("format"))
    frame = finals.results_frame(state.session(), required(api_user()), final_id)
    data = to_csv_bytes(frame) if fmt == "csv" else to_parquet_bytes(frame)
    return download(data, fmt, f"final-{final_id}-results")
