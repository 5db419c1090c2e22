"""The OpenAPI paths of demands: public list, sponsors' drafts, reviewers' decisions, responses, deals, statistics."""

from __future__ import annotations

from typing import Any

from web.api.openapi_common import BINARY, ID, INT, OBJ, PAGING, STR, json_body, multipart_body, op, path_id, ref

NULL_INT: dict[str, Any] = {"type": ["integer", "null"]}
NULL_STR: dict[str, Any] = {"type": ["string", "null"]}
NULL_TIME: dict[str, Any] = {"oneOf": [ref("Timestamp"), {"type": "null"}]}
PROBLEMS: dict[str, Any] = {"type": "array", "items": {"type": "object", "properties": {"field": STR, "message": STR}}}
DEMAND = ref("Demand")
RESPONSE = ref("DemandResponse")
MONEY: dict[str, Any] = {"type": ["string", "integer"]}
DRAFT_FIELDS: dict[str, Any] = {
    **{name: STR for name in ("title", "field", "region", "summary", "problem", "current_state", "indicators")},
    **{name: MONEY for name in ("budget_min", "budget_max", "intended_investment")},
    "deadline": STR,
    "confidential": {"type": "boolean"},
    "terms": STR,
}
RESPONSE_FIELDS: dict[str, Any] = {
    **{name: STR for name in ("approach", "team", "track_record", "schedule")},
    "price": MONEY,
}
ATTACHMENT: dict[str, Any] = {
    "type": "object",
    "properties": {"id": ID, "name": STR, "content_type": STR, "size": INT, "sha256": STR, "url": STR},
}
FILE_UPLOAD: dict[str, Any] = multipart_body({"file": BINARY}, ["file"])
CHECKLIST: dict[str, Any] = {"type": "object", "additionalProperties": {"type": "boolean"}}
READ = (401, 404)
WRITE = (400, 401, 403, 404, 409, 422)
STAT_ROW: dict[str, Any] = {"type": "object", "required": ["key"], "properties": {"key": STR}}


def demand_schemas() -> dict[str, Any]:
    """Return the component schemas of a demand and a response."""
    return {
        "Demand": {
            "type": "object",
            "required": ["id", "sponsor_id", "status", "title", "details_visible"],
            "properties": {
                "id": ID,
                "sponsor_id": ID,
                "status": STR,
                "title": STR,
                "field": STR,
                "region": STR,
                "summary": STR,
                "budget_min": NULL_INT,
                "budget_max": NULL_INT,
                "intended_investment": NULL_INT,
                "deadline": NULL_TIME,
                "published_at": NULL_TIME,
                "confidential": {"type": "boolean"},
                "details_visible": {"type": "boolean"},
                "problem": STR,
                "current_state": STR,
                "indicators": STR,
            },
        },
        "DemandResponse": {
            "type": "object",
            "required": ["id", "demand_id", "respondent_id", "status"],
            "properties": {
                "id": ID,
                "demand_id": ID,
                "respondent_id": ID,
                "respondent_name": NULL_STR,
                "status": {
                    "type": "string",
                    "enum": ["draft", "submitted", "shortlisted", "selected", "not_selected", "withdrawn"],
                },
                **RESPONSE_FIELDS,
                "price": NULL_INT,
                "decision_reason": STR,
                "submitted_at": NULL_TIME,
                "updated_at": NULL_TIME,
            },
        },
    }


