"""API of responses: the respondent's proposals and inbox, the sponsor's comparison and selection, Q&A, deals."""

from __future__ import annotations

from datetime import date
from typing import Any, BinaryIO, cast
from urllib.parse import quote

from flask import Blueprint, request
from werkzeug.wrappers import Response

from arena import demands
from arena.errors import InvalidInput, NotFound
from arena.models import Deal, DemandAttachment, DemandResponse, Organization
from web import state
from web.api.demand_serializers import (
    compared_dict,
    deal_dict,
    demand_dict,
    message_dict,
    milestone_dict,
    problems_list,
    response_dict,
)
from web.api.requests import json_body, text_field
from web.auth.identity import api_user, required
from web.errors import UnacceptableFile
from web.numbers import bounded_int

bp = Blueprint("demand_responses", __name__)

RESPONSE_FIELDS = ("approach", "team", "track_record", "schedule", "price")
DEAL_FIELDS = ("kind", "value", "signed_on", "parties", "broker")
MILESTONE_FIELDS = ("title", "due_on", "amount")
JSON = tuple[dict[str, Any], int]


def _strings(data: dict[str, Any], names: tuple[str, ...]) -> dict[str, str]:
    raw: dict[str, str] = {}
    for name in names:
        value = data.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise InvalidInput("'%(field)s' must be a string or a number", field=name, params={"field": name})
        raw[name] = str(value)
    return raw


def _response_body(response: DemandResponse) -> dict[str, Any]:
    return response_dict(response, state.session().get(Organization, response.respondent_id))


@bp.put("/demands/<id:demand_id>/response")
def save_response(demand_id: int) -> dict[str, Any]:
    """Create or revise the organization's proposal (a draft until submitted); bad fields are listed, the rest kept."""
    user, session = required(api_user()), state.session()
    data = json_body()
    respondent_id = bounded_int(data.get("respondent_id"), "respondent_id")
    response, problems = demands.save_response(session, user, demand_id, respondent_id, _strings(data, RESPONSE_FIELDS))
    session.commit()
    return {"response": _response_body(response), "problems": problems_list(problems)}


@bp.get("/demand-responses")
def own_responses() -> dict[str, Any]:
    """The responses of the organizations the caller acts for."""
    user = required(api_user())
    return {"responses": [_response_body(r) for r in demands.own_responses(state.session(), user)]}


@bp.get("/demand-responses/<id:response_id>")
def show(response_id: int) -> dict[str, Any]:
    """One response, for its respondent or (once submitted) the demand's sponsor; 404 for everyone else."""
    user, session = required(api_user()), state.session()
    demands.thread(session, user, response_id)
    response = session.get(DemandResponse, response_id)
    assert response is not None
    return _response_body(response)


@bp.post("/demand-responses/<id:response_id>/submit")
def submit(response_id: int) -> dict[str, Any]:
    """Send the draft to the sponsor; it stays revisable until the deadline."""
    user, session = required(api_user()), state.session()
    response = demands.submit_response(session, user, response_id)
    session.commit()
    return _response_body(response)


@bp.post("/demand-responses/<id:response_id>/withdraw")
def withdraw(response_id: int) -> dict[str, Any]:
    """Withdraw the proposal."""
    user, session = required(api_user()), state.session()
    response = demands.withdraw_response(session, user, response_id)
    session.commit()
    return _response_body(response)


@bp.get("/demand-inbox")
def inbox() -> dict[str, Any]:
    """The published demands matched to the caller's organizations, with their scores."""
    user, session = required(api_user()), state.session()
    return {
        "matches": [
            {"respondent_id": m.respondent_id, "score": m.score, "demand": demand_dict(d, details=False)}
            for m, d in demands.inbox(session, user)
        ]
    }


@bp.get("/demands/<id:demand_id>/responses")
def compare(demand_id: int) -> dict[str, Any]:
    """Every submitted response side by side (the demand's sponsor only)."""
    user = required(api_user())
    return {"responses": [compared_dict(row) for row in demands.compare(state.session(), user, demand_id)]}


@bp.post("/demand-responses/<id:response_id>/shortlist")
def shortlist(response_id: int) -> dict[str, Any]:
    """Put a response on the shortlist, or off it with ``{"on": false}`` (sponsor)."""
    user, session = required(api_user()), state.session()
    data = request.get_json(silent=True) or {}
    on = data.get("on", True) if isinstance(data, dict) else None
    if not isinstance(on, bool):
        raise InvalidInput("'on' must be true or false", field="on")
    response = demands.shortlist(session, user, response_id, on)
    session.commit()
    return _response_body(response)


@bp.post("/demands/<id:demand_id>/selection")
def select(demand_id: int) -> dict[str, Any]:
    """Select one or more responses, each with a reason; the others are not selected (sponsor)."""
    user, session = required(api_user()), state.session()
    items = json_body().get("selections")
    if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
        raise InvalidInput("'selections' must be a list of {response_id, reason}", field="selections")
    reasons = {
        bounded_int(i.get("response_id"), "response_id"): text_field(i, "reason", max_length=5000) for i in items
    }
    chosen = demands.select_responses(session, user, demand_id, reasons)
    session.commit()
    return {"selected": [_response_body(r) for r in chosen]}


