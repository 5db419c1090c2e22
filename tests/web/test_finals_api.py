"""The finals API over HTTP with tokens: the organizer's steps, judges' scoring, finalists' records, the result.

The final is built by the domain's own test world (four teams scored on a closed phase); everything after
naming the finalists goes through ``/api/v1`` as the organizer, judges, captains and strangers would.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from flask import Flask
from flask.testing import FlaskClient

from arena import finals
from tests.arena.finals_world import build, person
from tests.factories import PASSWORD
from tests.web.conftest import World, make_user, token_for
from web import state
from web.extensions import db

ANONYMOUS: dict[str, str] = {}
PDF = b"%PDF-1.4\n% a tiny report\n"


@dataclass(frozen=True)
class Stage:
    """The final's ids and a token header per person."""

    final_id: int
    other_final_id: int
    slug: str
    phase_id: int
    team_ids: list[int]
    finalist_ids: list[int]
    submission_ids: list[int]
    criterion_ids: list[int]
    headers: dict[str, dict[str, str]]


@pytest.fixture
def stage(app: Flask, client: FlaskClient, world: World, tmp_path: Path) -> Stage:
    """Three finalists named; judges jay (scores all), jack (declared a conflict with team0), jill (another final)."""
    with app.app_context():
        session = db.session()
        built = build(session, state.settings(), state.store(), tmp_path / "finals")
        named = finals.name_finalists(session, built.organizer, built.final.id, built.phase.id, top_n=3)
        judges = {name: person(session, name, email=f"{name}@jury.example") for name in ("jay", "jack", "jill")}
        finals.invite_judge(session, built.organizer, built.final.id, "jay")
        finals.invite_judge(session, built.organizer, built.final.id, "jack")
        finals.declare_conflict(session, judges["jack"], built.final.id, built.teams[0].id, "former adviser")
        other = finals.create_final(session, built.organizer, built.challenge, {"en": "Other", "zh": "另一场"})
        finals.invite_judge(session, built.organizer, other.id, "jill")
        built.final.report_max_bytes = 1024
        session.commit()
        result = {
            "final_id": built.final.id,
            "other_final_id": other.id,
            "slug": built.challenge.slug,
            "phase_id": built.phase.id,
            "team_ids": [t.id for t in built.teams],
            "finalist_ids": [f.id for f in named],
            "submission_ids": [s.id for s in built.submissions],
            "criterion_ids": [c.id for c in finals.rubric(session, built.final.id)],
        }
    make_user(app, "olga", organizer_of="demo")
    headers = {name: _token(client, name) for name in ("org", "jay", "jack", "jill", "cap0", "cap1", "cap3")}
    return Stage(**result, headers={**headers, "olga": token_for(client, "olga")})


def _token(client: FlaskClient, username: str) -> dict[str, str]:
    """A token header for a user of the finals world (whose password is the domain tests' one)."""
    response = client.post("/api/v1/tokens", json={"username": username, "password": PASSWORD})
    assert response.status_code == 201, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def _open(client: FlaskClient, stage: Stage) -> None:
    response = client.post(f"/api/v1/finals/{stage.final_id}/scoring", headers=stage.headers["org"])
    assert response.status_code == 200, response.get_json()


def _mark(client: FlaskClient, stage: Stage, who: str, finalist: int, criterion: int, points: object) -> object:
    body = {"criterion_id": stage.criterion_ids[criterion], "points": points, "comment": "clear pitch"}
    return client.put(f"/api/v1/finalists/{stage.finalist_ids[finalist]}/marks", json=body, headers=stage.headers[who])


def _score_all(client: FlaskClient, stage: Stage, who: str, points: list[float], finalists: list[int]) -> None:
    for finalist, value in zip(finalists, points, strict=True):
        for criterion in range(len(stage.criterion_ids)):
            response = _mark(client, stage, who, finalist, criterion, value)
            assert response.status_code == 200, response.get_json()  # type: ignore[attr-defined]


