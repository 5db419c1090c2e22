"""The respondent's and sponsor's demand pages in both languages, and who may read which proposal."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from arena.models import DemandMatch, DemandResponse, RespondentProfile
from tests.web.demand_pages_world import PagesWorld, build, post_form, sign_in
from web.extensions import db

ZH = {"Accept-Language": "zh-CN"}
EN = {"Accept-Language": "en"}


@pytest.fixture
def pw(app: Flask) -> PagesWorld:
    """The published demands and the lab's submitted response."""
    return build(app)


def test_a_respondent_registers_an_organization_and_states_its_profile(
    app: Flask, client: FlaskClient, pw: PagesWorld
) -> None:
    sign_in(client, "outsider")
    status, html = post_form(
        client, "/organizations/new", "/organizations/new", {"name": "", "kind": "university"}, **ZH
    )
    assert status == 400 and "此项为必填项" in html or "必填" in html
    status, _ = post_form(
        client,
        "/organizations/new",
        "/organizations/new",
        {"name": "Ocean Institute", "kind": "institute", "region": "Qingdao"},
    )
    assert status == 302
    with app.app_context():
        from arena import demands
        from arena.models import User

        user = db.session().query(User).filter_by(username="outsider").one()
        organization = demands.organizations_of(db.session(), user.id)[0]
    page = client.get(f"/organizations/{organization.id}/profile", headers=ZH).get_data(as_text=True)
    assert "新材料" in page and "海洋" in page
    form = {"fields": "marine", "capabilities": "Corrosion testing in a salt-spray chamber"}
    status, _ = post_form(
        client, f"/organizations/{organization.id}/profile", f"/organizations/{organization.id}/profile", form
    )
    assert status == 302
    with app.app_context():
        profile = db.session().query(RespondentProfile).filter_by(organization_id=organization.id).one()
        assert profile.fields == ["marine"] and "salt-spray" in profile.capabilities
    assert client.get(f"/organizations/{pw.lab_id}/profile").status_code == 404


def test_the_inbox_shows_matched_demands_in_both_languages(app: Flask, client: FlaskClient, pw: PagesWorld) -> None:
    with app.app_context():
        db.session().add(DemandMatch(demand_id=pw.demand_id, respondent_id=pw.firm_id, score=0.61))
        db.session().commit()
    sign_in(client, "firmcto")
    en = client.get("/demands/inbox", headers=EN).get_data(as_text=True)
    assert "Low-cost corrosion-resistant coating" in en and "Answer this demand" in en and "0.61" in en
    zh = client.get("/demands/inbox", headers=ZH).get_data(as_text=True)
    assert "Low-cost corrosion-resistant coating" in zh and "收件箱" in zh


def test_a_bad_price_is_shown_on_its_field_and_everything_typed_is_kept(
    app: Flask, client: FlaskClient, pw: PagesWorld
) -> None:
    sign_in(client, "firmcto")
    url = f"/demands/{pw.demand_id}/respond"
    form = {"respondent_id": str(pw.firm_id), "approach": "Plasma-sprayed ceramic layer", "team": "Five engineers",
            "schedule": "Nine months", "price": "一百万", "action": "submit"}  # fmt: skip
    status, zh = post_form(client, url, url, form, **ZH)
    assert status == 400
    assert 'id="error-price"' in zh and "请以整数元填写金额" in zh
    assert 'value="一百万"' in zh and "Plasma-sprayed ceramic layer" in zh
    status, en = post_form(client, url, url, form, **EN)
    assert "enter an amount in yuan as a whole number" in en
    with app.app_context():
        draft = db.session().query(DemandResponse).filter_by(respondent_id=pw.firm_id).one()
        assert draft.status == "draft" and draft.approach == "Plasma-sprayed ceramic layer" and draft.price is None
    status, _ = post_form(client, url, url, {**form, "price": "900,000"})
    assert status == 302
    with app.app_context():
        sent = db.session().query(DemandResponse).filter_by(respondent_id=pw.firm_id).one()
        assert sent.status == "submitted" and sent.price == 900000
    mine = client.get("/demand-responses/mine", headers=ZH).get_data(as_text=True)
    assert "已提交" in mine and "900,000" in mine


def test_submitting_an_incomplete_draft_names_every_missing_field(client: FlaskClient, pw: PagesWorld) -> None:
    sign_in(client, "firmcto")
    url = f"/demands/{pw.demand_id}/respond"
    status, html = post_form(
        client, url, url, {"respondent_id": str(pw.firm_id), "approach": "Idea", "action": "submit"}, **EN
    )
    assert status == 400
    for name in ("team", "schedule", "price"):
        assert f'id="error-{name}"' in html


def test_a_respondent_withdraws_its_response(app: Flask, client: FlaskClient, pw: PagesWorld) -> None:
    sign_in(client, "labhead")
    status, _ = post_form(
        client, f"/demand-responses/{pw.response_id}", f"/demand-responses/{pw.response_id}/withdraw", {}
    )
    assert status == 302
    with app.app_context():
        assert db.session().get(DemandResponse, pw.response_id).status == "withdrawn"


def test_sponsor_and_respondent_talk_in_the_thread(client: FlaskClient, pw: PagesWorld) -> None:
    url = f"/demand-responses/{pw.response_id}"
    sign_in(client, "sponsor1")
    status, html = post_form(client, url, f"{url}/messages", {"body": "  "}, **ZH)
    assert status == 400 and 'id="error-body"' in html
    assert post_form(client, url, f"{url}/messages", {"body": "Which primer thickness?"})[0] == 302
    client.post("/logout", data={})
    sign_in(client, "labhead")
    page = client.get(url, headers=EN).get_data(as_text=True)
    assert "Which primer thickness?" in page and "Sponsor" in page


