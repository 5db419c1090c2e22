"""One way for every API answer: bounded ids and numbers, English JSON errors, one timestamp form."""

from __future__ import annotations

import io
import re

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import IntegerConverter

from tests.web.conftest import World, api_team, make_user, token_for
from web.numbers import IdConverter

HUGE = "13609528462672867344712204288"
JUST_OVER = str(2**63)
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def test_every_route_names_objects_with_the_bounded_id_converter(app: Flask) -> None:
    plain = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if any(isinstance(c, IntegerConverter) for c in rule._converters.values())
    ]
    assert plain == []
    ids = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if any(isinstance(c, IdConverter) for c in rule._converters.values())
    ]
    assert "/api/v1/teams/<id:team_id>/baseline" in ids and "/teams/<id:team_id>" in ids


def test_ids_beyond_64_bits_in_paths_are_not_found(app: Flask, client: FlaskClient, world: World) -> None:
    make_user(app, "ann")
    ann = token_for(client, "ann")
    for number in (HUGE, JUST_OVER, "0"):
        anonymous = client.delete(f"/api/v1/teams/{number}/baseline")
        assert anonymous.status_code == 404 and anonymous.get_json()["error"]["code"] == "not_found"
        assert client.get(f"/api/v1/submissions/{number}", headers=ann).status_code == 404
        assert client.get(f"/api/v1/phases/{number}/leaderboard").status_code == 404
        assert client.get(f"/teams/{number}").status_code == 404
        assert client.get(f"/phases/{number}/leaderboard").status_code == 404
    assert client.get(f"/api/v1/teams/{2**63 - 1}").status_code == 404


def test_ids_and_pages_out_of_bounds_in_bodies_and_queries_are_422(
    app: Flask, client: FlaskClient, world: World
) -> None:
    make_user(app, "ann")
    make_user(app, "org", organizer_of="demo")
    ann, org = token_for(client, "ann"), token_for(client, "org")
    team = api_team(client, ann, "Owls")
    for value in (int(HUGE), 2**63, 0, -1, "3", True, 1.5):
        merge = client.post(f"/api/v1/teams/{team['id']}/merge-requests", json={"into_team_id": value}, headers=ann)
        assert merge.status_code == 422, (value, merge.get_json())
        assert merge.get_json()["error"]["field"] == "into_team_id"
        entry = client.post(
            f"/api/v1/phases/{world.open_phase_id}/entries", json={"team_id": value, "reason": "r"}, headers=org
        )
        assert entry.status_code == 422 and entry.get_json()["error"]["field"] == "team_id"
    board = f"/api/v1/phases/{world.open_phase_id}/leaderboard"
    for query, field in (("page=99999999999999999999", "page"), ("page=0", "page"), ("per_page=500", "per_page")):
        refused = client.get(f"{board}?{query}")
        assert refused.status_code == 422 and refused.get_json()["error"]["field"] == field
        assert client.get(f"/phases/{world.open_phase_id}/leaderboard?{query}").status_code == 422
    assert client.get(f"{board}?page=2&per_page=200").status_code == 200


def test_framework_errors_are_english_json_whatever_the_language(app: Flask, client: FlaskClient, world: World) -> None:
    make_user(app, "ann")
    ann = {**token_for(client, "ann"), "Accept-Language": "zh-CN"}
    api_team(client, ann, "Owls")
    client.set_cookie("arena_lang", "zh_CN")
    answers = {
        404: client.get("/api/v1/no-such-route?lang=zh-CN", headers=ann),
        405: client.delete("/api/v1/challenges", headers=ann),
        413: client.post("/api/v1/tokens", headers=ann, data=b"x" * (200 * 1024), content_type="application/json"),
    }
    for status, response in answers.items():
        assert response.status_code == status and response.mimetype == "application/json"
        body = response.get_json()
        assert set(body) == {"error"} and {"code", "message"} <= set(body["error"])
        assert body["error"]["message"].isascii(), body
    too_large = answers[413].get_json()["error"]
    limit = app.config["MAX_CONTENT_LENGTH"]
    assert too_large["max_bytes"] == limit and f"{limit} bytes" in too_large["message"]
    # Pages keep speaking the viewer's language.
    assert "此地址没有内容" in client.get("/no-such-page?lang=zh-CN").get_data(as_text=True)


