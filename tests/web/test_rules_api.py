"""The competition-rule API: invitations, leaving, captaincy, institution, merges, staged phases and quotas."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from arena.db import utcnow
from arena.enums import Split, SubmissionStatus
from arena.models import Phase, Score, Submission
from tests.web.conftest import World, api_team, make_user, token_for
from web.extensions import db

CSV = b"id,label\n1,3\n2,5\n3,0\n"


def _upload(client: FlaskClient, headers: dict[str, str], phase_id: int) -> Any:
    return client.post(
        f"/api/v1/phases/{phase_id}/submissions",
        headers=headers,
        data={"file": (io.BytesIO(CSV), "p.csv")},
        content_type="multipart/form-data",
    )


def _users(app: Flask, client: FlaskClient, *names: str) -> list[dict[str, str]]:
    for name in names:
        make_user(app, name)
    return [token_for(client, name) for name in names]


def _insert(app: Flask, phase_id: int, team_id: int, count: int, score: float | None = None) -> None:
    """Record submissions directly (as if made earlier), optionally scored on both splits."""
    with app.app_context():
        for _ in range(count):
            status = SubmissionStatus.SCORED if score is not None else SubmissionStatus.QUEUED
            submission = Submission(
                phase_id=phase_id, team_id=team_id, user_id=None, status=status, file_sha256="f" * 64
            )
            db.session.add(submission)
            db.session.flush()
            if score is not None:
                for split in Split:
                    db.session.add(
                        Score(
                            submission_id=submission.id,
                            phase_id=phase_id,
                            team_id=team_id,
                            split=split.value,
                            primary=score,
                            scorer_name="accuracy",
                            scorer_version="1",
                            labels_sha256="0" * 64,
                            submission_sha256="f" * 64,
                        )
                    )
        db.session.commit()


def test_invitations(app: Flask, client: FlaskClient, world: World) -> None:
    ann, ben, cat = _users(app, client, "ann", "ben", "cat")
    team = api_team(client, ann, "Owls")
    url = f"/api/v1/teams/{team['id']}/invitations"
    assert client.post(url, json={"username": "ben"}, headers=cat).status_code == 403
    assert client.post(url, json={"username": "nobody"}, headers=ann).status_code == 404
    sent = client.post(url, json={"username": "ben"}, headers=ann)
    assert sent.status_code == 201 and sent.get_json()["username"] == "ben"
    assert [i["id"] for i in client.get(url, headers=ann).get_json()["invitations"]] == [sent.get_json()["id"]]
    mine = client.get("/api/v1/challenges/demo/invitations", headers=ben).get_json()["invitations"]
    assert [i["team"]["name"] for i in mine] == ["Owls"]
    invitation_id = mine[0]["id"]
    assert client.post(f"/api/v1/invitations/{invitation_id}/accept", headers=cat).status_code == 404
    joined = client.post(f"/api/v1/invitations/{invitation_id}/accept", headers=ben)
    assert joined.status_code == 200 and len(joined.get_json()["members"]) == 2
    full = client.post(url, json={"username": "cat"}, headers=ann)
    assert full.status_code == 409 and "full" in full.get_json()["error"]["message"]
    again = client.post(f"/api/v1/invitations/{invitation_id}/decline", headers=ben)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "invalid_transition"


def test_institution_captaincy_and_leaving(app: Flask, client: FlaskClient, world: World) -> None:
    ann, ben = _users(app, client, "ann", "ben")
    team = api_team(client, ann, "Owls")
    client.post("/api/v1/teams/join", json={"invite_code": team["invite_code"]}, headers=ben)
    url = f"/api/v1/teams/{team['id']}"
    assert client.patch(url, json={"institution": "Nankai"}, headers=ben).status_code == 403
    assert client.patch(url, json={"institution": "Nankai University"}, headers=ann).get_json()["institution"] == (
        "Nankai University"
    )
    refused = client.post(f"{url}/leave", headers=ann)
    assert refused.status_code == 409 and "hand the captaincy" in refused.get_json()["error"]["message"]
    moved = client.post(f"{url}/captain", json={"username": "ben"}, headers=ann)
    assert moved.status_code == 200 and moved.get_json()["captain"] == "ben"
    left = client.post(f"{url}/leave", headers=ann).get_json()
    assert left["dissolved"] is False and [m["username"] for m in left["team"]["members"]] == ["ben"]
    assert client.post(f"{url}/leave", headers=ben).get_json() == {"team": None, "dissolved": True}
    assert client.get(url).status_code == 404


def test_merge_flow_and_refusal(app: Flask, client: FlaskClient, world: World) -> None:
    ann, ben = _users(app, client, "ann", "ben")
    alpha, beta = api_team(client, ann, "Alpha"), api_team(client, ben, "Beta")
    # The phase opened yesterday with 2 a day: one team could have made 4 so far; together they made 5.
    _insert(app, world.open_phase_id, int(alpha["id"]), 3)  # type: ignore[call-overload]
    _insert(app, world.open_phase_id, int(beta["id"]), 2)  # type: ignore[call-overload]
    url = f"/api/v1/teams/{alpha['id']}/merge-requests"
    refused = client.post(url, json={"into_team": "beta"}, headers=ann)
    assert refused.status_code == 409
    assert (
        "5 counted submissions (3 + 2), more than the 4 one team could have made"
        in refused.get_json()["error"]["message"]
    )
    with app.app_context():
        db.session.query(Submission).filter(Submission.team_id == alpha["id"]).delete()
        db.session.commit()
    created = client.post(url, json={"into_team_id": beta["id"]}, headers=ann)
    assert created.status_code == 201
    request_id = created.get_json()["id"]
    received = client.get(f"/api/v1/teams/{beta['id']}/merge-requests", headers=ben).get_json()["received"]
    assert [r["id"] for r in received] == [request_id]
    assert client.post(f"/api/v1/merge-requests/{request_id}/accept", headers=ann).status_code == 403
    merged = client.post(f"/api/v1/merge-requests/{request_id}/accept", headers=ben).get_json()
    assert merged["id"] == beta["id"] and {m["username"] for m in merged["members"]} == {"ann", "ben"}
    old = client.get(f"/api/v1/teams/{alpha['id']}").get_json()
    assert old["status"] == "merged" and old["merged_into_id"] == beta["id"]


def _stage(app: Flask, world: World, rule: dict[str, Any]) -> None:
    with app.app_context():
        phase = db.session.get(Phase, world.open_phase_id)
        assert phase is not None
        phase.advancement = rule
        phase.previous_phase_id = world.closed_phase_id
        db.session.commit()


def test_staged_phase_advance_admit_and_read_only(app: Flask, client: FlaskClient, world: World) -> None:
    ann, ben = _users(app, client, "ann", "ben")
    make_user(app, "org", organizer_of="demo")
    org = token_for(client, "org")
    alpha, beta = api_team(client, ann, "Alpha"), api_team(client, ben, "Beta")
    _insert(app, world.closed_phase_id, int(alpha["id"]), 1, score=0.9)  # type: ignore[call-overload]
    _insert(app, world.closed_phase_id, int(beta["id"]), 1, score=0.4)  # type: ignore[call-overload]
    _stage(app, world, {"from": "past", "top": 1, "split": "private"})
    entries_url = f"/api/v1/phases/{world.open_phase_id}/entries"
    before = client.get(entries_url, headers=ann).get_json()
    assert before["staged"] and before["rule"]["top"] == 1 and before["entries"] == []
    assert before["your_team_admitted"] is False
    assert client.post(f"/api/v1/phases/{world.open_phase_id}/advance", headers=ann).status_code == 403
    result = client.post(f"/api/v1/phases/{world.open_phase_id}/advance", headers=org)
    assert result.status_code == 200
    assert [a["team"]["name"] for a in result.get_json()["admitted"]] == ["Alpha"]
    listed = client.get(entries_url).get_json()["entries"]
    assert [e["team"]["name"] for e in listed] == ["Alpha"] and "reason" not in listed[0]
    assert "rank 1" in client.get(entries_url, headers=org).get_json()["entries"][0]["reason"]
    assert _upload(client, ann, world.open_phase_id).status_code == 202
    refused = _upload(client, ben, world.open_phase_id)
    assert refused.status_code == 403 and "not among them" in refused.get_json()["error"]["message"]
    quota = client.get(f"/api/v1/phases/{world.open_phase_id}/quota", headers=ben).get_json()
    assert quota["admitted"] is False
    # Read-only: the board and the team's own history stay visible.
    assert client.get(f"/api/v1/phases/{world.open_phase_id}/leaderboard", headers=ben).status_code == 200
    assert client.get(f"/api/v1/phases/{world.open_phase_id}/submissions", headers=ben).status_code == 200
    no_reason = client.post(entries_url, json={"team_id": beta["id"], "reason": " "}, headers=org)
    assert no_reason.status_code == 400
    admitted = client.post(entries_url, json={"team_id": beta["id"], "reason": "appeal upheld"}, headers=org)
    assert admitted.status_code == 201 and admitted.get_json()["reason"] == "admitted by hand: appeal upheld"
    assert _upload(client, ben, world.open_phase_id).status_code == 202


def test_quota_shows_every_limit(app: Flask, client: FlaskClient, world: World) -> None:
    (ann,) = _users(app, client, "ann")
    api_team(client, ann, "Alpha")
    with app.app_context():
        phase = db.session.get(Phase, world.open_phase_id)
        assert phase is not None
        phase.concurrent_quota = 1
        phase.track.challenge.person_daily_quota = 5
        db.session.commit()
    assert _upload(client, ann, world.open_phase_id).status_code == 202
    quota = client.get(f"/api/v1/phases/{world.open_phase_id}/quota", headers=ann).get_json()
    assert quota["in_flight"] == 1 and quota["remaining_concurrent"] == 0 and quota["blocked_by"] == "concurrent"
    assert quota["person_daily_limit"] == 5 and quota["person_remaining_today"] == 4
    assert quota["admitted"] is True and quota["counts_participant_failures"] is True
    busy = _upload(client, ann, world.open_phase_id)
    assert busy.status_code == 429 and 0 < int(busy.headers["Retry-After"]) <= 30
    detail = client.get("/api/v1/challenges/demo").get_json()
    assert detail["person_daily_quota"] == 5 and detail["tracks"][0]["phases"][0]["concurrent_quota"] == 1
    assert detail["merge_deadline"] is None


def test_entry_deadline_is_exposed(app: Flask, client: FlaskClient, world: World) -> None:
    deadline = utcnow() + timedelta(days=3)
    with app.app_context():
        phase = db.session.get(Phase, world.open_phase_id)
        assert phase is not None
        phase.track.challenge.entry_deadline = deadline
        db.session.commit()
    assert client.get("/api/v1/challenges/demo").get_json()["entry_deadline"].endswith("Z")
