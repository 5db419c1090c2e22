"""Pages of technical demands: the public list, a demand's page, the sponsor's forms, review and role grants."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from arena import demands
from arena.db import utcnow
from arena.enums import SiteRoleKind
from arena.errors import InvalidInput
from arena.models import Challenge, Demand, User
from tests.arena.demands_world import FORM, build_demands_world, published_demand
from tests.factories import PASSWORD
from tests.web.conftest import csrf_from
from web.extensions import db

PEOPLE = ("anonymous", "outsider", "respondent", "sponsor", "broker", "reviewer")
USERNAMES = {
    "outsider": "outsider",
    "respondent": "labhead",
    "sponsor": "sponsor1",
    "broker": "broker1",
    "reviewer": "reviewer1",
    "admin": "siteadmin",
}
SECRET = "Confidential splash-zone failure data"


@dataclass(frozen=True)
class Demands:
    """Ids of one demand in each state the matrix covers."""

    draft: int
    in_review: int
    published: int
    confidential: int
    sponsor_id: int


@pytest.fixture
def world(app: Flask) -> Demands:
    """The demands world with a draft, a demand in review, a published one and a confidential published one."""
    with app.app_context():
        session = db.session()
        people = build_demands_world(session)
        deadline = (utcnow() + timedelta(days=30)).date().isoformat()
        draft = demands.save_draft(
            session, people.sponsor_user, dict(FORM, title="Draft coating"), sponsor_id=people.sponsor.id
        )
        reviewed = demands.save_draft(
            session,
            people.sponsor_user,
            dict(FORM, title="Coating in review", deadline=deadline),
            sponsor_id=people.sponsor.id,
        )
        demands.submit_demand(session, people.sponsor_user, reviewed.demand.id)
        demands.start_review(session, people.reviewer, reviewed.demand.id)
        session.commit()
        public = published_demand(session, people, title="Published coating")
        secret = published_demand(
            session,
            people,
            title="Secret coating",
            problem=SECRET,
            confidential="on",
            terms="Do not share the data.",
        )
        return Demands(draft.demand.id, reviewed.demand.id, public.id, secret.id, people.sponsor.id)


def client_for(app: Flask, who: str) -> FlaskClient:
    """A client logged in as one of the world's people (or anonymous)."""
    client = app.test_client()
    if who != "anonymous":
        token = csrf_from(client.get("/login").get_data(as_text=True))
        sent = client.post("/login", data={"username": USERNAMES[who], "password": PASSWORD, "csrf_token": token})
        assert sent.status_code == 302, sent.get_data(as_text=True)
    return client


def _input_value(html: str, name: str) -> str:
    match = re.search(rf'<input id="{name}" name="{name}" value="([^"]*)"', html)
    assert match, f"no input {name}"
    return match.group(1)


def test_every_page_renders_in_both_languages(app: Flask, world: Demands) -> None:
    sponsor, reviewer, admin = client_for(app, "sponsor"), client_for(app, "reviewer"), client_for(app, "admin")
    pages = [
        (sponsor, "/demands", "Technical demands", "技术需求"),
        (sponsor, f"/demands/{world.published}", "Published coating", "预算"),
        (sponsor, "/demands/mine", "My demands", "我的需求"),
        (sponsor, "/demands/new", "File a demand", "发布需求"),
        (sponsor, f"/demands/{world.draft}/edit", "Save the draft", "保存草稿"),
        (sponsor, "/demands/organizations/new", "Register an enterprise", "登记企业"),
        (reviewer, "/demands/review", "Review queue", "审核队列"),
        (reviewer, f"/demands/{world.in_review}/review", "Checklist", "审核清单"),
        (admin, "/demands/roles", "Reviewers and brokers", "审核员与技术经纪人"),
    ]
    for client, path, english, chinese in pages:
        en = client.get(f"{path}?lang=en")
        zh = client.get(f"{path}?lang=zh-CN")
        assert en.status_code == 200 and zh.status_code == 200, path
        assert english in en.get_data(as_text=True), path
        assert chinese in zh.get_data(as_text=True), path
    # The list names each field in the viewer's language and shows the deadline in the viewer's zone and UTC.
    zh_list = sponsor.get("/demands?lang=zh-CN").get_data(as_text=True)
    assert "新材料" in zh_list and "UTC" in zh_list and "Asia/Shanghai" in zh_list
    assert ">需求</a>" in zh_list and ">Demands</a>" in sponsor.get("/demands?lang=en").get_data(as_text=True)


def _status(client: FlaskClient, path: str) -> int:
    return client.get(path).status_code