@pytest.mark.parametrize("who", ["firmcto", "outsider", "reviewer1", None])
def test_nobody_else_reads_a_respondents_proposal(client: FlaskClient, pw: PagesWorld, who: str | None) -> None:
    if who:
        sign_in(client, who)
    for url in (f"/demand-responses/{pw.response_id}",):
        response = client.get(url)
        assert response.status_code == (404 if who else 302), (who, url)
    if who:
        assert client.get(f"/demands/{pw.demand_id}/compare").status_code in (403, 404)


def test_the_sponsor_of_another_demand_does_not_see_the_response(
    app: Flask, client: FlaskClient, pw: PagesWorld
) -> None:
    sign_in(client, "firmcto")
    url = f"/demands/{pw.other_demand_id}/respond"
    form = {
        "respondent_id": str(pw.firm_id),
        "approach": "x",
        "team": "y",
        "schedule": "z",
        "price": "1",
        "action": "submit",
    }
    post_form(client, url, url, form)
    # firmcto now has a response of its own, but is no sponsor: the lab's proposal stays hidden
    assert client.get(f"/demand-responses/{pw.response_id}").status_code == 404


def test_drafts_are_invisible_to_the_sponsor(app: Flask, client: FlaskClient, pw: PagesWorld) -> None:
    sign_in(client, "firmcto")
    url = f"/demands/{pw.demand_id}/respond"
    post_form(client, url, url, {"respondent_id": str(pw.firm_id), "approach": "Secret draft idea", "action": "save"})
    with app.app_context():
        draft_id = db.session().query(DemandResponse).filter_by(respondent_id=pw.firm_id).one().id
    client.post("/logout", data={})
    client.delete_cookie("session")
    sign_in(client, "sponsor1")
    assert client.get(f"/demand-responses/{draft_id}").status_code == 404
    compare = client.get(f"/demands/{pw.demand_id}/compare").get_data(as_text=True)
    assert "Secret draft idea" not in compare and "Graphene-modified zinc primer" in compare


def test_the_sponsor_compares_shortlists_and_selects_with_a_reason(
    app: Flask, client: FlaskClient, pw: PagesWorld
) -> None:
    sign_in(client, "sponsor1")
    url = f"/demands/{pw.demand_id}/compare"
    zh = client.get(url, headers=ZH).get_data(as_text=True)
    assert 'class="table-scroll"' in zh and "技术路线" in zh and "1,200,000" in zh
    assert post_form(client, url, f"/demand-responses/{pw.response_id}/shortlist", {"on": "1"})[0] == 302
    status, html = post_form(client, url, f"/demands/{pw.demand_id}/select", {f"select_{pw.response_id}": "1"}, **EN)
    assert status == 400 and f'id="error-reason_{pw.response_id}"' in html
    form = {f"select_{pw.response_id}": "1", f"reason_{pw.response_id}": "Best salt-spray results"}
    assert post_form(client, url, f"/demands/{pw.demand_id}/select", form)[0] == 302
    with app.app_context():
        chosen = db.session().get(DemandResponse, pw.response_id)
        assert chosen.status == "selected" and chosen.decision_reason == "Best salt-spray results"
    deals = f"/demands/{pw.demand_id}/deals"
    bad = {"response_id": str(pw.response_id), "kind": "development", "value": "abc", "signed_on": "2026-11-01"}
    status, html = post_form(client, deals, deals, bad, **ZH)
    assert status == 400 and 'id="error-value"' in html and 'value="abc"' in html
    assert post_form(client, deals, deals, {**bad, "value": "1100000"})[0] == 302
    page = client.get(deals, headers=ZH).get_data(as_text=True)
    assert "技术开发" in page and "1,100,000" in page


def test_the_statistics_page_shows_totals_tables_charts_and_csv(client: FlaskClient, pw: PagesWorld) -> None:
    zh = client.get("/demands/statistics?by=field", headers=ZH).get_data(as_text=True)
    assert "新材料" in zh and "<svg" in zh and 'class="table-scroll"' in zh
    en = client.get("/demands/statistics?by=period&period=quarter", headers=EN).get_data(as_text=True)
    assert "Demands published" in en and "-Q" in en
    csv = client.get("/demands/statistics?by=region&format=csv")
    assert csv.mimetype == "text/csv"
    lines = csv.get_data(as_text=True).splitlines()
    assert lines[0].startswith("region,demands_filed") and lines[1].startswith("Tianjin,2,")
    bad = client.get("/demands/statistics?start=yesterday", headers=EN)
    assert bad.status_code == 400 and "must be a date like 2026-01-01" in bad.get_data(as_text=True)


def test_the_demand_page_links_each_side_to_its_pages(pw: PagesWorld, client: FlaskClient) -> None:
    sign_in(client, "firmcto")
    page = client.get(f"/demands/{pw.demand_id}").get_data(as_text=True)
    assert f"/demands/{pw.demand_id}/respond" in page and f"/demands/{pw.demand_id}/compare" not in page
    client.post("/logout")
    sign_in(client, "sponsor1")
    page = client.get(f"/demands/{pw.demand_id}").get_data(as_text=True)
    assert f"/demands/{pw.demand_id}/compare" in page and f"/demands/{pw.demand_id}/respond" not in page
