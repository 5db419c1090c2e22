"""Sessions end on the server: logout, password change and sign-out everywhere; lifetime; HTTPS cookies."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import TimestampSigner

from arena.settings import Settings
from tests.web.conftest import PASSWORD, World, csrf_from, login, make_user
from web import create_app
from web.app import MissingSecretKey
from web.auth.identity import LOGIN_AT_KEY
from web.cli import main
from web.demo import demo_secret_key

NEW_PASSWORD = "a-brand-new-passphrase"


def _copy_session(app: Flask, client: FlaskClient) -> FlaskClient:
    """Return a second browser holding a copy of ``client``'s session cookie."""
    cookie = client.get_cookie("session")
    assert cookie is not None
    other = app.test_client()
    other.set_cookie("session", cookie.value)
    return other


def _asks_to_log_in(client: FlaskClient) -> bool:
    response = client.get("/profile")
    return response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_a_copied_cookie_stops_working_after_logout(app: Flask, client: FlaskClient) -> None:
    make_user(app, "lou")
    login(client, "lou")
    copy = _copy_session(app, client)
    assert copy.get("/profile").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/tokens").get_data(as_text=True))})
    assert _asks_to_log_in(copy)
    assert _asks_to_log_in(client)


def test_password_change_signs_out_other_browsers_but_not_this_one(app: Flask, client: FlaskClient) -> None:
    make_user(app, "max")
    login(client, "max")
    copy = _copy_session(app, client)
    token = csrf_from(client.get("/password").get_data(as_text=True))
    wrong = client.post(
        "/password",
        data={"current": "not-it-at-all", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "csrf_token": token},
    )
    assert wrong.status_code == 401 and "current password is wrong" in wrong.get_data(as_text=True)
    weak = client.post(
        "/password", data={"current": PASSWORD, "password": "12345678", "confirm": "12345678", "csrf_token": token}
    )
    assert weak.status_code == 400 and "consecutive" in weak.get_data(as_text=True)
    changed = client.post(
        "/password", data={"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "csrf_token": token}
    )
    assert changed.status_code == 302
    assert client.get("/profile").status_code == 200
    assert _asks_to_log_in(copy)
    relogin = app.test_client()
    token = csrf_from(relogin.get("/login").get_data(as_text=True))
    assert (
        relogin.post("/login", data={"username": "max", "password": NEW_PASSWORD, "csrf_token": token}).status_code
        == 302
    )


def test_admin_signs_a_user_out_everywhere_from_the_command_line(
    app: Flask, client: FlaskClient, settings: Settings
) -> None:
    make_user(app, "ned")
    login(client, "ned")
    result = CliRunner().invoke(main, ["users", "sign-out", "ned"], obj=settings)
    assert result.exit_code == 0, result.output
    assert _asks_to_log_in(client)
    assert CliRunner().invoke(main, ["users", "sign-out", "nobody"], obj=settings).exit_code == 1


def test_a_session_ends_after_its_lifetime(app: Flask, client: FlaskClient, settings: Settings) -> None:
    make_user(app, "oda")
    login(client, "oda")
    assert client.get("/profile").status_code == 200
    with client.session_transaction() as cookie_session:
        assert cookie_session.permanent
        cookie_session[LOGIN_AT_KEY] = int(time.time()) - settings.session_lifetime_hours * 3600 - 1
    assert _asks_to_log_in(client)


def test_a_session_ends_after_the_idle_limit(
    app: Flask, client: FlaskClient, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_user(app, "oli")
    login(client, "oli")
    with client.session_transaction() as cookie_session:
        data = dict(cookie_session)
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    assert serializer is not None
    fresh = app.test_client()
    fresh.set_cookie("session", serializer.dumps(data))
    assert fresh.get("/profile").status_code == 200
    last_request = int(time.time()) - settings.session_idle_hours * 3600 - 60
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda _self: last_request)
    idle_cookie = serializer.dumps(data)
    monkeypatch.undo()
    idle = app.test_client()
    idle.set_cookie("session", idle_cookie)
    assert _asks_to_log_in(idle)


def test_session_idle_limit_and_lifetime_come_from_settings(tmp_path: Path, settings: Settings) -> None:
    flask_app = create_app(settings.with_overrides(session_idle_hours=5, session_lifetime_hours=48))
    assert flask_app.permanent_session_lifetime == timedelta(hours=5)
    assert flask_app.config["REMEMBER_COOKIE_DURATION"] == timedelta(hours=48)


def test_https_setting_marks_cookies_secure_and_sends_hsts(settings: Settings, world: World, app: Flask) -> None:
    plain = app.test_client()
    assert "Strict-Transport-Security" not in plain.get("/login").headers
    secure_app = create_app(settings.with_overrides(https=True))
    client = secure_app.test_client()
    make_user(secure_app, "pia")
    page = client.get("/login?lang=en")
    assert page.headers["Strict-Transport-Security"].startswith("max-age=")
    assert all("Secure" in value for value in page.headers.getlist("Set-Cookie"))
    board = client.get(f"/api/v1/phases/{world.open_phase_id}/leaderboard")
    assert board.headers["Strict-Transport-Security"].startswith("max-age=")
    token = csrf_from(page.get_data(as_text=True))
    logged_in = client.post("/login", data={"username": "pia", "password": PASSWORD, "csrf_token": token})
    assert "Secure" in logged_in.headers["Set-Cookie"]
    assert secure_app.config["SESSION_COOKIE_SECURE"] and secure_app.config["REMEMBER_COOKIE_SECURE"]


def test_the_app_refuses_to_start_without_a_secret_key(settings: Settings) -> None:
    assert Settings.from_env({}).secret_key == ""
    with pytest.raises(MissingSecretKey, match="ARENA_SECRET_KEY"):
        create_app(settings.with_overrides(secret_key=""))


def test_serve_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    settings = Settings.from_env({}, data_dir=tmp_path)
    result = CliRunner().invoke(main, ["serve", "--port", "1"], obj=settings)
    assert result.exit_code == 1
    assert "ARENA_SECRET_KEY is not set" in result.output


def test_the_demo_makes_its_secret_key_once_and_keeps_it_private(tmp_path: Path) -> None:
    key = demo_secret_key(tmp_path)
    assert len(key) == 64 and key == demo_secret_key(tmp_path)
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    other = tmp_path / "other"
    other.mkdir()
    assert demo_secret_key(other) != key