def test_an_organizer_creates_a_final_and_a_bad_formula_names_its_field(client: FlaskClient, stage: Stage) -> None:
    org = stage.headers["org"]
    body = {
        "title": {"en": "Grand final", "zh": "总决赛"},
        "source_phase_ids": [stage.phase_id],
        "formula": {"weights": {"online": 0.5, "judges": 0.5}},
        "aggregation": "trimmed",
        "blind": True,
        "pitch_at": "2026-12-20T09:00:00+08:00",
    }
    created = client.post(f"/api/v1/challenges/{stage.slug}/finals", json=body, headers=org)
    assert created.status_code == 201, created.get_json()
    final = created.get_json()
    assert final["status"] == "draft" and final["blind"] is True and final["pitch_at"] == "2026-12-20T01:00:00Z"
    bad = client.patch(f"/api/v1/finals/{final['id']}", json={"formula": {"weights": {"online": 0.5}}}, headers=org)
    assert bad.status_code == 400 and bad.get_json()["error"]["field"].startswith("formula")
    late = client.patch(f"/api/v1/finals/{final['id']}", json={"pitch_at": "tomorrow"}, headers=org)
    assert late.status_code == 400 and late.get_json()["error"]["field"] == "pitch_at"
    huge = client.patch(f"/api/v1/finals/{final['id']}", json={"report_max_bytes": 2**70}, headers=org)
    assert huge.status_code == 422 and huge.get_json()["error"]["field"] == "report_max_bytes"
    templates = client.get("/api/v1/rubric-templates", headers=org).get_json()["templates"]
    rubric = client.put(f"/api/v1/finals/{final['id']}/rubric", json=templates[0], headers=org)
    assert rubric.status_code == 200 and len(rubric.get_json()["criteria"]) == 4
    assert client.post(f"/api/v1/finals/{final['id']}/announce", headers=org).get_json()["status"] == "announced"
    # An organizer of another challenge does not learn the final exists.
    stranger = client.patch(f"/api/v1/finals/{final['id']}", json={"venue": "x"}, headers=stage.headers["olga"])
    assert stranger.status_code == 404


def test_finalists_by_hand_decline_and_substitute(client: FlaskClient, stage: Stage) -> None:
    org = stage.headers["org"]
    no_reason = client.post(
        f"/api/v1/finals/{stage.final_id}/finalists/manual", json={"team_id": stage.team_ids[3]}, headers=org
    )
    assert no_reason.status_code == 400 and no_reason.get_json()["error"]["field"] == "reason"
    elsewhere = client.post(
        f"/api/v1/finals/{stage.final_id}/finalists/manual",
        json={"team_id": stage.team_ids[3], "reason": "wild card", "phase_id": stage.phase_id + 1000},
        headers=org,
    )
    assert elsewhere.status_code == 400 and elsewhere.get_json()["error"]["field"] == "phase_id"
    declined = client.post(
        f"/api/v1/finalists/{stage.finalist_ids[2]}/decline", json={"reason": "cannot travel"}, headers=org
    )
    assert declined.status_code == 200, declined.get_json()
    substitute = declined.get_json()["substitute"]
    assert substitute["team_id"] == stage.team_ids[3] and substitute["status"] == "substitute"
    listed = client.get(f"/api/v1/finals/{stage.final_id}/finalists", headers=org).get_json()["finalists"]
    assert [f["team_id"] for f in listed] == [stage.team_ids[0], stage.team_ids[1], stage.team_ids[3]]
    assert all(f["eligible"] is False and f["ineligible_reasons"] for f in listed)
    conflicts = client.get(f"/api/v1/finals/{stage.final_id}/conflicts", headers=org).get_json()["conflicts"]
    assert [(c["judge"], c["team_id"], c["source"]) for c in conflicts] == [("jack", stage.team_ids[0], "declared")]


# Who gets what on a packet, its form and a mark of team0's finalist; jack declared a conflict with team0.
PACKET_MATRIX = [("jay", 200), ("jack", 404), ("jill", 404), ("cap0", 404), ("cap1", 404), ("olga", 404), ("anon", 401)]