@pytest.mark.parametrize("who", PEOPLE)
def test_who_sees_which_demand(app: Flask, world: Demands, who: str) -> None:
    client = client_for(app, who)
    sees_draft = who == "sponsor"
    sees_review = who in {"sponsor", "reviewer"}
    assert _status(client, f"/demands/{world.draft}") == (200 if sees_draft else 404)
    assert _status(client, f"/demands/{world.in_review}") == (200 if sees_review else 404)
    assert _status(client, f"/demands/{world.published}") == 200
    assert _status(client, f"/demands/{world.confidential}") == 200
    assert _status(client, f"/demands/{world.in_review}/review") == (200 if who == "reviewer" else 404)
    assert _status(client, "/demands/review") == (200 if who == "reviewer" else 404)
    assert _status(client, "/demands/roles") == 404
    edit = _status(client, f"/demands/{world.draft}/edit")
    assert edit == {"anonymous": 401, "sponsor": 200}.get(who, 404)
    listed = client.get("/demands?lang=en").get_data(as_text=True)
    assert "Published coating" in listed and "Secret coating" in listed
    assert "Draft coating" not in listed and "Coating in review" not in listed
    mine = client.get("/demands/mine?lang=en")
    if who == "anonymous":
        assert mine.status_code == 401
    else:
        assert ("Draft coating" in mine.get_data(as_text=True)) == sees_draft
    # History only for the sponsor and the reviewers.
    page = client.get(f"/demands/{world.published}?lang=en").get_data(as_text=True)
    assert ('id="history"' in page) == (who in {"sponsor", "reviewer"})


@pytest.mark.parametrize("who", PEOPLE)
def test_confidential_details_only_after_accepting_the_terms(app: Flask, world: Demands, who: str) -> None:
    client = client_for(app, who)
    path = f"/demands/{world.confidential}?lang=en"
    page = client.get(path).get_data(as_text=True)
    insider = who in {"sponsor", "reviewer"}
    assert (SECRET in page) == insider
    assert "A coating that keeps steel free of rust" in page  # the public summary, for all
    if insider:
        return
    assert 'id="accept-terms"' in page if who != "anonymous" else "Log in" in page
    if who == "anonymous":
        assert client.post(f"/demands/{world.confidential}/terms").status_code == 400  # no CSRF token, no session
        return
    accepted = client.post(f"/demands/{world.confidential}/terms", data={"csrf_token": csrf_from(page)})
    assert accepted.status_code == 302
    assert SECRET in client.get(path).get_data(as_text=True)
    # The acceptance is this user's own: someone else still sees only the summary.
    assert SECRET not in client_for(app, "anonymous").get(path).get_data(as_text=True)


def test_search_filters_and_keeps_bad_input(app: Flask, world: Demands) -> None:
    client = client_for(app, "anonymous")
    found = client.get("/demands?q=published&lang=en").get_data(as_text=True)
    assert "Published coating" in found and "Secret coating" not in found
    assert "Published coating" not in client.get("/demands?field=food").get_data(as_text=True)
    assert "Published coating" in client.get("/demands?budget=1000000&open=on").get_data(as_text=True)
    assert "Published coating" not in client.get("/demands?budget=9000000").get_data(as_text=True)
    assert "Published coating" not in client.get("/demands?after=2999-01-01").get_data(as_text=True)
    bad = client.get("/demands?budget=lots&after=soon&lang=zh-CN")
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "请以整数元填写金额" in html
    assert _input_value(html, "budget") == "lots" and _input_value(html, "after") == "soon"


def _form(client: FlaskClient, path: str, **changes: str) -> dict[str, object]:
    token = csrf_from(client.get(path).get_data(as_text=True))
    return {"csrf_token": token, "confidential": "", **FORM, **changes}


