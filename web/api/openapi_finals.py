"""The OpenAPI paths of on-site finals: organizers' management, judges' scoring, finalists' records, the result."""

from __future__ import annotations

from typing import Any

from web.api.openapi_common import (
    BINARY,
    BINARY_EXPORT,
    EXPORT_FORMAT,
    ID,
    INT,
    OBJ,
    SLUG,
    STR,
    json_body,
    multipart_body,
    op,
    path_id,
    ref,
)
from web.api.openapi_finals_sealed import sealed_paths

NUMBER: dict[str, Any] = {"type": "number"}
NULLABLE_TIME: dict[str, Any] = {"oneOf": [ref("Timestamp"), {"type": "null"}]}
FINAL = ref("Final")
FINALIST = ref("Finalist")
LOCALIZED = {"type": "object", "additionalProperties": STR}
FORMULA = {
    "type": "object",
    "properties": {
        "weights": {"type": "object", "additionalProperties": NUMBER},
        "normalization": {"type": "string", "enum": ["rank", "minmax"]},
        "gates": {"type": "array", "items": STR},
        "tie_break": {"type": "array", "items": STR},
    },
}
FINAL_FIELDS = {
    "title": LOCALIZED,
    "materials_due_at": {"type": "string", "format": "date-time"},
    "pitch_at": {"type": "string", "format": "date-time"},
    "appeal_deadline": {"type": "string", "format": "date-time"},
    "venue": STR,
    "source_phase_ids": {"type": "array", "items": ID},
    "formula": FORMULA,
    "aggregation": {"type": "string", "enum": ["mean", "trimmed", "zscore"]},
    "trim_min_judges": {"type": "integer", "minimum": 1},
    "missing_rule": {"type": "string", "enum": ["exclude", "block"]},
    "blind": {"type": "boolean"},
    "tolerance": {"type": "number", "minimum": 0},
    "report_max_bytes": {"type": "integer", "minimum": 1},
}
REPORT_UPLOAD = multipart_body({"file": BINARY}, ["file"])
# Every finals route answers 404 for a final the caller may not see, and for a conflicted judge's finalist.
READ = (401, 404)
WRITE = (400, 401, 403, 404, 409, 422)


def final_schemas() -> dict[str, Any]:
    """Return the component schemas of a final and a finalist."""
    return {
        "Final": {
            "type": "object",
            "required": ["id", "challenge_id", "title", "status", "formula", "aggregation", "blind"],
            "properties": {
                "id": ID,
                "challenge_id": ID,
                "title": LOCALIZED,
                "status": {
                    "type": "string",
                    "enum": ["draft", "announced", "finalists_named", "scoring", "locked", "revealed"],
                },
                "materials_due_at": NULLABLE_TIME,
                "pitch_at": NULLABLE_TIME,
                "appeal_deadline": NULLABLE_TIME,
                "locked_at": NULLABLE_TIME,
                "revealed_at": NULLABLE_TIME,
                "venue": STR,
                "source_phase_ids": {"type": "array", "items": ID},
                "formula": OBJ,
                "aggregation": STR,
                "missing_rule": STR,
                "trim_min_judges": INT,
                "blind": {"type": "boolean"},
                "tolerance": NUMBER,
                "report_max_bytes": INT,
            },
        },
        "Finalist": {
            "type": "object",
            "required": ["id", "final_id", "code", "team_id", "status", "reproduction_status"],
            "properties": {
                "id": ID,
                "final_id": ID,
                "code": STR,
                "team_id": ID,
                "status": {"type": "string", "enum": ["named", "substitute", "declined"]},
                "chosen_by": STR,
                "online_score": {"type": ["number", "null"]},
                "online_rank": {"type": ["integer", "null"]},
                "real_names": {"type": "array", "items": STR},
                "institution": STR,
                "confirmed_at": NULLABLE_TIME,
                "report_uploaded_at": NULLABLE_TIME,
                "report": {"oneOf": [OBJ, {"type": "null"}]},
                "code_submission_id": {"type": ["integer", "null"]},
                "reproduction_status": STR,
                "eligible": {"type": "boolean"},
                "ineligible_reasons": {"type": "array", "items": STR},
            },
        },
    }


