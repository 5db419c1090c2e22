"""Pages of the competition rules: invitations and the captain's tools, merges, staged phases, deadlines, quotas."""

from __future__ import annotations

import io

from flask import Flask
from flask.testing import FlaskClient

from arena.models import Phase, Team
from tests.web.conftest import World, csrf_from, login, make_user
from web.extensions import db

CSV = b"id,label\n1,3\n2,5\n3,0\n"


def _client(app: Flask, name: str, **options: object) -> FlaskClient:
    make_user(app, name, **options)  # type: ignore[arg-type]
    client = app.test_client()
    login(client, name)
    return client


def _create_team(client: FlaskClient, name: str) -> int:
    token = csrf_from(client.get("/c/demo/team").get_data(as_text=True))
    assert client.post("/c/demo/team/create", data={"name": name, "csrf_token": token}).status_code == 302
    with client.application.app_context():
        return db.session.query(Team).filter_by(name=name).one().id


def test_invite_accept_transfer_and_leave_through_pages(app: Flask, world: World) -> None:
    ann, ben = _client(app, "ann"), _client(app, "ben")
    team_id = _create_team(ann, "Owls")
    page = ann.get(f"/teams/{team_id}?lang=en").get_data(as_text=True)
    assert "Invite someone" in page and "Hand over the captaincy" in page and "Leave the team" in page
    assert "Submissions left in the open phases" in page and "Submissions left today: 2 of 2" in page
    token = csrf_from(page)
    # Without the CSRF token the post is refused.
    assert ann.post(f"/teams/{team_id}/invitations", data={"username": "ben"}).status_code == 400
    sent = ann.post(f"/teams/{team_id}/invitations", data={"username": "ben", "csrf_token": token})
    assert sent.status_code == 302
    missing = ann.post(f"/teams/{team_id}/invitations", data={"username": "nobody", "csrf_token": token})
    assert missing.status_code == 404 and "there is no user" in missing.get_data(as_text=True)
    invited = ben.get("/c/demo/team?lang=zh_CN").get_data(as_text=True)
    assert "队伍 Owls 邀请你加入。" in invited
    action = invited.split('action="/invitations/')[1].split('"')[0]
    accepted = ben.post(f"/invitations/{action}", data={"csrf_token": csrf_from(invited)})
    assert accepted.status_code == 302
    assert "ben" in ann.get(f"/teams/{team_id}").get_data(as_text=True)
    member_page = ben.get(f"/teams/{team_id}?lang=en").get_data(as_text=True)
    assert "Leave the team" in member_page and "Invite someone" not in member_page
    refused = ann.post(f"/teams/{team_id}/leave", data={"csrf_token": token})
    assert refused.status_code == 409 and "hand the captaincy" in refused.get_data(as_text=True)
    assert ann.post(f"/teams/{team_id}/captain", data={"username": "ben", "csrf_token": token}).status_code == 302
    assert ann.post(f"/teams/{team_id}/leave", data={"csrf_token": token}).status_code == 302
    saved = ben.post(
        f"/teams/{team_id}/institution",
        data={"institution": "Tianjin University", "csrf_token": csrf_from(member_page)},
    )
    assert saved.status_code == 302 and "Tianjin University" in ben.get(f"/teams/{team_id}").get_data(as_text=True)


def test_merge_through_pages(app: Flask, world: World) -> None:
    ann, ben = _client(app, "ann"), _client(app, "ben")
    alpha, beta = _create_team(ann, "Alpha"), _create_team(ben, "Beta")
    token = csrf_from(ann.get(f"/teams/{alpha}").get_data(as_text=True))
    unknown = ann.post(f"/teams/{alpha}/merge-requests", data={"team": "Gamma", "csrf_token": token})
    assert unknown.status_code == 404 and "no team called" in unknown.get_data(as_text=True)
    assert ann.post(f"/teams/{alpha}/merge-requests", data={"team": "beta", "csrf_token": token}).status_code == 302
    page = ben.get(f"/teams/{beta}?lang=en").get_data(as_text=True)
    assert "Teams asking to merge into yours" in page and "Alpha" in page
    request_id = page.split('action="/merge-requests/')[1].split("/")[0]
    merged = ben.post(f"/merge-requests/{request_id}/accept", data={"csrf_token": csrf_from(page)})
    assert merged.status_code == 302
    assert "This team merged into" in ben.get(f"/teams/{alpha}?lang=en").get_data(as_text=True)


def test_staged_phase_pages(app: Flask, world: World) -> None:
    with app.app_context():
        phase = db.session.get(Phase, world.open_phase_id)
        assert phase is not None
        phase.advancement = {"from": "past", "top": 3, "split": "private"}
        phase.previous_phase_id = world.closed_phase_id
        db.session.commit()
    ann = _client(app, "ann")
    _create_team(ann, "Alpha")
    submit = ann.get(f"/phases/{world.open_phase_id}/submit?lang=en").get_data(as_text=True)
    assert "your team is not among them" in submit and "disabled" in submit
    posted = ann.post(
        f"/phases/{world.open_phase_id}/submit",
        data={"file": (io.BytesIO(CSV), "p.csv"), "csrf_token": csrf_from(submit)},
        content_type="multipart/form-data",
    )
    assert posted.status_code == 403 and "you can still see its leaderboards" in posted.get_data(as_text=True)
    entries = ann.get(f"/phases/{world.open_phase_id}/entries?lang=en").get_data(as_text=True)
    assert "the top 3 teams of the private leaderboard" in entries and "Advance teams" not in entries
    olga = _client(app, "olga", organizer_of="demo")
    page = olga.get(f"/phases/{world.open_phase_id}/entries?lang=en").get_data(as_text=True)
    assert "Advance teams" in page and "Admit a team by hand" in page
    token = csrf_from(page)
    assert ann.post(f"/phases/{world.open_phase_id}/advance", data={"csrf_token": token}).status_code in (400, 403)
    advanced = olga.post(f"/phases/{world.open_phase_id}/advance", data={"csrf_token": token})
    assert advanced.status_code == 302
    admitted = olga.post(
        f"/phases/{world.open_phase_id}/admit", data={"team": "Alpha", "reason": "wild card", "csrf_token": token}
    )
    assert admitted.status_code == 302
    listed = olga.get(f"/phases/{world.open_phase_id}/entries").get_data(as_text=True)
    assert "admitted by hand: wild card" in listed
    assert "Your team is admitted" in ann.get(f"/phases/{world.open_phase_id}/entries?lang=en").get_data(as_text=True)


def test_deadlines_and_late_uploads_on_pages(app: Flask, world: World) -> None:
    ann = _client(app, "ann")
    _create_team(ann, "Alpha")
    closed = ann.get(f"/phases/{world.closed_phase_id}/submit?lang=en").get_data(as_text=True)
    assert "exact to the second" in closed and "(Asia/Shanghai)" in closed and " UTC" in closed
    late = ann.post(
        f"/phases/{world.closed_phase_id}/submit",
        data={"file": (io.BytesIO(CSV), "p.csv"), "csrf_token": csrf_from(closed)},
        content_type="multipart/form-data",
    )
    assert late.status_code == 409 and "this phase closed at" in late.get_data(as_text=True)
    submit = ann.get(f"/phases/{world.open_phase_id}/submit?lang=zh_CN").get_data(as_text=True)
    assert "失败的提交计入次数" in submit