def test_sponsor_files_fixes_submits_and_the_reviewer_publishes(app: Flask, world: Demands) -> None:
    sponsor = client_for(app, "sponsor")
    deadline = (utcnow() + timedelta(days=40)).date().isoformat()
    data = _form(
        sponsor,
        "/demands/new",
        title="Sensor for salt fog",
        budget_min="lots",
        deadline=deadline,
        sponsor_id=str(world.sponsor_id),
        action="submit",
    )
    bad = sponsor.post("/demands/new?lang=en", data=data)
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert 'id="error-budget_min"' in html and "enter an amount in yuan as a whole number" in html
    assert _input_value(html, "budget_min") == "lots" and _input_value(html, "title") == "Sensor for salt fog"
    with app.app_context():
        draft = db.session.query(Demand).filter_by(title="Sensor for salt fog").one()
        assert draft.status == "draft" and draft.budget_min is None and draft.budget_max == 2_000_000
        demand_id = draft.id
    # A wrong-type attachment is refused on its field; the other fields are kept.
    wrong = _form(sponsor, f"/demands/{demand_id}/edit", title="Sensor for salt fog", deadline=deadline)
    wrong["attachment"] = (io.BytesIO(b"MZ\x90\x00 not a pdf"), "tool.exe")
    refused = sponsor.post(f"/demands/{demand_id}/edit?lang=en", data=wrong, content_type="multipart/form-data")
    assert refused.status_code == 400 and 'id="error-attachment"' in refused.get_data(as_text=True)
    fixed = _form(sponsor, f"/demands/{demand_id}/edit", title="Sensor for salt fog", deadline=deadline)
    fixed["attachment"] = (io.BytesIO(b"%PDF-1.4 drawing"), "drawing.pdf")
    fixed["action"] = "submit"
    sent = sponsor.post(f"/demands/{demand_id}/edit", data=fixed, content_type="multipart/form-data")
    assert sent.status_code == 302, sent.get_data(as_text=True)

    reviewer = client_for(app, "reviewer")
    queue = reviewer.get("/demands/review?lang=en").get_data(as_text=True)
    assert "Sensor for salt fog" in queue
    page = reviewer.get(f"/demands/{demand_id}/review").get_data(as_text=True)
    token = csrf_from(page)
    assert reviewer.post(f"/demands/{demand_id}/review/start", data={"csrf_token": token}).status_code == 302
    unchecked = reviewer.post(
        f"/demands/{demand_id}/review/approve?lang=en", data={"csrf_token": token, "check_authentic": "on"}
    )
    assert unchecked.status_code == 400 and "every checklist item must hold" in unchecked.get_data(as_text=True)
    assert 'name="check_authentic" checked' in unchecked.get_data(as_text=True)
    no_reason = reviewer.post(f"/demands/{demand_id}/review/reject?lang=en", data={"csrf_token": token})
    assert no_reason.status_code == 400 and "say why the demand is rejected" in no_reason.get_data(as_text=True)
    checks = {f"check_{key}": "on" for key in demands.CHECKLIST}
    approved = reviewer.post(f"/demands/{demand_id}/review/approve", data={"csrf_token": token, **checks})
    assert approved.status_code == 302
    assert reviewer.post(f"/demands/{demand_id}/review/publish", data={"csrf_token": token}).status_code == 302
    listed = client_for(app, "anonymous").get("/demands?lang=en").get_data(as_text=True)
    assert "Sensor for salt fog" in listed
    public = client_for(app, "anonymous").get(f"/demands/{demand_id}?lang=en").get_data(as_text=True)
    assert "drawing.pdf" in public and 'id="history"' not in public
    own = sponsor.get(f"/demands/{demand_id}?lang=en").get_data(as_text=True)
    assert 'id="history"' in own and "published" in own


def test_submit_names_every_missing_field_and_withdraw_needs_a_reason(app: Flask, world: Demands) -> None:
    sponsor = client_for(app, "sponsor")
    data = _form(sponsor, f"/demands/{world.draft}/edit", summary="", indicators="", action="submit")
    refused = sponsor.post(f"/demands/{world.draft}/edit?lang=zh-CN", data=data)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400
    for name in ("summary", "indicators", "deadline"):
        assert f'id="error-{name}"' in html, name
    assert "此项必填" in html and _input_value(html, "title") == FORM["title"]
    page = sponsor.get(f"/demands/{world.draft}?lang=en").get_data(as_text=True)
    token = csrf_from(page)
    empty = sponsor.post(f"/demands/{world.draft}/withdraw?lang=en", data={"csrf_token": token, "reason": "  "})
    assert empty.status_code == 400 and "say why the demand is withdrawn" in empty.get_data(as_text=True)
    done = sponsor.post(f"/demands/{world.draft}/withdraw", data={"csrf_token": token, "reason": "merged"})
    assert done.status_code == 302
    assert "withdrawn" in sponsor.get(f"/demands/{world.draft}?lang=en").get_data(as_text=True)
    # Someone else cannot withdraw it: the demand does not exist for them.
    outsider = client_for(app, "outsider")
    token = csrf_from(outsider.get(f"/demands/{world.confidential}").get_data(as_text=True))
    assert (
        outsider.post(f"/demands/{world.published}/withdraw", data={"csrf_token": token, "reason": "x"}).status_code
        == 403
    )


