"""Failed logins, token requests, password changes and registrations are rate limited in Redis, with Retry-After."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from arena.settings import Settings
from tests.web.conftest import PASSWORD, csrf_from, login, make_user
from web import create_app
from web.extensions import db


@pytest.fixture
def strict_app(app: Flask, settings: Settings) -> Iterator[Flask]:
    """An app on the same database with low limits: 3 failures per account, 5 per address, 2 registrations."""
    flask_app = create_app(
        settings.with_overrides(
            login_limit_account="3 per minute",
            login_limit_address="5 per minute",
            register_limit_address="2 per hour",
        )
    )
    yield flask_app
    with flask_app.app_context():
        db.engine.dispose()


def _client(app: Flask, address: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _login(client: FlaskClient, username: str, password: str, lang: str = "en") -> int:
    token = csrf_from(client.get(f"/login?lang={lang}").get_data(as_text=True))
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token}).status_code


def test_failed_logins_lock_the_account_with_retry_after(strict_app: Flask) -> None:
    make_user(strict_app, "quin")
    attacker = _client(strict_app, "10.0.0.1")
    assert [_login(attacker, "quin", f"wrong-{i}-password") for i in range(3)] == [401, 401, 401]
    token = csrf_from(attacker.get("/login").get_data(as_text=True))
    locked = attacker.post("/login", data={"username": "quin", "password": PASSWORD, "csrf_token": token})
    assert locked.status_code == 429
    assert 1 <= int(locked.headers["Retry-After"]) <= 60
    assert "Too many attempts" in locked.get_data(as_text=True)
    # The account is locked from another address too, and the API shares the account's count.
    elsewhere = _client(strict_app, "10.0.0.2")
    assert _login(elsewhere, "QUIN ", PASSWORD) == 429
    api = elsewhere.post("/api/v1/tokens", json={"username": "quin", "password": PASSWORD})
    assert api.status_code == 429
    assert api.get_json()["error"]["code"] == "rate_limited" and int(api.headers["Retry-After"]) >= 1
    assert "wait" in api.get_json()["error"]["message"]
    # Other accounts are not affected.
    make_user(strict_app, "rex")
    assert _login(elsewhere, "rex", PASSWORD) == 302


def test_successful_logins_are_not_counted(strict_app: Flask) -> None:
    make_user(strict_app, "sol")
    client = _client(strict_app, "10.0.0.3")
    assert all(_login(client, "sol", PASSWORD) == 302 for _ in range(6))


def test_failed_attempts_per_address_are_limited_across_accounts(strict_app: Flask) -> None:
    client = _client(strict_app, "10.0.0.4")
    answers = [
        client.post("/api/v1/tokens", json={"username": f"user{i}", "password": "wrong-password"}).status_code
        for i in range(6)
    ]
    assert answers == [401] * 5 + [429]
    assert (
        _client(strict_app, "10.0.0.5")
        .post("/api/v1/tokens", json={"username": "user9", "password": "wrong-password"})
        .status_code
        == 401
    )


def test_the_limit_page_is_translated(strict_app: Flask) -> None:
    client = _client(strict_app, "10.0.0.6")
    for _ in range(3):
        _login(client, "tom", "wrong-password", lang="zh_CN")
    token = csrf_from(client.get("/login?lang=zh_CN").get_data(as_text=True))
    page = client.post("/login", data={"username": "tom", "password": "x", "csrf_token": token})
    assert page.status_code == 429
    assert "尝试次数过多" in page.get_data(as_text=True)


def test_password_change_attempts_are_limited(strict_app: Flask) -> None:
    make_user(strict_app, "uma")
    client = _client(strict_app, "10.0.0.7")
    login(client, "uma")
    token = csrf_from(client.get("/password").get_data(as_text=True))
    form = {"current": "wrong-password", "password": "a-new-passphrase", "confirm": "a-new-passphrase"}
    answers = [client.post("/password", data={**form, "csrf_token": token}).status_code for _ in range(4)]
    assert answers == [401, 401, 401, 429]


def test_registrations_are_limited_per_address(strict_app: Flask) -> None:
    client = _client(strict_app, "10.0.0.8")

    def register(name: str) -> int:
        token = csrf_from(client.get("/register").get_data(as_text=True))
        form = {"username": name, "password": PASSWORD, "confirm": PASSWORD, "csrf_token": token}
        status = client.post("/register", data=form).status_code
        client.post("/logout", data={"csrf_token": csrf_from(client.get("/register").get_data(as_text=True))})
        return status

    assert [register(name) for name in ("vic", "wes", "xia")] == [302, 302, 429]


def test_logins_work_when_the_limits_redis_is_down(app: Flask, settings: Settings) -> None:
    flask_app = create_app(settings.with_overrides(limits_redis_url="redis://127.0.0.1:1/0"))
    make_user(flask_app, "yan")
    client = _client(flask_app, "10.0.0.9")
    assert _login(client, "yan", "wrong-password") == 401
    assert _login(client, "yan", PASSWORD) == 302
