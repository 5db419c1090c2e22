"""Every redirect whose target the user chooses (``next=``) stays on this site and never fails."""

from __future__ import annotations

import io

import pytest
from flask import Flask
from flask.testing import FlaskClient

from arena.evaluation.pipeline import evaluate_submission
from tests.web.conftest import PASSWORD, World, api_team, csrf_from, login, make_user, token_for
from web import state
from web.extensions import db
from web.redirects import is_local_path, local_target

HOSTILE = [
    "https://evil.example/x",
    "//evil.example/x",
    "/\\evil.example/x",
    "\\\\evil.example/x",
    "/\t/evil.example/x",
    "/x\r\nSet-Cookie: stolen=1",
    "/x\nLocation: https://evil.example/",
    "/x\x00y",
    "/x\u2028y",
    "javascript:alert(1)",
    "evil.example/x",
    " /x",
    "",
]


@pytest.mark.parametrize("target", HOSTILE)
def test_only_local_paths_are_accepted(target: str) -> None:
    assert not is_local_path(target)
    assert local_target(target, "/home") == "/home"


@pytest.mark.parametrize("target", ["/", "/c/demo", "/phases/3/leaderboard?split=private&page=2", "/c/%E6%BC%94"])
def test_local_paths_pass(target: str) -> None:
    assert local_target(target, "/home") == target


def test_local_target_ignores_what_is_not_text() -> None:
    assert local_target(None, "/home") == "/home"
    assert local_target(["/x"], "/home") == "/home"


@pytest.mark.parametrize("target", HOSTILE)
def test_login_and_register_go_home_for_a_hostile_next(app: Flask, client: FlaskClient, target: str) -> None:
    make_user(app, "kim")
    token = csrf_from(client.get("/login").get_data(as_text=True))
    login_response = client.post(
        "/login", query_string={"next": target}, data={"username": "kim", "password": PASSWORD, "csrf_token": token}
    )
    assert (login_response.status_code, login_response.headers["Location"]) == (302, "/")
    fresh = app.test_client()
    token = csrf_from(fresh.get("/register").get_data(as_text=True))
    form = {"username": "newbie", "password": PASSWORD, "confirm": PASSWORD, "csrf_token": token}
    registered = fresh.post("/register", query_string={"next": target}, data=form)
    assert (registered.status_code, registered.headers["Location"]) == (302, "/"), registered.get_data(as_text=True)


def test_login_follows_a_local_next(app: Flask, client: FlaskClient) -> None:
    make_user(app, "kim")
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login",
        query_string={"next": "/c/demo?x=1"},
        data={"username": "kim", "password": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/c/demo?x=1"


def _scored_submission(app: Flask, client: FlaskClient, world: World) -> tuple[int, int]:
    make_user(app, "ann")
    ann = token_for(client, "ann")
    team = api_team(client, ann, "Ann")
    sent = client.post(
        f"/api/v1/phases/{world.open_phase_id}/submissions",
        headers=ann,
        data={"file": (io.BytesIO(b"id,label\n1,3\n2,5\n3,0\n"), "p.csv")},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 202, sent.get_json()
    with app.app_context():
        evaluate_submission(db.session(), state.settings(), state.store(), sent.get_json()["id"], None)
    return int(sent.get_json()["id"]), int(str(team["id"]))


def test_moderation_forms_never_redirect_off_site(app: Flask, client: FlaskClient, world: World) -> None:
    submission_id, team_id = _scored_submission(app, client, world)
    make_user(app, "olga", organizer_of="demo")
    organizer = app.test_client()
    login(organizer, "olga")
    back = f"/phases/{world.open_phase_id}/moderation"
    assert organizer.get(back).status_code == 200
    token = csrf_from(organizer.get("/profile").get_data(as_text=True))
    phase = str(world.open_phase_id)
    routes = [
        (f"/submissions/{submission_id}/moderation/hidden", {"on": "1", "reason": "test"}),
        (f"/submissions/{submission_id}/moderation/hidden", {"on": "0"}),
        (f"/submissions/{submission_id}/moderation/baseline", {"on": "1"}),
        (f"/teams/{team_id}/moderation/disqualified", {"on": "1", "reason": "test", "phase_id": phase}),
        (f"/teams/{team_id}/moderation/disqualified", {"on": "0", "phase_id": phase}),
        (f"/teams/{team_id}/moderation/baseline", {"on": "1", "phase_id": phase}),
    ]
    for url, fields in routes:
        for target in HOSTILE:
            response = organizer.post(url, data={**fields, "next": target, "csrf_token": token})
            assert (response.status_code, response.headers.get("Location")) == (302, back), (url, target)
        local = organizer.post(url, data={**fields, "next": "/c/demo", "csrf_token": token})
        assert local.headers.get("Location") == "/c/demo", url