def test_organizations_brokers_and_roles(app: Flask, world: Demands) -> None:
    outsider = client_for(app, "outsider")
    assert "Register your enterprise first" in outsider.get("/demands/new?lang=en").get_data(as_text=True)
    token = csrf_from(outsider.get("/demands/organizations/new").get_data(as_text=True))
    bad = outsider.post(
        "/demands/organizations/new?lang=en",
        data={"csrf_token": token, "name": "Bohai Steel Ltd.", "contact_email": "nope", "region": "Hebei"},
    )
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400 and 'id="error-contact_email"' in html and 'id="error-name"' in html
    assert _input_value(html, "region") == "Hebei"
    good = outsider.post(
        "/demands/organizations/new",
        data={"csrf_token": token, "name": "Tianjin Pumps", "contact_name": "Wang", "contact_email": "w@p.example"},
    )
    assert good.status_code == 302 and "Tianjin Pumps" in outsider.get("/demands/new").get_data(as_text=True)
    # A broker may file for any enterprise, and sees the demand it filed as its own.
    broker = client_for(app, "broker")
    form = broker.get("/demands/new").get_data(as_text=True)
    assert "Bohai Steel Ltd." in form and "Tianjin Pumps" in form
    data = _form(broker, "/demands/new", title="Brokered pump seal", sponsor_id=str(world.sponsor_id))
    assert broker.post("/demands/new", data=data).status_code == 302
    assert "Brokered pump seal" in broker.get("/demands/mine").get_data(as_text=True)
    assert "Brokered pump seal" in client_for(app, "sponsor").get("/demands/mine").get_data(as_text=True)
    # The site admin grants roles; an unknown user is named on the field.
    admin = client_for(app, "admin")
    token = csrf_from(admin.get("/demands/roles").get_data(as_text=True))
    unknown = admin.post("/demands/roles?lang=en", data={"csrf_token": token, "username": "ghost", "role": "broker"})
    assert unknown.status_code == 400 and "no user has the username ghost" in unknown.get_data(as_text=True)
    granted = admin.post("/demands/roles", data={"csrf_token": token, "username": "outsider", "role": "reviewer"})
    assert granted.status_code == 302
    assert client_for(app, "outsider").get("/demands/review").status_code == 200


def test_changes_requested_go_back_to_the_sponsor(app: Flask, world: Demands) -> None:
    reviewer = client_for(app, "reviewer")
    path = f"/demands/{world.in_review}/review"
    token = csrf_from(reviewer.get(path).get_data(as_text=True))
    empty = reviewer.post(f"{path}/changes?lang=en", data={"csrf_token": token, "comment": " "})
    assert empty.status_code == 400 and "tell the sponsor what to change" in empty.get_data(as_text=True)
    sent = reviewer.post(f"{path}/changes", data={"csrf_token": token, "comment": "State the salt-spray hours."})
    assert sent.status_code == 302
    # The queue no longer holds it; starting the review again is refused on the page, not with a crash.
    assert "Coating in review" not in reviewer.get("/demands/review").get_data(as_text=True)
    again = reviewer.post(f"{path}/start?lang=en", data={"csrf_token": token})
    assert again.status_code == 409 and "a demand cannot go from" in again.get_data(as_text=True)
    sponsor = client_for(app, "sponsor")
    page = sponsor.get(f"/demands/{world.in_review}?lang=en").get_data(as_text=True)
    assert "State the salt-spray hours." in page and 'id="edit-demand"' in page
    data = _form(sponsor, f"/demands/{world.in_review}/edit", title="Coating in review", action="submit")
    data["deadline"] = (utcnow() + timedelta(days=20)).date().isoformat()
    assert sponsor.post(f"/demands/{world.in_review}/edit", data=data).status_code == 302
    assert "Coating in review" in reviewer.get("/demands/review").get_data(as_text=True)


def test_a_demand_links_to_its_challenge(app: Flask, world: Demands) -> None:
    with app.app_context():
        challenge = Challenge(slug="salt-fog", title={"en": "Salt-fog challenge", "zh": "盐雾挑战赛"})
        db.session.add(challenge)
        db.session.flush()
        demand = db.session.get(Demand, world.published)
        assert demand is not None
        demand.challenge_id = challenge.id
        db.session.commit()
    page = client_for(app, "anonymous").get(f"/demands/{world.published}?lang=zh-CN").get_data(as_text=True)
    assert 'id="demand-challenge"' in page and 'href="/c/salt-fog"' in page and "盐雾挑战赛" in page
    assert 'id="demand-actions"' in page


def test_the_roles_page_grants_only_the_demand_roles(app: Flask, world: Demands) -> None:
    admin = client_for(app, "admin")
    page = admin.get("/demands/roles?lang=en").get_data(as_text=True)
    assert 'value="reviewer"' in page and 'value="broker"' in page and 'value="creator"' not in page
    sent = admin.post(
        "/demands/roles?lang=en",
        data={"username": USERNAMES["sponsor"], "role": "creator", "csrf_token": csrf_from(page)},
    )
    assert sent.status_code == 400 and "choose one of the listed values" in sent.get_data(as_text=True)
    with app.app_context():
        admin_user = db.session.scalar(select(User).where(User.username == USERNAMES["admin"]))
        assert admin_user is not None
        with pytest.raises(InvalidInput, match="creators are granted on the creators page"):
            demands.grant_site_role(db.session(), admin_user, USERNAMES["sponsor"], SiteRoleKind.CREATOR)