def _timestamps(value: object) -> list[str]:
    if isinstance(value, dict):
        return [
            t
            for key, item in value.items()
            for t in ([item] if key.endswith("_at") and isinstance(item, str) else _timestamps(item))
        ]
    if isinstance(value, list):
        return [t for item in value for t in _timestamps(item)]
    return []


def test_every_timestamp_is_rfc3339_utc_seconds_and_next_allowed_is_null_when_free(
    app: Flask, client: FlaskClient, world: World
) -> None:
    make_user(app, "ann")
    make_user(app, "org", organizer_of="demo")
    ann, org = token_for(client, "ann"), token_for(client, "org")
    api_team(client, ann, "Owls")
    quota = client.get(f"/api/v1/phases/{world.open_phase_id}/quota", headers=ann).get_json()
    assert quota["allowed_now"] is True and quota["next_allowed_at"] is None and quota["blocked_by"] is None
    sent = client.post(
        f"/api/v1/phases/{world.open_phase_id}/submissions",
        headers=ann,
        data={"file": (io.BytesIO(b"id,label\n1,3\n2,5\n3,0\n"), "p.csv")},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 202
    rescore = client.post(f"/api/v1/phases/{world.open_phase_id}/rescores", json={"reason": "check"}, headers=org)
    assert rescore.status_code == 202
    bodies = [
        client.get("/api/v1/challenges/demo").get_json(),
        quota,
        client.get(f"/api/v1/submissions/{sent.get_json()['id']}", headers=ann).get_json(),
        client.get(f"/api/v1/phases/{world.open_phase_id}/submissions", headers=ann).get_json(),
        client.get(f"/api/v1/phases/{world.open_phase_id}/rescores", headers=org).get_json(),
        rescore.get_json(),
    ]
    stamps = [t for body in bodies for t in _timestamps(body)]
    assert len(stamps) >= 8
    assert [t for t in stamps if not RFC3339.match(t)] == []


def test_another_teams_submission_is_not_found_for_selection_and_moderation(
    app: Flask, client: FlaskClient, world: World
) -> None:
    make_user(app, "ann")
    make_user(app, "ben")
    ann, ben = token_for(client, "ann"), token_for(client, "ben")
    api_team(client, ann, "Owls")
    api_team(client, ben, "Bats")
    sent = client.post(
        f"/api/v1/phases/{world.open_phase_id}/submissions",
        headers=ann,
        data={"file": (io.BytesIO(b"id,label\n1,3\n2,5\n3,0\n"), "p.csv")},
        content_type="multipart/form-data",
    )
    theirs, missing = sent.get_json()["id"], 999_999
    for submission_id in (theirs, missing):
        for method, path in (
            ("POST", "selection"),
            ("DELETE", "selection"),
            ("PUT", "baseline"),
            ("DELETE", "baseline"),
            ("DELETE", "hidden"),
        ):
            answer = client.open(f"/api/v1/submissions/{submission_id}/{path}", method=method, headers=ben)
            assert answer.status_code == 404, (method, path, submission_id, answer.get_json())
        hide = client.post(f"/api/v1/submissions/{submission_id}/hidden", json={"reason": "x"}, headers=ben)
        assert hide.status_code == 404
    # The team itself is told what is wrong with its own submission.
    assert client.post(f"/api/v1/submissions/{theirs}/selection", headers=ann).status_code in (400, 409)
    assert client.put(f"/api/v1/submissions/{theirs}/baseline", headers=ann).status_code == 403


def test_anonymous_private_board_page_asks_to_log_in(client: FlaskClient, world: World) -> None:
    answer = client.get(f"/phases/{world.open_phase_id}/leaderboard?split=private")
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/login?next=")


def test_a_server_error_under_the_api_is_the_same_json_shape(app: Flask) -> None:
    def boom() -> str:
        raise RuntimeError("boom")

    app.add_url_rule("/api/v1/boom", "boom", boom)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    answer = app.test_client().get("/api/v1/boom?lang=zh-CN")
    assert answer.status_code == 500 and answer.mimetype == "application/json"
    assert answer.get_json()["error"] == {
        "code": "internal_error",
        "message": "Something went wrong on our side; the error was logged.",
    }