def test_a_packet_and_its_form_reach_only_an_unconflicted_judge(client: FlaskClient, stage: Stage) -> None:
    _open(client, stage)
    finalist = stage.finalist_ids[0]
    for who, status in PACKET_MATRIX:
        headers = stage.headers.get(who, ANONYMOUS)
        packet = client.get(f"/api/v1/finalists/{finalist}/packet", headers=headers)
        assert packet.status_code == status, (who, packet.get_json())
        form = client.get(f"/api/v1/finalists/{finalist}/marks", headers=headers)
        assert form.status_code == status, who
        body = {"criterion_id": stage.criterion_ids[0], "points": 5}
        saved = client.put(f"/api/v1/finalists/{finalist}/marks", json=body, headers=headers)
        assert saved.status_code == status, (who, saved.get_json())
        if status != 200:
            assert "team0" not in packet.get_data(as_text=True) + saved.get_data(as_text=True)


def test_the_queue_leaves_out_a_conflict_and_blind_mode_hides_names(client: FlaskClient, stage: Stage) -> None:
    org = stage.headers["org"]
    assert client.patch(f"/api/v1/finals/{stage.final_id}", json={"blind": True}, headers=org).status_code == 200
    queue = client.get(f"/api/v1/finals/{stage.final_id}/queue", headers=stage.headers["jack"])
    packets = queue.get_json()["packets"]
    assert [p["finalist_id"] for p in packets] == stage.finalist_ids[1:]
    assert all(p["team"] is None and p["members"] is None for p in packets)
    assert "team1" not in queue.get_data(as_text=True)
    mine = client.get("/api/v1/me/finals", headers=stage.headers["jill"]).get_json()["finals"]
    assert [f["id"] for f in mine] == [stage.other_final_id]
    assert client.get(f"/api/v1/finals/{stage.final_id}/queue", headers=stage.headers["jill"]).status_code == 404
    assert client.get(f"/api/v1/finals/{stage.final_id}/queue", headers=stage.headers["cap0"]).status_code == 404


def test_a_judge_declares_a_conflict_and_loses_the_packet(client: FlaskClient, stage: Stage) -> None:
    jay = stage.headers["jay"]
    declared = client.post(
        f"/api/v1/finals/{stage.final_id}/conflicts",
        json={"team_id": stage.team_ids[1], "reason": "cousin"},
        headers=jay,
    )
    assert declared.status_code == 201 and declared.get_json()["source"] == "declared"
    assert client.get(f"/api/v1/finalists/{stage.finalist_ids[1]}/packet", headers=jay).status_code == 404


ORGANIZER_ROUTES = ["", "/preview", "/progress", "/conflicts", "/appeals", "/finalists", "/rubric", "/exports/results"]


def test_organizer_routes_are_hidden_from_everyone_else(client: FlaskClient, stage: Stage) -> None:
    for route in ORGANIZER_ROUTES:
        assert client.get(f"/api/v1/finals/{stage.final_id}{route}", headers=stage.headers["org"]).status_code == 200
        for who, status in [("jay", 404), ("cap0", 404), ("olga", 404), ("anon", 401)]:
            response = client.get(f"/api/v1/finals/{stage.final_id}{route}", headers=stage.headers.get(who, ANONYMOUS))
            assert response.status_code == status, (route, who)
            assert set(response.get_json()) == {"error"}
    # Writes are refused the same way: a judge cannot lock, a stranger cannot invite.
    assert client.post(f"/api/v1/finals/{stage.final_id}/lock", headers=stage.headers["jay"]).status_code == 404
    invite = client.post(
        f"/api/v1/finals/{stage.final_id}/judges", json={"username": "olga"}, headers=stage.headers["olga"]
    )
    assert invite.status_code == 404


