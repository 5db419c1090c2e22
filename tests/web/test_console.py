"""The organizer console: home, audit log (page, CSV, API), queue and people, with its authorization matrix."""

from __future__ import annotations

import csv
import io

import pytest
from flask import Flask
from flask.testing import FlaskClient

from arena import accounts, audit
from arena.enums import ChallengeRoleKind
from arena.models import AuditEvent, Challenge, ChallengeRole, Submission, Team, User
from tests.web.conftest import World, api_team, csrf_from, login, make_user, token_for
from web.extensions import db

PAGES = [
    "/c/demo/manage",
    "/c/demo/manage/audit",
    "/c/demo/manage/audit.csv",
    "/c/demo/manage/queue",
    "/c/demo/manage/queue.json",
    "/c/demo/manage/people",
]


@pytest.fixture
def cast(app: Flask, world: World, client: FlaskClient) -> World:
    """An organizer, an admin, a participant with a team, a judge and the organizer of another challenge."""
    make_user(app, "org", organizer_of="demo")
    make_user(app, "root", admin=True)
    make_user(app, "pat")
    make_user(app, "jud")
    make_user(app, "other")
    api_team(client, token_for(client, "pat"), "Pat's team")
    with app.app_context():
        session = db.session()
        demo = session.query(Challenge).filter_by(slug="demo").one()
        other = Challenge(slug="other", title={"en": "Other", "zh": "其他"}, summary={}, text={})
        session.add(other)
        session.flush()
        jud = session.query(User).filter_by(username="jud").one()
        accounts.grant_role(session, demo.id, jud, ChallengeRoleKind.JUDGE)
        accounts.grant_role(
            session, other.id, session.query(User).filter_by(username="other").one(), ChallengeRoleKind.ORGANIZER
        )
        org = session.query(User).filter_by(username="org").one()
        team = session.query(Team).filter_by(challenge_id=demo.id).one()
        audit.record(
            session,
            "team.disqualified",
            actor_id=org.id,
            challenge_id=demo.id,
            target_type="team",
            target_id=team.id,
            reason="copied a public notebook",
            phase_id=world.open_phase_id,
        )
        audit.record(session, "final.locked", actor_id=org.id, challenge_id=demo.id, target_type="final", target_id=1)
        audit.record(session, "team.disqualified", actor_id=org.id, challenge_id=other.id, reason="elsewhere")
        session.commit()
    return world


@pytest.mark.parametrize("who", ["org", "root"])
def test_organizers_and_admins_read_every_console_page(client: FlaskClient, cast: World, who: str) -> None:
    login(client, who)
    for url in PAGES:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("who", ["pat", "jud", "other"])
def test_everyone_else_gets_404_on_every_console_page(client: FlaskClient, cast: World, who: str) -> None:
    login(client, who)
    for url in PAGES:
        assert client.get(url).status_code == 404, (who, url)
    headers = token_for(client, who)
    assert client.get("/api/v1/challenges/demo/audit", headers=headers).status_code == 404


def test_the_challenge_page_links_the_console_for_organizers_only(client: FlaskClient, cast: World) -> None:
    login(client, "pat")
    assert "/c/demo/manage" not in client.get("/c/demo").get_data(as_text=True)
    login(client, "org")
    assert 'href="/c/demo/manage"' in client.get("/c/demo").get_data(as_text=True)
    home = client.get("/c/demo/manage").get_data(as_text=True)
    for url in ("/c/demo/manage/audit", "/c/demo/manage/queue", "/c/demo/manage/people", "/c/demo/integrity"):
        assert f'href="{url}"' in home


def test_audit_page_filters_and_shows_reason_and_labels_in_both_languages(client: FlaskClient, cast: World) -> None:
    login(client, "org")
    page = client.get("/c/demo/manage/audit?kind=moderation&lang=en").get_data(as_text=True)
    assert "Team disqualified" in page and "copied a public notebook" in page
    assert 'data-action="final.locked"' not in page and "elsewhere" not in page
    zh = client.get("/c/demo/manage/audit?kind=finals&lang=zh-CN").get_data(as_text=True)
    assert 'data-action="final.locked"' in zh and 'data-action="team.disqualified"' not in zh
    assert "锁定决赛</td>" not in zh and "锁定决赛<div" in zh and "UTC" in zh
    by_actor = client.get("/c/demo/manage/audit?actor=pat").get_data(as_text=True)
    assert "copied a public notebook" not in by_actor
    assert "entries, newest first." in client.get("/c/demo/manage/audit?lang=en").get_data(as_text=True)


def test_audit_page_refuses_bad_filters_with_a_message(client: FlaskClient, cast: World) -> None:
    login(client, "org")
    unknown = client.get("/c/demo/manage/audit?actor=nobody&lang=en")
    assert unknown.status_code == 400 and "nobody" in unknown.get_data(as_text=True)
    bad_day = client.get("/c/demo/manage/audit?since=yesterday&lang=en")
    assert bad_day.status_code == 400 and "2026-12-03" in bad_day.get_data(as_text=True)


