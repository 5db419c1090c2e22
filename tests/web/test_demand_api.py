"""The demands API: the public list and detail, drafts to publication, responses, selection, Q&A, deals, statistics."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import PASSWORD
from tests.web.demand_pages_world import PagesWorld, build


@pytest.fixture
def pw(app: Flask) -> PagesWorld:
    """The published demands and the lab's submitted response."""
    return build(app)


def _token(client: FlaskClient, username: str) -> dict[str, str]:
    response = client.post("/api/v1/tokens", json={"username": username, "password": PASSWORD})
    assert response.status_code == 201, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def test_the_public_list_and_detail(client: FlaskClient, pw: PagesWorld) -> None:
    listed = client.get("/api/v1/demands?q=second&field=new_materials").get_json()
    assert listed["total"] == 1 and listed["demands"][0]["id"] == pw.other_demand_id
    one = client.get(f"/api/v1/demands/{pw.demand_id}").get_json()
    assert one["details_visible"] is True and one["deadline"].endswith("Z") and "problem" in one
    assert client.get("/api/v1/demands/999").get_json()["error"]["code"] == "not_found"


def test_a_sponsor_files_and_a_reviewer_publishes(app: Flask, client: FlaskClient, pw: PagesWorld) -> None:
    sponsor, reviewer = _token(client, "sponsor1"), _token(client, "reviewer1")
    mine = client.get(f"/api/v1/demands/{pw.demand_id}", headers=sponsor).get_json()
    body = {"sponsor_id": mine["sponsor_id"], "title": "Desalination membrane", "field": "marine", "budget_min": "lots"}
    created = client.post("/api/v1/demands", json=body, headers=sponsor)
    assert created.status_code == 201
    saved = created.get_json()
    assert saved["demand"]["status"] == "draft" and saved["problems"][0]["field"] == "budget_min"
    demand_id = saved["demand"]["id"]
    fixed = {
        "budget_min": 100000, "budget_max": 300000, "summary": "Cheaper membranes", "problem": "Fouling",
        "current_state": "RO", "indicators": "Flux +20%", "region": "Qingdao", "deadline": "2099-06-30",
    }  # fmt: skip
    assert client.patch(f"/api/v1/demands/{demand_id}", json=fixed, headers=sponsor).get_json()["problems"] == []
    assert client.post(f"/api/v1/demands/{demand_id}/submit", headers=sponsor).status_code == 200
    assert client.post(f"/api/v1/demands/{demand_id}/review", headers=sponsor).status_code == 404
    assert client.post(f"/api/v1/demands/{demand_id}/review", headers=reviewer).get_json()["status"] == "in_review"
    checklist = {"checklist": {"authentic": True, "complete": True, "feasible": True}}
    assert client.post(f"/api/v1/demands/{demand_id}/approve", json=checklist, headers=reviewer).status_code == 200
    assert client.post(f"/api/v1/demands/{demand_id}/publish", headers=reviewer).get_json()["status"] == "published"


def test_a_respondent_answers_with_a_bad_price_then_fixes_it(client: FlaskClient, pw: PagesWorld) -> None:
    firm = _token(client, "firmcto")
    url = f"/api/v1/demands/{pw.demand_id}/response"
    body = {
        "respondent_id": pw.firm_id,
        "approach": "Ceramic",
        "team": "Five",
        "schedule": "Nine months",
        "price": "cheap",
    }
    saved = client.put(url, json=body, headers=firm).get_json()
    assert (
        saved["problems"] == [{"field": "price", "message": "enter an amount in yuan as a whole number, e.g. 500000"}]
        and saved["response"]["approach"] == "Ceramic"
    )
    response_id = saved["response"]["id"]
    refused = client.post(f"/api/v1/demand-responses/{response_id}/submit", headers=firm)
    assert refused.status_code == 400 and refused.get_json()["error"]["problems"][0]["field"] == "price"
    client.put(url, json={**body, "price": 800000}, headers=firm)
    sent = client.post(f"/api/v1/demand-responses/{response_id}/submit", headers=firm).get_json()
    assert sent["status"] == "submitted" and sent["price"] == 800000 and sent["submitted_at"].endswith("Z")
    own = client.get("/api/v1/demand-responses", headers=firm).get_json()["responses"]
    assert [r["id"] for r in own] == [response_id]