def test_marks_out_of_scale_are_refused_and_revisable_until_lock(client: FlaskClient, stage: Stage) -> None:
    _open(client, stage)
    for points in (11, 2.5, "7", 10**400):
        bad = _mark(client, stage, "jay", 0, 0, points)
        assert bad.status_code == 400 and bad.get_json()["error"]["field"] == "points"  # type: ignore[attr-defined]
    first = _mark(client, stage, "jay", 0, 0, 4)
    revised = _mark(client, stage, "jay", 0, 0, 6)
    assert first.status_code == revised.status_code == 200  # type: ignore[attr-defined]
    form = client.get(f"/api/v1/finalists/{stage.finalist_ids[0]}/marks", headers=stage.headers["jay"]).get_json()
    assert form["criteria"][0]["points"] == 6
    org = stage.headers["org"]
    assert client.post(f"/api/v1/finals/{stage.final_id}/lock", headers=org).status_code == 200
    late = _mark(client, stage, "jay", 0, 0, 7)
    assert late.status_code == 409 and late.get_json()["error"]["code"] == "conflict"  # type: ignore[attr-defined]
    unlock = client.post(f"/api/v1/finals/{stage.final_id}/unlock", json={"reason": " "}, headers=org)
    assert unlock.status_code == 400 and unlock.get_json()["error"]["field"] == "reason"
    unlock = client.post(
        f"/api/v1/finals/{stage.final_id}/unlock", json={"reason": "a mark was typed wrong"}, headers=org
    )
    assert unlock.status_code == 200 and unlock.get_json()["status"] == "scoring"
    assert _mark(client, stage, "jay", 0, 0, 7).status_code == 200  # type: ignore[attr-defined]


def test_preview_lock_reveal_result_and_anonymous_exports(client: FlaskClient, stage: Stage) -> None:
    org = stage.headers["org"]
    _open(client, stage)
    _score_all(client, stage, "jay", [9, 6, 3], [0, 1, 2])
    _score_all(client, stage, "jack", [5, 8], [1, 2])
    progress = client.get(f"/api/v1/finals/{stage.final_id}/progress", headers=org).get_json()["judges"]
    assert {p["username"]: p["excluded"] for p in progress} == {"jack": [stage.finalist_ids[0]], "jay": []}
    preview = client.get(f"/api/v1/finals/{stage.final_id}/preview", headers=org).get_json()
    assert preview["kendall_w"] is not None and {d["username"] for d in preview["deviation"]} == {"jay", "jack"}
    assert client.get(f"/api/v1/finals/{stage.final_id}/result").status_code == 404, "not before the reveal"
    assert client.post(f"/api/v1/finals/{stage.final_id}/reveal", headers=org).status_code == 409, "lock first"
    assert client.post(f"/api/v1/finals/{stage.final_id}/lock", headers=org).status_code == 200
    assert client.post(f"/api/v1/finals/{stage.final_id}/reveal", headers=org).get_json()["status"] == "revealed"
    result = client.get(f"/api/v1/finals/{stage.final_id}/result")
    assert result.status_code == 200
    data = result.get_json()
    assert data["formula"]["weights"]["judges"] == 0.3 and {"online", "judges"} <= set(data["rows"][0]["components"])
    text = result.get_data(as_text=True)
    assert "jay" not in text and "jack" not in text and "clear pitch" not in text
    csv = client.get(f"/api/v1/finals/{stage.final_id}/exports/results?format=csv", headers=org)
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    header = csv.get_data(as_text=True).lstrip("\ufeff").splitlines()[0].split(",")
    assert header[-2:] == ["J1", "J2"] and "jay" not in csv.get_data(as_text=True)
    parquet = client.get(f"/api/v1/finals/{stage.final_id}/exports/results?format=parquet", headers=org)
    assert parquet.mimetype == "application/vnd.apache.parquet"
    frame = pd.read_parquet(io.BytesIO(parquet.get_data()))
    assert list(frame.columns[-2:]) == ["J1", "J2"] and len(frame) == 3
    bad = client.get(f"/api/v1/finals/{stage.final_id}/exports/results?format=xlsx", headers=org)
    assert bad.status_code == 400 and bad.get_json()["error"]["field"] == "format"


