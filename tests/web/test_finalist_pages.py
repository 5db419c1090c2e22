"""The finalist's own page, the inbox and the notifications API, through HTTP."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from arena import finals
from arena.db import utcnow
from arena.models import Appeal, Finalist, User
from tests.arena.finals_world import FORMULA, build
from tests.factories import PASSWORD
from tests.web.conftest import csrf_from
from web import state
from web.extensions import db

PDF = b"%PDF-1.4\n% a report\n"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True)
class Ids:
    """The ids of the finals world (its ORM objects belong to another session)."""

    slug: str
    final_id: int
    finalist_id: int
    submission_id: int
    organizer_id: int


@pytest.fixture
def named(app: Flask, tmp_path: Path) -> Ids:
    with app.app_context():
        session = db.session()
        world = build(session, state.settings(), state.store(), tmp_path)
        finalist = finals.name_finalists(session, world.organizer, world.final.id, world.phase.id, top_n=2)[0]
        finals.update_final(session, world.organizer, world.final.id, report_max_bytes=1000)
        session.commit()
        return Ids(world.challenge.slug, world.final.id, finalist.id, world.submissions[0].id, world.organizer.id)


def _login(client: FlaskClient, username: str, lang: str = "en") -> None:
    token = csrf_from(client.get(f"/login?lang={lang}").get_data(as_text=True))
    response = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302


def _post(client: FlaskClient, path: str, data: dict[str, object], **kw: object) -> tuple[int, str]:
    match = TOKEN.search(client.get("/inbox").get_data(as_text=True))
    assert match
    token = match.group(1)
    response = client.post(path, data={"csrf_token": token, **data}, follow_redirects=True, **kw)
    return response.status_code, response.get_data(as_text=True)


def test_the_captain_completes_the_checklist_and_files_an_appeal(app: Flask, client: FlaskClient, named: Ids) -> None:
    _login(client, "cap0")
    me = f"/c/{named.slug}/final/me"
    page = client.get(me).get_data(as_text=True)
    assert "real names and institution are not confirmed by the captain" in page
    assert "Your team in the final" in client.get(f"/c/{named.slug}/final").get_data(as_text=True)
    status, page = _post(client, me + "/identity", {"real_names": "张三\n李四\n", "institution": "Tianjin University"})
    assert status == 200 and "Real names and institution confirmed." in page
    status, page = _post(client, me + "/report", {"report": (io.BytesIO(b"not a pdf"), "r.pdf")})
    assert status == 400 and "the technical report must be a PDF file" in page
    assert 'value="Tianjin University"' in page  # what was confirmed is still there
    status, page = _post(client, me + "/report", {"report": (io.BytesIO(b"%PDF-" + b"x" * 2000), "big.pdf")})
    assert status == 413 and "larger than 1000 bytes" in page
    status, page = _post(client, me + "/report", {"report": (io.BytesIO(PDF), "report.pdf")})
    assert status == 200 and "Technical report uploaded." in page
    status, page = _post(client, me + "/submission", {"submission_id": str(named.submission_id)})
    assert status == 200 and "no code submission is selected" not in page
    status, page = _post(client, me + "/appeals", {"text": "the organizer's B board used the wrong key"})
    assert status == 200 and "Not answered yet." in page
    with app.app_context():
        finalist = db.session.get(Finalist, named.finalist_id)
        assert finalist is not None and finalist.real_names == ["张三", "李四"] and finalist.report_size == len(PDF)
        appeal = db.session.query(Appeal).one()
        organizer = db.session.get(User, named.organizer_id)
        assert organizer is not None
        finals.answer_appeal(db.session(), organizer, appeal.id, "checked: the key was right")
        db.session.commit()
    page = client.get(me).get_data(as_text=True)
    assert "checked: the key was right" in page
    inbox = client.get("/inbox").get_data(as_text=True)
    assert "Your appeal to the final Final has an answer" in inbox and "Your team team0 is a finalist" in inbox
    assert 'class="inbox-link"' in inbox and ">2</span>" in inbox


def test_members_read_only_and_deadlines_close_the_forms(app: Flask, client: FlaskClient, named: Ids) -> None:
    with app.app_context():
        organizer = db.session.get(User, named.organizer_id)
        assert organizer is not None
        past = utcnow() - timedelta(minutes=1)
        finals.update_final(db.session(), organizer, named.final_id, materials_due_at=past, appeal_deadline=past)
        db.session.commit()
    _login(client, "cap0", "zh_CN")
    me = f"/c/{named.slug}/final/me"
    page = client.get(me).get_data(as_text=True)
    assert "材料提交已截止" in page or "材料" in page
    assert 'name="real_names"' not in page and 'name="text"' not in page
    status, page = _post(client, me + "/identity", {"real_names": "张三", "institution": "TJU"})
    assert status == 409
    _post(client, "/logout", {})
    _login(client, "cap2")
    assert client.get(me).status_code == 404  # not a finalist's member


def test_the_captain_withdraws_after_confirming_and_the_next_team_moves_up(
    app: Flask, client: FlaskClient, named: Ids
) -> None:
    _login(client, "cap0")
    me = f"/c/{named.slug}/final/me"
    status, page = _post(client, me + "/withdraw", {"reason": "we cannot travel"})
    assert status == 400 and "tick the box" in page
    status, page = _post(client, me + "/withdraw", {"reason": "we cannot travel", "confirm": "yes"})
    assert status == 200 and "the next team moves up" in page
    with app.app_context():
        statuses = {f.team_id: f.status for f in db.session.query(Finalist)}
        assert sorted(statuses.values()) == ["declined", "named", "substitute"]


def test_the_formula_history_is_public_and_the_api_lists_and_marks_notifications(
    app: Flask, client: FlaskClient, named: Ids
) -> None:
    with app.app_context():
        organizer = db.session.get(User, named.organizer_id)
        assert organizer is not None
        changed = {**FORMULA, "weights": {"online": 0.5, "judges": 0.4, "reproduction": 0.1}}
        finals.update_final(db.session(), organizer, named.final_id, formula=changed, reason="sponsor's request")
        db.session.commit()
    page = client.get(f"/c/{named.slug}/final").get_data(as_text=True)
    assert "Changes to the formula" in page and "sponsor&#39;s request" in page
    response = client.post("/api/v1/tokens", json={"username": "cap0", "password": PASSWORD})
    headers = {"Authorization": f"Bearer {response.get_json()['token']}"}
    listing = client.get("/api/v1/me/notifications", headers=headers).get_json()
    assert listing["unread"] == 2
    kinds = [n["kind"] for n in listing["notifications"]]
    assert kinds == ["final.formula_changed", "final.finalist_named"]
    assert listing["notifications"][0]["subject"] == "The formula of the final Final changed"
    assert listing["notifications"][0]["created_at"].endswith("Z")
    first = listing["notifications"][1]["id"]
    marked = client.post("/api/v1/me/notifications/read", json={"ids": [first]}, headers=headers).get_json()
    assert marked == {"marked": 1, "unread": 1}
    bad = client.post("/api/v1/me/notifications/read", json={"ids": "all"}, headers=headers)
    assert bad.status_code == 400
    assert client.post("/api/v1/me/notifications/read", json={}, headers=headers).get_json()["unread"] == 0
    assert client.get("/api/v1/me/notifications").status_code == 401
    appeals = client.get(f"/api/v1/finalists/{named.finalist_id}/appeals", headers=headers)
    assert appeals.status_code == 200 and appeals.get_json() == {"appeals": []}
