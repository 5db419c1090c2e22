"""Finals API for judges (queue, packets, marks, conflicts), finalists' members and everyone (the revealed result)."""

from __future__ import annotations

from typing import Any, BinaryIO, cast

from flask import Blueprint, Response, request, send_file

from arena import finals
from arena.errors import FileTooLarge, InvalidInput
from web import state
from web.api.finals_serializers import appeal_dict, finalist_dict, judged_final_dict, mark_dict
from web.api.requests import id_field, json_body, text_field
from web.auth.identity import api_user, required
from web.errors import UnacceptableFile

bp = Blueprint("judging", __name__)


@bp.get("/me/finals")
def my_finals() -> dict[str, Any]:
    """List the finals the caller judges."""
    rows = finals.judged_finals(state.session(), required(api_user()))
    return {"finals": [judged_final_dict(f) for f in rows]}


@bp.get("/finals/<id:final_id>/queue")
def queue(final_id: int) -> dict[str, Any]:
    """The packets of the finalists the caller scores (assigned and not conflicted; names hidden in blind mode)."""
    return {"packets": finals.judge_queue(state.session(), required(api_user()), final_id, store=state.store())}


@bp.get("/finalists/<id:finalist_id>/packet")
def packet(finalist_id: int) -> dict[str, Any]:
    """What a judge reviews about one finalist; not found for a conflicted or unassigned judge."""
    return finals.finalist_packet(state.session(), required(api_user()), finalist_id, store=state.store())


@bp.get("/finalists/<id:finalist_id>/code")
def code(finalist_id: int) -> Response:
    """Download the finalist's selected submission (judges who may see the packet, organizers); else not found."""
    file = finals.finalist_code(state.session(), required(api_user()), finalist_id)
    response = send_file(
        state.store().path_for(file["sha256"]),
        mimetype="application/octet-stream",
        as_attachment=True,
        download_name=file["name"],
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/finalists/<id:finalist_id>/marks")
def form(finalist_id: int) -> dict[str, Any]:
    """The caller's scoring form for a finalist: every criterion with the saved points and comment."""
    return {"criteria": finals.mark_form(state.session(), required(api_user()), finalist_id)}


@bp.put("/finalists/<id:finalist_id>/marks")
def save(finalist_id: int) -> dict[str, Any]:
    """Save or revise one mark (``criterion_id``, ``points``, ``comment``) while scoring is open."""
    data = json_body()
    points = data.get("points")
    if isinstance(points, bool) or not isinstance(points, int | float) or abs(points) > 1e12:
        raise InvalidInput("'points' must be a number on the criterion's scale", field="points")
    mark = finals.save_mark(
        state.session(),
        required(api_user()),
        finalist_id,
        id_field(data, "criterion_id"),
        points,
        text_field(data, "comment", required=False, max_length=5000),
    )
    state.session().commit()
    return mark_dict(mark)


@bp.post("/finals/<id:final_id>/conflicts")
def declare(final_id: int) -> tuple[dict[str, Any], int]:
    """Declare a conflict of interest with a team (judges), with a ``reason``."""
    data = json_body()
    conflict = finals.declare_conflict(
        state.session(),
        required(api_user()),
        final_id,
        id_field(data, "team_id"),
        text_field(data, "reason", max_length=2000),
    )
    state.session().commit()
    return {"team_id": conflict.team_id, "source": conflict.source, "reason": conflict.reason}, 201


@bp.get("/finals/<id:final_id>/my-finalist")
def mine(final_id: int) -> dict[str, Any]:
    """The caller's team's finalist record, with its eligibility."""
    session = state.session()
    finalist = finals.own_finalist(session, api_user(), final_id)
    return finalist_dict(finalist, finals.eligibility(session, finalist))


def _record(finalist_id: int) -> dict[str, Any]:
    session = state.session()
    finalist = finals.get_finalist(session, finalist_id)
    return finalist_dict(finalist, finals.eligibility(session, finalist))


@bp.put("/finalists/<id:finalist_id>/identity")
def confirm(finalist_id: int) -> dict[str, Any]:
    """Confirm the members' ``real_names`` and the ``institution`` (captain)."""
    data = json_body()
    names = data.get("real_names")
    if not isinstance(names, list) or not all(isinstance(n, str) and len(n) <= 100 for n in names):
        raise InvalidInput("'real_names' must be a list of names", field="real_names")
    institution = text_field(data, "institution", max_length=200)
    finals.confirm_identity(state.session(), required(api_user()), finalist_id, names, institution)
    state.session().commit()
    return _record(finalist_id)


@bp.put("/finalists/<id:finalist_id>/report")
def report(finalist_id: int) -> dict[str, Any]:
    """Upload the technical report (multipart field ``file``, a PDF within the final's size limit; captain)."""
    user = required(api_user())
    upload = request.files.get("file")
    if upload is None:
        raise InvalidInput("send the report as the multipart field 'file'", field="report")
    try:
        finals.upload_report(state.session(), state.store(), user, finalist_id, cast(BinaryIO, upload.stream))
    except FileTooLarge:
        raise
    except InvalidInput as error:
        if error.field != "report":
            raise
        raise UnacceptableFile(error.template, field=error.field, params=error.params) from None
    state.session().commit()
    return _record(finalist_id)


@bp.put("/finalists/<id:finalist_id>/submission")
def choose(finalist_id: int) -> dict[str, Any]:
    """Choose the scored submission that reproduction re-runs (``submission_id``; captain)."""
    submission_id = id_field(json_body(), "submission_id")
    finals.choose_code_submission(state.session(), required(api_user()), finalist_id, submission_id)
    state.session().commit()
    return _record(finalist_id)


@bp.post("/finalists/<id:finalist_id>/appeals")
def appeal(finalist_id: int) -> tuple[dict[str, Any], int]:
    """File an appeal (``text``) before the final's appeal deadline (members)."""
    text = text_field(json_body(), "text", max_length=5000)
    filed = finals.file_appeal(state.session(), required(api_user()), finalist_id, text)
    state.session().commit()
    return appeal_dict(filed), 201


@bp.get("/finalists/<id:finalist_id>/appeals")
def own_appeals(finalist_id: int) -> dict[str, Any]:
    """The finalist's appeals with the organizer's answers (the finalist's members)."""
    rows = finals.own_appeals(state.session(), required(api_user()), finalist_id)
    return {"appeals": [appeal_dict(a) for a in rows]}


@bp.get("/finals/<id:final_id>/result")
def result(final_id: int) -> dict[str, Any]:
    """The revealed result: formula, each component and the aggregated judges' score; never individual marks."""
    return finals.public_result(state.session(), api_user(), final_id)
