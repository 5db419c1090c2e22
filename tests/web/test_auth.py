"""Registration, login, CSRF on forms and token authentication."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from arena.accounts import passwords
from arena.accounts import users as accounts
from arena.models import ApiToken, User
from tests.web.conftest import PASSWORD, csrf_from, login, make_user, token_for
from web.extensions import db


def test_register_hashes_the_password_and_logs_in(app: Flask, client: FlaskClient) -> None:
    token = csrf_from(client.get("/register").get_data(as_text=True))
    response = client.post(
        "/register",
        data={
            "username": "carol",
            "password": PASSWORD,
            "confirm": PASSWORD,
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    with app.app_context():
        user = db.session.query(User).filter_by(username="carol").one()
        assert PASSWORD not in user.password_hash and user.password_hash.startswith("scrypt$")
    assert "carol" in client.get("/profile").get_data(as_text=True)


def test_register_shows_domain_errors_next_to_the_field(client: FlaskClient) -> None:
    token = csrf_from(client.get("/register").get_data(as_text=True))
    response = client.post(
        "/register",
        data={
            "username": "bad name!",
            "password": PASSWORD,
            "confirm": PASSWORD,
            "csrf_token": token,
        },
    )
    assert response.status_code == 400
    assert "username must be" in response.get_data(as_text=True)


def test_forms_without_csrf_token_are_rejected(app: Flask, client: FlaskClient) -> None:
    make_user(app, "dave")
    response = client.post("/login", data={"username": "dave", "password": PASSWORD})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)


def test_wrong_password_is_rejected(app: Flask, client: FlaskClient) -> None:
    make_user(app, "erin")
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"username": "erin", "password": "nope-nope", "csrf_token": token})
    assert response.status_code == 401


def test_logout_needs_a_post_with_csrf(app: Flask, client: FlaskClient) -> None:
    make_user(app, "fay")
    login(client, "fay")
    assert client.get("/logout").status_code == 405
    client.post("/logout", data={})
    assert client.get("/profile").status_code == 200
    token = csrf_from(client.get("/tokens").get_data(as_text=True))
    client.post("/logout", data={"csrf_token": token})
    assert client.get("/profile").status_code == 302


def test_token_auth_and_tokens_stored_hashed(app: Flask, client: FlaskClient) -> None:
    make_user(app, "gus")
    headers = token_for(client, "gus")
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 200 and response.get_json()["username"] == "gus"
    raw = headers["Authorization"].split()[1]
    with app.app_context():
        stored = db.session.query(ApiToken).one()
        assert stored.token_hash != raw and raw not in stored.token_hash


def test_bad_token_is_401(client: FlaskClient) -> None:
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer arena_nope"})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthenticated"
    assert client.get("/api/v1/me", headers={"Authorization": "Basic abc"}).status_code == 401
    assert client.get("/api/v1/me").status_code == 401


def test_api_ignores_session_cookies(app: Flask, client: FlaskClient) -> None:
    make_user(app, "hal")
    login(client, "hal")
    assert client.get("/api/v1/me").status_code == 401


def test_token_page_shows_token_once_and_revokes(app: Flask, client: FlaskClient) -> None:
    make_user(app, "ida")
    login(client, "ida")
    token = csrf_from(client.get("/tokens").get_data(as_text=True))
    page = client.post("/tokens", data={"name": "laptop", "csrf_token": token}).get_data(as_text=True)
    raw = page.split('<pre class="token">')[1].split("</pre>")[0]
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 200
    assert raw not in client.get("/tokens").get_data(as_text=True)
    client.post("/tokens/revoke", data={"csrf_token": token})
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 401


def test_profile_sets_zone_and_language(app: Flask, client: FlaskClient) -> None:
    make_user(app, "jo")
    login(client, "jo")
    token = csrf_from(client.get("/profile").get_data(as_text=True))
    bad = client.post("/profile", data={"timezone": "Mars/Base", "locale": "", "csrf_token": token})
    assert bad.status_code == 400
    ok = client.post("/profile", data={"timezone": "Europe/Berlin", "locale": "zh_CN", "csrf_token": token})
    assert ok.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "Europe/Berlin" in page and 'lang="zh-CN"' in page


def test_login_redirect_stays_on_site(app: Flask, client: FlaskClient) -> None:
    make_user(app, "kim")
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login?next=//evil.example/x", data={"username": "kim", "password": PASSWORD, "csrf_token": token}
    )
    assert response.headers["Location"] == "/"


def test_token_requests_verify_a_hash_whether_or_not_the_user_exists(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_user(app, "lee")
    verified: list[str] = []

    def recording_verify(password: str, stored: str) -> bool:
        verified.append(stored)
        return passwords.verify_password(password, stored)

    monkeypatch.setattr(accounts, "verify_password", recording_verify)
    for username in ("lee", "no-such-user"):
        response = client.post("/api/v1/tokens", json={"username": username, "password": "wrong-password"})
        assert response.status_code == 401 and response.get_json()["error"]["message"] == "wrong username or password"
    assert len(verified) == 2 and all(stored.startswith("scrypt$") for stored in verified)
    assert verified[0] != verified[1]


def test_registration_refuses_weak_passwords_with_a_reason(client: FlaskClient) -> None:
    token = csrf_from(client.get("/register").get_data(as_text=True))
    for password, reason in [("12345678", "consecutive"), ("mona-lisa", "username"), ("password1", "common")]:
        form = {"username": "mona-lisa", "password": password, "confirm": password, "csrf_token": token}
        response = client.post("/register", data=form)
        assert response.status_code == 400 and reason in response.get_data(as_text=True)
