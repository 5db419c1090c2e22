"""Files attached to a response: checked like a demand's, read only by the respondent and the demand's sponsor."""

from __future__ import annotations

import io

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from arena.models import AuditEvent, Demand, DemandAttachment
from tests.factories import PASSWORD
from tests.web.demand_pages_world import TOKEN_RE, PagesWorld, build, sign_in
from web.extensions import db

ZH = {"Accept-Language": "zh-CN"}
EN = {"Accept-Language": "en"}
PDF = b"%PDF-1.4 coating test report"


@pytest.fixture
def pw(app: Flask) -> PagesWorld:
    """The published demands and the lab's submitted response."""
    return build(app)


def _upload(client: FlaskClient, pw: PagesWorld, name: str, content: bytes, **headers: str) -> tuple[int, str]:
    url = f"/demands/{pw.demand_id}/respond"
    page = client.get(url, headers=headers).get_data(as_text=True)
    match = TOKEN_RE.search(page)
    assert match is not None
    data: dict[str, object] = {
        "csrf_token": match.group(1),
        "respondent_id": str(pw.lab_id),
        "approach": "Graphene primer, thinner coat",
        "team": "Four chemists",
        "schedule": "Six months",
        "price": "900000",
        "action": "revise",
        "attachment": (io.BytesIO(content), name),
    }
    response = client.post(url, data=data, headers=headers, content_type="multipart/form-data")
    return response.status_code, response.get_data(as_text=True)


def _files(app: Flask, pw: PagesWorld) -> list[DemandAttachment]:
    with app.app_context():
        rows = db.session().scalars(select(DemandAttachment).where(DemandAttachment.response_id == pw.response_id))
        return list(rows)


def test_a_wrong_file_is_refused_on_its_field_and_everything_typed_is_kept(
    app: Flask, client: FlaskClient, pw: PagesWorld
) -> None:
    sign_in(client, "labhead")
    status, zh = _upload(client, pw, "tool.exe", b"MZ\x90\x00", **ZH)
    assert status == 400 and 'id="error-attachment"' in zh
    assert "Graphene primer, thinner coat" in zh and 'value="900000"' in zh
    status, en = _upload(client, pw, "fake.pdf", b"<html>", **EN)
    assert status == 400 and "is not a pdf file" in en and "Four chemists" in en
    assert _files(app, pw) == []


def test_the_respondent_attaches_a_file_the_sponsor_reads_and_nobody_else(
    app: Flask, client: FlaskClient, pw: PagesWorld
) -> None:
    sign_in(client, "labhead")
    assert _upload(client, pw, "report.pdf", PDF)[0] == 302
    [row] = _files(app, pw)
    assert row.name == "report.pdf" and row.size == len(PDF)
    download = f"/demand-responses/{pw.response_id}/attachments/{row.id}"
    page = client.get(f"/demand-responses/{pw.response_id}", headers=ZH).get_data(as_text=True)
    assert "report.pdf" in page and download in page and "附件" in page
    got = client.get(download)
    assert got.status_code == 200 and got.data == PDF and "report.pdf" in got.headers["Content-Disposition"]
    with app.app_context():
        event = db.session().scalar(select(AuditEvent).where(AuditEvent.action == "response.attachment_added"))
        assert event is not None and event.target_id == pw.response_id and event.data["name"] == "report.pdf"
    client.post("/logout", data={})
    client.delete_cookie("session")
    sign_in(client, "sponsor1")
    assert client.get(download).data == PDF
    compare = client.get(f"/demands/{pw.demand_id}/compare").get_data(as_text=True)
    assert "report.pdf" in compare and download in compare
    # The wrong response id in the address does not reach the file either.
    assert client.get(f"/demand-responses/{pw.response_id + 999}/attachments/{row.id}").status_code == 404


@pytest.mark.parametrize("who", ["firmcto", "outsider", "reviewer1", None])
def test_nobody_else_downloads_a_response_file(app: Flask, client: FlaskClient, pw: PagesWorld, who: str) -> None:
    sign_in(client, "labhead")
    assert _upload(client, pw, "report.pdf", PDF)[0] == 302
    [row] = _files(app, pw)
    client.post("/logout", data={})
    client.delete_cookie("session")
    download = f"/demand-responses/{pw.response_id}/attachments/{row.id}"
    if who is None:
        assert client.get(download).status_code == 302
        return
    sign_in(client, who)
    assert client.get(download).status_code == 404


def test_no_file_is_added_after_the_deadline(app: Flask, client: FlaskClient, pw: PagesWorld) -> None:
    sign_in(client, "labhead")
    with app.app_context():
        demand = db.session().get(Demand, pw.demand_id)
        assert demand is not None
        demand.status = "responses_closed"
        db.session().commit()
    assert _upload(client, pw, "late.pdf", PDF)[0] in (400, 404)
    assert _files(app, pw) == []


def _token(client: FlaskClient, username: str) -> dict[str, str]:
    response = client.post("/api/v1/tokens", json={"username": username, "password": PASSWORD})
    assert response.status_code == 201, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def test_the_api_attaches_lists_and_downloads_for_the_two_sides_only(client: FlaskClient, pw: PagesWorld) -> None:
    lab = _token(client, "labhead")
    url = f"/api/v1/demand-responses/{pw.response_id}/attachments"
    refused = client.post(url, data={"file": (io.BytesIO(b"MZ"), "run.exe")}, headers=lab)
    assert refused.status_code == 422 and refused.get_json()["error"]["field"] == "attachment"
    assert client.post(url, data={}, headers=lab).status_code == 400
    added = client.post(url, data={"file": (io.BytesIO(PDF), "report.pdf")}, headers=lab)
    assert added.status_code == 201
    body = added.get_json()
    assert body["name"] == "report.pdf" and body["size"] == len(PDF) and body["content_type"] == "application/pdf"
    sponsor = _token(client, "sponsor1")
    listed = client.get(url, headers=sponsor).get_json()["attachments"]
    assert [a["name"] for a in listed] == ["report.pdf"]
    assert client.get(body["url"], headers=sponsor).data == PDF
    for who in ("firmcto", "outsider", "reviewer1"):
        other = _token(client, who)
        assert client.get(url, headers=other).status_code == 404, who
        assert client.get(body["url"], headers=other).status_code == 404, who
        sent = client.post(url, data={"file": (io.BytesIO(PDF), "x.pdf")}, headers=other)
        assert sent.status_code == 404, who
    assert client.get(body["url"]).status_code == 401
