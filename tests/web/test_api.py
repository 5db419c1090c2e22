"""The JSON API: challenges, teams, submissions, quotas, leaderboards and the error format."""

from __future__ import annotations

import io

from flask import Flask
from flask.testing import FlaskClient

from arena.models import Submission
from tests.web.conftest import World, api_team, make_user, token_for
from web.extensions import db

CSV = b"id,label\n1,3\n2,5\n3,0\n"


def _upload(client: FlaskClient, headers: dict[str, str], phase_id: int, data: bytes = CSV, name: str = "p.csv"):
    return client.post(
        f"/api/v1/phases/{phase_id}/submissions",
        headers=headers,
        data={"file": (io.BytesIO(data), name), "description": "first try"},
        content_type="multipart/form-data",
    )


def _error(response) -> dict[str, str]:
    body = response.get_json()
    assert set(body) == {"error"} and {"code", "message"} <= set(body["error"]), body
    return body["error"]


def test_challenge_list_and_detail(client: FlaskClient, world: World) -> None:
    assert [c["slug"] for c in client.get("/api/v1/challenges").get_json()["challenges"]] == ["demo"]
    detail = client.get("/api/v1/challenges/demo").get_json()
    phases = detail["tracks"][0]["phases"]
    assert {p["id"] for p in phases} == {world.open_phase_id, world.closed_phase_id}
    assert all(p["opens_at"].endswith("Z") and p["closes_at"].endswith("Z") for p in phases)
    assert phases[0]["daily_quota"] == 2
    assert detail["files"][0]["download_url"].endswith(f"/c/demo/files/{world.public_file_id}")
    assert _error(client.get("/api/v1/challenges/nope"))["code"] == "not_found"


def test_team_create_join_and_view(app: Flask, client: FlaskClient, world: World) -> None:
    for name in ("ann", "ben", "cat"):
        make_user(app, name)
    ann, ben, cat = (token_for(client, n) for n in ("ann", "ben", "cat"))
    team = api_team(client, ann, "Owls")
    assert client.post("/api/v1/challenges/demo/teams", json={"name": "Owls"}, headers=ben).status_code == 409
    joined = client.post("/api/v1/teams/join", json={"invite_code": team["invite_code"]}, headers=ben)
    assert joined.status_code == 200 and len(joined.get_json()["members"]) == 2
    full = client.post("/api/v1/teams/join", json={"invite_code": team["invite_code"]}, headers=cat)
    assert full.status_code == 409
    outsider = client.get(f"/api/v1/teams/{team['id']}", headers=cat).get_json()
    assert "invite_code" not in outsider and outsider["name"] == "Owls"
    assert "invite_code" in client.get(f"/api/v1/teams/{team['id']}", headers=ben).get_json()


def test_submit_list_show_and_quota(app: Flask, client: FlaskClient, world: World) -> None:
    make_user(app, "dan")
    headers = token_for(client, "dan")
    api_team(client, headers, "Dans")
    response = _upload(client, headers, world.open_phase_id)
    assert response.status_code == 202
    body = response.get_json()
    assert body["status"] == "queued" and response.headers["Location"].endswith(f"/submissions/{body['id']}")
    listed = client.get(f"/api/v1/phases/{world.open_phase_id}/submissions", headers=headers).get_json()
    assert [s["id"] for s in listed["submissions"]] == [body["id"]]
    shown = client.get(f"/api/v1/submissions/{body['id']}", headers=headers).get_json()
    assert shown["status"] == "queued" and shown["scores"] == {}
    quota = client.get(f"/api/v1/phases/{world.open_phase_id}/quota", headers=headers).get_json()
    assert quota["remaining_today"] == 1 and quota["resets_at"].endswith("T00:00:00Z")
    with app.app_context():
        assert db.session.get(Submission, body["id"]).status == "queued"


def test_quota_exceeded_is_429_with_retry_after(app: Flask, client: FlaskClient, world: World) -> None:
    make_user(app, "eve")
    headers = token_for(client, "eve")
    api_team(client, headers, "Eves")
    for _ in range(2):
        assert _upload(client, headers, world.open_phase_id).status_code == 202
    response = _upload(client, headers, world.open_phase_id)
    assert response.status_code == 429
    error = _error(response)
    assert error["code"] == "quota_exceeded" and error["retry_at"].endswith("T00:00:00Z")
    assert int(response.headers["Retry-After"]) > 0