def test_a_captain_completes_the_record_and_appeals(client: FlaskClient, stage: Stage) -> None:
    cap0, finalist = stage.headers["cap0"], stage.finalist_ids[0]
    record = client.get(f"/api/v1/finals/{stage.final_id}/my-finalist", headers=cap0)
    assert record.status_code == 200 and record.get_json()["id"] == finalist
    assert client.get(f"/api/v1/finals/{stage.final_id}/my-finalist", headers=stage.headers["cap3"]).status_code == 404
    identity = {"real_names": ["Li Lei", "Han Meimei"], "institution": "Tianjin University"}
    confirmed = client.put(f"/api/v1/finalists/{finalist}/identity", json=identity, headers=cap0)
    assert confirmed.status_code == 200 and confirmed.get_json()["confirmed_at"].endswith("Z")
    other = client.put(f"/api/v1/finalists/{finalist}/identity", json=identity, headers=stage.headers["cap1"])
    assert other.status_code == 404
    chosen = client.put(
        f"/api/v1/finalists/{finalist}/submission", json={"submission_id": stage.submission_ids[0]}, headers=cap0
    )
    assert chosen.status_code == 200 and chosen.get_json()["code_submission_id"] == stage.submission_ids[0]
    wrong = client.put(
        f"/api/v1/finalists/{finalist}/submission", json={"submission_id": stage.submission_ids[1]}, headers=cap0
    )
    assert wrong.status_code == 400 and wrong.get_json()["error"]["field"] == "submission_id"
    rerun = client.post(f"/api/v1/finalists/{finalist}/reproduction", headers=stage.headers["org"])
    assert rerun.status_code == 202 and rerun.get_json()["reproduction_status"] == "pending"
    assert client.post(f"/api/v1/finalists/{finalist}/reproduction", headers=cap0).status_code == 404
    uploaded = _report(client, finalist, cap0, PDF)
    assert uploaded.status_code == 200 and uploaded.get_json()["report"]["size"] == len(PDF)
    filed = client.post(f"/api/v1/finalists/{finalist}/appeals", json={"text": "recount please"}, headers=cap0)
    assert filed.status_code == 201, filed.get_json()
    stranger = client.post(
        f"/api/v1/finalists/{finalist}/appeals", json={"text": "me too"}, headers=stage.headers["cap1"]
    )
    assert stranger.status_code == 404
    org = stage.headers["org"]
    assert [
        a["text"] for a in client.get(f"/api/v1/finals/{stage.final_id}/appeals", headers=org).get_json()["appeals"]
    ] == ["recount please"]
    answered = client.post(
        f"/api/v1/appeals/{filed.get_json()['id']}/answer", json={"answer": "recounted"}, headers=org
    )
    assert answered.status_code == 200 and answered.get_json()["answer"] == "recounted"


def _report(client: FlaskClient, finalist: int, headers: dict[str, str], data: bytes) -> object:
    return client.put(
        f"/api/v1/finalists/{finalist}/report",
        data={"file": (io.BytesIO(data), "report.pdf")},
        headers=headers,
        content_type="multipart/form-data",
    )


def test_a_report_that_is_not_a_pdf_or_too_large_is_refused_clearly(client: FlaskClient, stage: Stage) -> None:
    cap0, finalist = stage.headers["cap0"], stage.finalist_ids[0]
    not_pdf = _report(client, finalist, cap0, b"PK\x03\x04 a zip")
    assert not_pdf.status_code == 422  # type: ignore[attr-defined]
    assert not_pdf.get_json()["error"] == {  # type: ignore[attr-defined]
        "code": "unacceptable_file",
        "message": "the technical report must be a PDF file",
        "field": "report",
    }
    large = _report(client, finalist, cap0, PDF + b"x" * 2048)
    assert large.status_code == 413  # type: ignore[attr-defined]
    assert large.get_json()["error"]["message"] == "the report is larger than 1024 bytes"  # type: ignore[attr-defined]
    missing = client.put(f"/api/v1/finalists/{finalist}/report", headers=cap0)
    assert missing.status_code == 400 and missing.get_json()["error"]["field"] == "report"