@pytest.mark.parametrize("who", ["firmcto", "outsider", "reviewer1", None])
def test_nobody_else_reads_a_respondents_proposal(client: FlaskClient, pw: PagesWorld, who: str | None) -> None:
    headers = _token(client, who) if who else {}
    for url in (f"/api/v1/demand-responses/{pw.response_id}", f"/api/v1/demand-responses/{pw.response_id}/messages"):
        assert client.get(url, headers=headers).status_code == (404 if who else 401), (who, url)
    assert client.get(f"/api/v1/demands/{pw.demand_id}/responses", headers=headers).status_code in (401, 403, 404)


def test_the_sponsor_compares_asks_selects_and_records_a_deal(client: FlaskClient, pw: PagesWorld) -> None:
    sponsor, lab = _token(client, "sponsor1"), _token(client, "labhead")
    compared = client.get(f"/api/v1/demands/{pw.demand_id}/responses", headers=sponsor).get_json()["responses"]
    assert [r["id"] for r in compared] == [pw.response_id] and compared[0]["price"] == 1200000
    messages = f"/api/v1/demand-responses/{pw.response_id}/messages"
    assert client.post(messages, json={"body": "Thickness?"}, headers=sponsor).status_code == 201
    assert client.post(messages, json={"body": "80 µm"}, headers=lab).status_code == 201
    assert [m["side"] for m in client.get(messages, headers=lab).get_json()["messages"]] == ["sponsor", "respondent"]
    shortlisted = client.post(f"/api/v1/demand-responses/{pw.response_id}/shortlist", json={}, headers=sponsor)
    assert shortlisted.get_json()["status"] == "shortlisted"
    empty = {"selections": [{"response_id": pw.response_id, "reason": " "}]}
    assert client.post(f"/api/v1/demands/{pw.demand_id}/selection", json=empty, headers=sponsor).status_code == 400
    chosen = {"selections": [{"response_id": pw.response_id, "reason": "Best salt-spray results"}]}
    selected = client.post(f"/api/v1/demands/{pw.demand_id}/selection", json=chosen, headers=sponsor).get_json()
    assert selected["selected"][0]["decision_reason"] == "Best salt-spray results"
    deal = {"response_id": pw.response_id, "kind": "development", "value": 1100000, "signed_on": "2026-11-02"}
    made = client.post(f"/api/v1/demands/{pw.demand_id}/deals", json=deal, headers=sponsor)
    assert made.status_code == 201, made.get_json()
    step = client.post(
        f"/api/v1/deals/{made.get_json()['id']}/milestones", json={"title": "Lab samples"}, headers=sponsor
    )
    assert step.status_code == 201
    done = client.post(
        f"/api/v1/milestones/{step.get_json()['id']}/done", json={"done_on": "2026-12-01"}, headers=sponsor
    )
    assert done.get_json()["done_on"] == "2026-12-01"
    assert client.get(f"/api/v1/demands/{pw.demand_id}/deals", headers=lab).status_code == 404


def test_statistics_as_json(client: FlaskClient, pw: PagesWorld) -> None:
    body = client.get("/api/v1/demand-statistics?by=field&period=year").get_json()
    assert body["totals"]["demands_published"] == 2 and body["totals"]["solutions"] == 1
    assert body["rows"][0]["key"] == "new_materials"
    bad = client.get("/api/v1/demand-statistics?by=colour")
    assert bad.status_code == 400 and bad.get_json()["error"]["field"] == "by"