@bp.get("/demand-responses/<id:response_id>/messages")
def messages(response_id: int) -> dict[str, Any]:
    """The response's Q&A thread (its sponsor and its respondent only)."""
    user = required(api_user())
    return {"messages": [message_dict(m) for m in demands.thread(state.session(), user, response_id)]}


@bp.post("/demand-responses/<id:response_id>/messages")
def post_message(response_id: int) -> JSON:
    """Ask or answer in the response's thread."""
    user, session = required(api_user()), state.session()
    body = text_field(json_body(), "body", max_length=10000)
    message = demands.post_message(session, user, response_id, body)
    session.commit()
    return message_dict(message), 201


def _deal_access(demand_id: int) -> None:
    user, session = required(api_user()), state.session()
    demand = demands.visible_demand(session, user, demand_id)
    if not (demands.is_sponsor_of(session, user, demand) or demands.is_reviewer(session, user)):
        raise NotFound("no such demand")


@bp.get("/demands/<id:demand_id>/deals")
def deals(demand_id: int) -> dict[str, Any]:
    """The deals of a demand with their milestones (its sponsor and reviewers)."""
    _deal_access(demand_id)
    session = state.session()
    found = demands.deals_of_demand(session, demand_id)
    return {"deals": [deal_dict(d, demands.milestones(session, d.id)) for d in found]}


@bp.post("/demands/<id:demand_id>/deals")
def record_deal(demand_id: int) -> JSON:
    """Record the contract signed with a selected respondent: kind, value, date, parties, broker."""
    _deal_access(demand_id)
    user, session = required(api_user()), state.session()
    data = json_body()
    raw = _strings(data, DEAL_FIELDS)
    raw["response_id"] = str(bounded_int(data.get("response_id"), "response_id"))
    deal = demands.record_deal(session, user, demand_id, raw)
    session.commit()
    return deal_dict(deal, []), 201


@bp.post("/deals/<id:deal_id>/milestones")
def add_milestone(deal_id: int) -> JSON:
    """Add a milestone to a deal."""
    user, session = required(api_user()), state.session()
    deal = session.get(Deal, deal_id)
    if deal is None:
        raise NotFound("no such deal")
    _deal_access(deal.demand_id)
    milestone = demands.add_milestone(session, user, deal.id, _strings(json_body(), MILESTONE_FIELDS))
    session.commit()
    return milestone_dict(milestone), 201


@bp.post("/milestones/<id:milestone_id>/done")
def complete_milestone(milestone_id: int) -> dict[str, Any]:
    """Mark a milestone done on ``done_on`` (a date; today when absent)."""
    user, session = required(api_user()), state.session()
    data = request.get_json(silent=True)
    text = text_field(data if isinstance(data, dict) else {}, "done_on", required=False, max_length=10)
    try:
        day = date.fromisoformat(text) if text else state.now().date()
    except ValueError:
        raise InvalidInput("'done_on' must be a date like 2027-06-30", field="done_on") from None
    milestone = demands.complete_milestone(session, user, milestone_id, day)
    session.commit()
    return milestone_dict(milestone)


def _file_dict(row: DemandAttachment) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "content_type": row.content_type,
        "size": row.size,
        "sha256": row.sha256,
        "url": f"/api/v1/demand-responses/{row.response_id}/attachments/{row.id}",
    }


@bp.get("/demand-responses/<id:response_id>/attachments")
def attachments(response_id: int) -> dict[str, Any]:
    """A response's files, for its respondent or (once submitted) the demand's sponsor; 404 for everyone else."""
    user, session = required(api_user()), state.session()
    demands.readable_response(session, user, response_id)
    return {"attachments": [_file_dict(row) for row in demands.response_attachments(session, response_id)]}


@bp.post("/demand-responses/<id:response_id>/attachments")
def add_attachment(response_id: int) -> JSON:
    """Attach a file (multipart field ``file``) while the response may be revised; 413 if too large, 422 if refused."""
    user, session = required(api_user()), state.session()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise InvalidInput("send the file as the multipart field 'file'", field="attachment")
    try:
        row = demands.add_response_attachment(
            session, state.store(), user, response_id, upload.filename, cast(BinaryIO, upload.stream)
        )
    except InvalidInput as error:
        if error.field != "attachment":
            raise
        raise UnacceptableFile(error.template, field=error.field, params=error.params) from None
    session.commit()
    return _file_dict(row), 201


@bp.get("/demand-responses/<id:response_id>/attachments/<id:attachment_id>")
def attachment(response_id: int, attachment_id: int) -> Response:
    """Download one of a response's files (its respondent or the demand's sponsor; 404 for everyone else)."""
    row = demands.response_attachment(state.session(), required(api_user()), response_id, attachment_id)
    response = Response(state.store().read_bytes(row.sha256), mimetype=row.content_type)
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(row.name)}"
    return response