def test_audit_date_range_is_inclusive_of_the_last_day(client: FlaskClient, cast: World) -> None:
    login(client, "org")
    assert "No entries match" in client.get("/c/demo/manage/audit?until=2000-01-01&lang=en").get_data(as_text=True)
    assert "copied a public notebook" in client.get("/c/demo/manage/audit?since=2000-01-01").get_data(as_text=True)


def test_audit_csv_has_the_filtered_rows(client: FlaskClient, cast: World) -> None:
    login(client, "org")
    response = client.get("/c/demo/manage/audit.csv?kind=moderation&lang=en")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [r["action"] for r in rows] == ["team.disqualified"]
    assert rows[0]["reason"] == "copied a public notebook" and rows[0]["actor"] == "org"
    assert rows[0]["at_utc"].endswith("Z") and "phase id" in rows[0]["details"]


def test_audit_api_pages_newest_first_with_filters(client: FlaskClient, cast: World) -> None:
    headers = token_for(client, "org")
    body = client.get("/api/v1/challenges/demo/audit?per_page=1", headers=headers).get_json()
    assert body["total"] >= 2 and body["pages"] >= 2 and len(body["entries"]) == 1
    first = body["entries"][0]
    second = client.get("/api/v1/challenges/demo/audit?per_page=1&page=2", headers=headers).get_json()["entries"][0]
    assert (first["at"], first["id"]) > (second["at"], second["id"])
    only = client.get("/api/v1/challenges/demo/audit?action=final.locked", headers=headers).get_json()
    assert [e["action"] for e in only["entries"]] == ["final.locked"] and only["entries"][0]["kind"] == "finals"
    bad = client.get("/api/v1/challenges/demo/audit?kind=nonsense", headers=headers)
    assert bad.status_code == 400 and "moderation" in bad.get_json()["error"]["message"]


def _add(client: FlaskClient, who: str, role: str) -> str:
    token = csrf_from(client.get("/c/demo/manage/people").get_data(as_text=True))
    response = client.post(
        "/c/demo/manage/people?lang=en", data={"who": who, "role": role, "csrf_token": token}, follow_redirects=True
    )
    return response.get_data(as_text=True)


def _roles(app: Flask, username: str) -> set[str]:
    with app.app_context():
        user = db.session.query(User).filter_by(username=username).one()
        return {r.role for r in db.session.query(ChallengeRole).filter_by(user_id=user.id)}


def test_people_add_by_username_or_email_and_refuse_unknown(app: Flask, client: FlaskClient, cast: World) -> None:
    with app.app_context():
        db.session.query(User).filter_by(username="pat").one().email = "Pat@Example.org"
        db.session.commit()
    login(client, "org")
    assert "pat is now an organizer." in _add(client, "pat@example.org", "organizer")
    assert "organizer" in _roles(app, "pat")
    assert "other is now a judge." in _add(client, "other", "judge")
    assert "judge" in _roles(app, "other")
    page = _add(client, "ghost@nowhere.example", "judge")
    assert "no account has the username or e-mail address ghost@nowhere.example" in page
    with app.app_context():
        actions = [e.action for e in db.session.query(AuditEvent).filter_by(action="role.granted")]
    assert len(actions) >= 2


def test_people_remove_never_the_last_organizer(app: Flask, client: FlaskClient, cast: World) -> None:
    login(client, "org")
    with app.app_context():
        org_id = db.session.query(User).filter_by(username="org").one().id
    token = csrf_from(client.get("/c/demo/manage/people").get_data(as_text=True))
    page = client.post(
        f"/c/demo/manage/people/{org_id}/remove?lang=en",
        data={"role": "organizer", "csrf_token": token},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "org is the last organizer" in page and "organizer" in _roles(app, "org")
    _add(client, "root", "organizer")
    page = client.post(
        f"/c/demo/manage/people/{org_id}/remove?lang=en",
        data={"role": "organizer", "csrf_token": token},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "org no longer has this role." in page and "organizer" not in _roles(app, "org")
    with app.app_context():
        assert db.session.query(AuditEvent).filter_by(action="role.revoked", target_id=org_id).count() == 1


def test_queue_lists_waiting_and_failed_with_filters(app: Flask, client: FlaskClient, cast: World) -> None:
    headers = token_for(client, "pat")
    sent = client.post(
        f"/api/v1/phases/{cast.open_phase_id}/submissions",
        headers=headers,
        data={"file": (io.BytesIO(b"id,label\n1,0\n2,0\n3,0\n"), "p.csv")},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 202, sent.get_json()
    login(client, "org")
    page = client.get("/c/demo/manage/queue?lang=en").get_data(as_text=True)
    assert f"#{sent.get_json()['id']}" in page and "Pat&#39;s team" in page
    with app.app_context():
        row = db.session.get(Submission, sent.get_json()["id"])
        row.status, row.error_message, row.failure_class = "failed", "the file has no header\nmore", "invalid_file"
        db.session.commit()
    failed = client.get("/c/demo/manage/queue?status=failed&lang=en").get_data(as_text=True)
    assert "the file has no header" in failed and "more" not in failed.split("the file has no header")[1][:20]
    assert "Nothing is waiting" in client.get("/c/demo/manage/queue?status=queued&lang=en").get_data(as_text=True)
    body = client.get(f"/c/demo/manage/queue.json?phase={cast.closed_phase_id}").get_json()
    assert body["count"] == 0