def test_error_format_400_401_403_404_405_409_413(app: Flask, client: FlaskClient, world: World) -> None:
    make_user(app, "fox")
    headers = token_for(client, "fox")
    assert _error(client.post("/api/v1/tokens", data="nope"))["code"] == "invalid_input"
    assert client.post("/api/v1/tokens", json={"username": "fox"}).status_code == 400
    assert client.post("/api/v1/tokens", json={"username": "fox", "password": 5}).status_code == 400
    assert _error(client.get("/api/v1/me")).get("code") == "unauthenticated"
    no_team = _upload(client, headers, world.open_phase_id)
    assert no_team.status_code == 403 and _error(no_team)["code"] == "forbidden"
    assert _error(client.get("/api/v1/phases/9999/leaderboard"))["code"] == "not_found"
    assert _error(client.get("/api/v1/submissions/9999", headers=headers))["code"] == "not_found"
    assert client.delete("/api/v1/challenges").status_code == 405
    assert _error(client.delete("/api/v1/challenges"))["code"] == "method_not_allowed"
    api_team(client, headers, "Foxes")
    closed = _upload(client, headers, world.closed_phase_id)
    assert closed.status_code == 409 and _error(closed)["code"] == "phase_closed"
    huge = client.post("/api/v1/tokens", data=b"x" * (200 * 1024), content_type="application/json")
    assert huge.status_code == 413 and _error(huge)["code"] == "too_large"
    # An upload is measured against its track's limit, which is stated, before the site's.
    huge_upload = _upload(client, headers, world.open_phase_id, data=b"x" * (200 * 1024))
    assert huge_upload.status_code == 413 and _error(huge_upload)["code"] == "file_too_large"
    track_limit = _upload(client, headers, world.open_phase_id, data=b"x" * (40 * 1024))
    assert track_limit.status_code == 413 and _error(track_limit)["code"] == "file_too_large"
    assert _error(track_limit)["field"] == "file"
    wrong_type = _upload(client, headers, world.open_phase_id, name="model.exe")
    assert wrong_type.status_code == 400 and "csv" in _error(wrong_type)["message"]
    missing = client.post(f"/api/v1/phases/{world.open_phase_id}/submissions", headers=headers, data={})
    assert missing.status_code == 400 and _error(missing)["field"] == "file"
    assert client.get("/api/v1/phases/1/leaderboard?split=both").status_code == 400


def test_other_teams_submissions_are_hidden(app: Flask, client: FlaskClient, world: World) -> None:
    make_user(app, "gil")
    make_user(app, "hob")
    gil, hob = token_for(client, "gil"), token_for(client, "hob")
    api_team(client, gil, "Gils")
    api_team(client, hob, "Hobs")
    submission_id = _upload(client, gil, world.open_phase_id).get_json()["id"]
    assert client.get(f"/api/v1/submissions/{submission_id}", headers=hob).status_code == 404
    assert client.get(f"/api/v1/phases/{world.open_phase_id}/submissions", headers=hob).get_json() == {
        "submissions": []
    }


def test_private_leaderboard_only_for_organizers_before_the_end(app: Flask, client: FlaskClient, world: World) -> None:
    make_user(app, "ivy")
    make_user(app, "org", organizer_of="demo")
    ivy, org = token_for(client, "ivy"), token_for(client, "org")
    url = f"/api/v1/phases/{world.open_phase_id}/leaderboard"
    assert client.get(url).status_code == 200
    assert client.get(url + "?split=private").status_code == 401
    assert client.get(url + "?split=private", headers=ivy).status_code == 403
    assert client.get(url + "?split=private", headers=org).status_code == 200
    ended = f"/api/v1/phases/{world.closed_phase_id}/leaderboard?split=private"
    assert client.get(ended).status_code == 200


def test_leaderboard_answers_with_an_etag_and_its_revision(client: FlaskClient, world: World) -> None:
    url = f"/api/v1/phases/{world.closed_phase_id}/leaderboard?split=private"
    first = client.get(url)
    body = first.get_json()
    assert first.status_code == 200 and first.headers["ETag"]
    assert {"revision", "score_version", "statistics_pending", "rows", "total"} <= set(body)
    assert body["statistics_pending"] is False
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200