def _demand_paths() -> dict[str, Any]:
    demand_id = [path_id("demand_id")]
    saved = {
        "type": "object",
        "required": ["demand", "problems"],
        "properties": {"demand": DEMAND, "problems": PROBLEMS},
    }
    query = [
        {"name": "q", "in": "query", "schema": STR},
        {"name": "field", "in": "query", "schema": STR},
        {"name": "budget_at_least", "in": "query", "schema": {"type": "integer", "minimum": 0, "maximum": 10**13}},
        {"name": "open", "in": "query", "schema": {"type": "string", "enum": ["1", "true", "0", "false"]}},
        *PAGING,
    ]
    listing = {"type": "object", "properties": {"demands": {"type": "array", "items": DEMAND}, "total": INT}}

    def step(summary: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        return {"post": op(summary, "200", DEMAND, WRITE, params=demand_id, body=body)}

    return {
        "/demands": {
            "get": op(
                "Published demands by words, field, budget and openness",
                "200",
                listing,
                (422,),
                auth=False,
                params=query,
            ),
            "post": op(
                "File a draft demand for a sponsor (bad fields listed in problems, the rest kept)",
                "201",
                saved,
                WRITE,
                body=json_body({"sponsor_id": ID, **DRAFT_FIELDS}, ["sponsor_id"]),
            ),
        },
        "/demands/{demand_id}": {
            "get": op(
                "A demand; details only for those who may read them",
                "200",
                DEMAND,
                (404,),
                auth=False,
                params=demand_id,
            ),
            "patch": op(
                "Change a draft (sponsor)", "200", saved, WRITE, params=demand_id, body=json_body(DRAFT_FIELDS, [])
            ),
        },
        "/demands/{demand_id}/terms": step("Accept a confidential demand's terms"),
        "/demands/{demand_id}/submit": step("Send the draft to the reviewers (sponsor)"),
        "/demands/{demand_id}/withdraw": step("Withdraw the demand (sponsor)", json_body({"reason": STR}, ["reason"])),
        "/demands/{demand_id}/review": step("Take the demand into review (reviewer)"),
        "/demands/{demand_id}/changes": step(
            "Ask the sponsor for changes (reviewer)", json_body({"comment": STR, "checklist": CHECKLIST}, ["comment"])
        ),
        "/demands/{demand_id}/approve": step(
            "Approve against the checklist (reviewer)",
            json_body({"checklist": CHECKLIST, "comment": STR}, ["checklist"]),
        ),
        "/demands/{demand_id}/reject": step(
            "Reject with a reason (reviewer)", json_body({"reason": STR, "checklist": CHECKLIST}, ["reason"])
        ),
        "/demands/{demand_id}/publish": step("Publish and push to matching respondents (reviewer)"),
        "/demand-statistics": {
            "get": op(
                "The programme's figures by period, field or region, with totals",
                "200",
                {"type": "object", "properties": {"totals": STAT_ROW, "rows": {"type": "array", "items": STAT_ROW}}},
                (400,),
                auth=False,
                params=[
                    {"name": "by", "in": "query", "schema": {"type": "string", "enum": ["period", "field", "region"]}},
                    {
                        "name": "period",
                        "in": "query",
                        "schema": {"type": "string", "enum": ["month", "quarter", "year"]},
                    },
                    {"name": "start", "in": "query", "schema": {"type": "string", "format": "date"}},
                    {"name": "end", "in": "query", "schema": {"type": "string", "format": "date"}},
                ],
            )
        },
    }


def _response_paths() -> dict[str, Any]:
    demand_id, response_id = [path_id("demand_id")], [path_id("response_id")]
    responses = {"type": "object", "properties": {"responses": {"type": "array", "items": RESPONSE}}}
    saved = {"type": "object", "properties": {"response": RESPONSE, "problems": PROBLEMS}}
    files = {"type": "object", "properties": {"attachments": {"type": "array", "items": ATTACHMENT}}}
    message = {"type": "object", "properties": {"id": ID, "side": STR, "body": STR, "at": ref("Timestamp")}}
    deal_fields = {"response_id": ID, "kind": STR, "value": MONEY, "signed_on": STR, "parties": STR, "broker": STR}
    return {
        "/demands/{demand_id}/response": {
            "put": op(
                "Save the organization's proposal (bad fields listed in problems, the rest kept)",
                "200",
                saved,
                WRITE,
                params=demand_id,
                body=json_body({"respondent_id": ID, **RESPONSE_FIELDS}, ["respondent_id"]),
            )
        },
        "/demand-responses": {"get": op("The caller's organizations' responses", "200", responses, (401,))},
        "/demand-responses/{response_id}": {
            "get": op(
                "One response (its respondent, or the sponsor once submitted)",
                "200",
                RESPONSE,
                READ,
                params=response_id,
            )
        },
        "/demand-responses/{response_id}/attachments": {
            "get": op(
                "The response's files (its respondent, or the sponsor once submitted)",
                "200",
                files,
                READ,
                params=response_id,
            ),
            "post": op(
                "Attach a file (PDF, PNG, JPEG, DOCX, XLSX or ZIP); 413 if too large, 422 if its type is refused",
                "201",
                ATTACHMENT,
                (*WRITE, 413),
                params=response_id,
                body=FILE_UPLOAD,
            ),
        },
        "/demand-responses/{response_id}/attachments/{attachment_id}": {
            "get": op(
                "Download one of the response's files",
                "200",
                OBJ,
                READ,
                params=[*response_id, path_id("attachment_id")],
                content={"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
            )
        },
        "/demand-responses/{response_id}/submit": {
            "post": op("Submit the proposal", "200", RESPONSE, WRITE, params=response_id)
        },
        "/demand-responses/{response_id}/withdraw": {
            "post": op("Withdraw the proposal", "200", RESPONSE, WRITE, params=response_id)
        },
        "/demand-inbox": {"get": op("Published demands matched to the caller's organizations", "200", OBJ, (401,))},
        "/demands/{demand_id}/responses": {
            "get": op(
                "Every submitted response side by side (sponsor)", "200", responses, (401, 403, 404), params=demand_id
            )
        },
        "/demand-responses/{response_id}/shortlist": {
            "post": op(
                "Put on or take off the shortlist (sponsor)",
                "200",
                RESPONSE,
                WRITE,
                params=response_id,
                body=json_body({"on": {"type": "boolean"}}, [], optional=True),
            )
        },
        "/demands/{demand_id}/selection": {
            "post": op(
                "Select responses, each with a reason (sponsor)",
                "200",
                OBJ,
                WRITE,
                params=demand_id,
                body=json_body(
                    {
                        "selections": {
                            "type": "array",
                            "items": {"type": "object", "properties": {"response_id": ID, "reason": STR}},
                        }
                    },
                    ["selections"],
                ),
            )
        },
        "/demand-responses/{response_id}/messages": {
            "get": op("The response's Q&A thread", "200", OBJ, READ, params=response_id),
            "post": op(
                "Ask or answer", "201", message, WRITE, params=response_id, body=json_body({"body": STR}, ["body"])
            ),
        },
        "/demands/{demand_id}/deals": {
            "get": op("The demand's deals with milestones (sponsor, reviewers)", "200", OBJ, READ, params=demand_id),
            "post": op(
                "Record a deal", "201", OBJ, WRITE, params=demand_id, body=json_body(deal_fields, ["response_id"])
            ),
        },
        "/deals/{deal_id}/milestones": {
            "post": op(
                "Add a milestone",
                "201",
                OBJ,
                WRITE,
                params=[path_id("deal_id")],
                body=json_body({"title": STR, "due_on": STR, "amount": MONEY}, ["title"]),
            )
        },
        "/milestones/{milestone_id}/done": {
            "post": op(
                "Mark a milestone done",
                "200",
                OBJ,
                WRITE,
                params=[path_id("milestone_id")],
                body=json_body({"done_on": STR}, [], optional=True),
            )
        },
    }


def demands_paths() -> dict[str, Any]:
    """Return every demands path."""
    return {**_demand_paths(), **_response_paths()}