def _organizer_paths() -> dict[str, Any]:
    final_id = [path_id("final_id")]
    finalist_id = [path_id("finalist_id")]
    reason = json_body({"reason": STR}, ["reason"])
    return {
        "/challenges/{slug}/finals": {
            "post": op(
                "Create a draft final (organizers)",
                "201",
                FINAL,
                WRITE,
                params=[SLUG],
                body=json_body(FINAL_FIELDS, ["title"]),
            )
        },
        "/finals/{final_id}": {
            "get": op("A final with its formula and settings (organizers)", "200", FINAL, READ, params=final_id),
            "patch": op(
                "Change a final; once finalists are named, a change of its rules needs a reason",
                "200",
                FINAL,
                WRITE,
                params=final_id,
                body=json_body({**FINAL_FIELDS, "reason": STR}, []),
            ),
        },
        "/finals/{final_id}/announce": {
            "post": op("Announce the final (organizers)", "200", FINAL, (401, 404, 400, 409), params=final_id)
        },
        "/finals/{final_id}/scoring": {
            "post": op("Open scoring (organizers)", "200", FINAL, (401, 404, 409), params=final_id)
        },
        "/rubric-templates": {"get": op("The starting rubric's criteria", "200", OBJ, (401,))},
        "/finals/{final_id}/rubric": {
            "get": op("The final's rubric (organizers)", "200", OBJ, READ, params=final_id),
            "put": op(
                "Replace the rubric before scoring opens (organizers)",
                "200",
                OBJ,
                WRITE,
                params=final_id,
                body=json_body({"criteria": {"type": "array", "items": OBJ}}, ["criteria"]),
            ),
        },
        "/finals/{final_id}/finalists": {
            "get": op("The finalists taking part, with eligibility (organizers)", "200", OBJ, READ, params=final_id),
            "post": op(
                "Name finalists from a closed phase's private board: top N or a threshold (organizers)",
                "201",
                OBJ,
                WRITE,
                params=final_id,
                body=json_body(
                    {"phase_id": ID, "top_n": {"type": "integer", "minimum": 1}, "threshold": NUMBER}, ["phase_id"]
                ),
            ),
        },
        "/finals/{final_id}/finalists/manual": {
            "post": op(
                "Name a team by hand, with a reason (organizers)",
                "201",
                FINALIST,
                WRITE,
                params=final_id,
                body=json_body({"team_id": ID, "reason": STR, "phase_id": ID}, ["team_id", "reason"]),
            )
        },
        "/finalists/{finalist_id}/decline": {
            "post": op(
                "Decline a place (captain or organizer); the next team on the board becomes a substitute",
                "200",
                OBJ,
                WRITE,
                params=finalist_id,
                body=json_body({"reason": STR}, []),
            )
        },
        "/finalists/{finalist_id}/reproduction": {
            "post": op("Re-run the selected submission (organizers)", "202", FINALIST, WRITE, params=finalist_id)
        },
        "/finals/{final_id}/judges": {
            "post": op(
                "Invite a judge by username (organizers)",
                "201",
                OBJ,
                WRITE,
                params=final_id,
                body=json_body({"username": STR, "panel": STR}, ["username"]),
            )
        },
        "/finals/{final_id}/judges/{judge_id}/panel": {
            "put": op(
                "Limit a judge (user id) to some finalists on a named panel; null finalist_ids: all (organizers)",
                "200",
                OBJ,
                WRITE,
                params=[*final_id, path_id("judge_id")],
                body=json_body({"finalist_ids": {"type": ["array", "null"], "items": ID}, "panel": STR}, []),
            )
        },
        "/finals/{final_id}/conflicts": {
            "get": op("Every conflict of interest with its source (organizers)", "200", OBJ, READ, params=final_id),
            "post": op(
                "Declare a conflict of interest with a team (judges)",
                "201",
                OBJ,
                WRITE,
                params=final_id,
                body=json_body({"team_id": ID, "reason": STR}, ["team_id", "reason"]),
            ),
        },
        "/finals/{final_id}/progress": {
            "get": op("Scoring progress per judge (organizers)", "200", OBJ, READ, params=final_id)
        },
        "/finals/{final_id}/preview": {
            "get": op(
                "The ranking as it would lock now, with Kendall's W and each judge's deviation (organizers)",
                "200",
                OBJ,
                READ,
                params=final_id,
            )
        },
        "/finals/{final_id}/lock": {
            "post": op(
                "Lock the final: marks can no longer change (organizers)", "200", OBJ, (401, 404, 409), params=final_id
            )
        },
        "/finals/{final_id}/unlock": {
            "post": op("Reopen scoring with a reason (organizers)", "200", FINAL, WRITE, params=final_id, body=reason)
        },
        "/finals/{final_id}/reveal": {
            "post": op("Reveal the locked result (organizers)", "200", FINAL, (401, 404, 409), params=final_id)
        },
        "/finals/{final_id}/appeals": {
            "get": op("The final's appeals (organizers)", "200", OBJ, READ, params=final_id)
        },
        "/appeals/{appeal_id}/answer": {
            "post": op(
                "Answer an appeal on the record (organizers)",
                "200",
                OBJ,
                WRITE,
                params=[path_id("appeal_id")],
                body=json_body({"answer": STR}, ["answer"]),
            )
        },
        "/finals/{final_id}/exports/results": {
            "get": op(
                "Download the results as CSV or Parquet; judges appear only as J1, J2, … (organizers)",
                "200",
                OBJ,
                (400, 401, 404),
                params=[*final_id, EXPORT_FORMAT],
                content=BINARY_EXPORT,
            )
        },
    }


def _participant_paths() -> dict[str, Any]:
    final_id = [path_id("final_id")]
    finalist_id = [path_id("finalist_id")]
    return {
        "/me/finals": {"get": op("The finals the caller judges", "200", OBJ, (401,))},
        "/finals/{final_id}/queue": {
            "get": op(
                "The packets of the finalists the caller scores (names hidden in blind mode)",
                "200",
                OBJ,
                READ,
                params=final_id,
            )
        },
        "/finalists/{finalist_id}/packet": {
            "get": op(
                "A finalist's packet; not found for a conflicted or unassigned judge",
                "200",
                OBJ,
                READ,
                params=finalist_id,
            )
        },
        "/finalists/{finalist_id}/code": {
            "get": op(
                "Download the finalist's selected submission; not found for a conflicted or unassigned judge",
                "200",
                OBJ,
                READ,
                params=finalist_id,
                content={"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
            )
        },
        "/finalists/{finalist_id}/marks": {
            "get": op("The caller's scoring form for a finalist", "200", OBJ, READ, params=finalist_id),
            "put": op(
                "Save or revise one mark while scoring is open; 409 after lock",
                "200",
                OBJ,
                WRITE,
                params=finalist_id,
                body=json_body({"criterion_id": ID, "points": NUMBER, "comment": STR}, ["criterion_id", "points"]),
            ),
        },
        "/finals/{final_id}/my-finalist": {
            "get": op("The caller's team's finalist record, with eligibility", "200", FINALIST, READ, params=final_id)
        },
        "/finalists/{finalist_id}/identity": {
            "put": op(
                "Confirm the members' real names and the institution (captain)",
                "200",
                FINALIST,
                WRITE,
                params=finalist_id,
                body=json_body(
                    {"real_names": {"type": "array", "items": STR}, "institution": STR}, ["real_names", "institution"]
                ),
            )
        },
        "/finalists/{finalist_id}/report": {
            "put": op(
                "Upload the technical report (captain): a PDF within the size limit; 413 if larger, 422 if not a PDF",
                "200",
                FINALIST,
                (400, 401, 403, 404, 413, 422, 503, 507),
                params=finalist_id,
                body=REPORT_UPLOAD,
            )
        },
        "/finalists/{finalist_id}/submission": {
            "put": op(
                "Choose the scored submission that reproduction re-runs (captain)",
                "200",
                FINALIST,
                WRITE,
                params=finalist_id,
                body=json_body({"submission_id": ID}, ["submission_id"]),
            )
        },
        "/finalists/{finalist_id}/appeals": {
            "get": op(
                "The finalist's appeals with the organizer's answers (members)",
                "200",
                OBJ,
                READ,
                params=finalist_id,
            ),
            "post": op(
                "File an appeal before the final's appeal deadline (members)",
                "201",
                OBJ,
                WRITE,
                params=finalist_id,
                body=json_body({"text": STR}, ["text"]),
            ),
        },
        "/finals/{final_id}/result": {
            "get": op(
                "The revealed result: formula, components, the aggregated judges' score; never individual marks",
                "200",
                OBJ,
                READ,
                auth=False,
                params=final_id,
            )
        },
    }


def finals_paths() -> dict[str, Any]:
    """Return the path items of the finals routes."""
    return {**_organizer_paths(), **sealed_paths(), **_participant_paths()}
