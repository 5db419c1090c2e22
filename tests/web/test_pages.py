"""Server-rendered pages: both languages, the participant flow, downloads and organizer views."""

from __future__ import annotations

import io
import re

from flask import Flask
from flask.testing import FlaskClient

from tests.web.conftest import LABELS, World, csrf_from, login, make_user

CSV = b"id,label\n1,3\n2,5\n3,0\n"


def test_pages_render_in_english_and_chinese(client: FlaskClient, world: World) -> None:
    english = client.get("/c/demo?lang=en").get_data(as_text=True)
    assert "Demo challenge" in english and "Tracks and phases" in english
    chinese = client.get("/c/demo?lang=zh_CN").get_data(as_text=True)
    assert "演示赛题" in chinese and "赛道与阶段" in chinese and 'lang="zh-CN"' in chinese
    # the choice sticks in a cookie
    assert "赛题" in client.get("/").get_data(as_text=True)
    client.get("/?lang=en")
    assert "Challenges" in client.get("/").get_data(as_text=True)


def test_accept_language_and_language_links(client: FlaskClient, world: World) -> None:
    page = client.get("/c/demo", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).get_data(as_text=True)
    assert "演示赛题" in page and "lang=en" in page


def test_challenge_text_is_escaped_and_times_shown_in_two_zones(client: FlaskClient, world: World) -> None:
    page = client.get("/c/demo?lang=en").get_data(as_text=True)
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert "(Asia/Shanghai)" in page and " UTC" in page


def test_public_file_download_and_no_way_to_hidden_files(app: Flask, client: FlaskClient, world: World) -> None:
    response = client.get(f"/c/demo/files/{world.public_file_id}")
    assert response.status_code == 200 and response.data.startswith(b"id,label")
    response.close()
    for url in (
        "/c/demo/files/../hidden/labels.csv",
        "/c/demo/files/..%2Fhidden%2Flabels.csv",
        "/files/../hidden/labels.csv",
        f"/c/demo/files/{world.public_file_id + 1}",
        "/c/demo/files/0",
        f"/c/other/files/{world.public_file_id}",
        f"/c/demo/files/{world.labels_sha256}",
        "/static/../var/arena.sqlite",
    ):
        got = client.get(url)
        assert got.status_code == 404 and LABELS not in got.data, url


def test_participant_flow_through_pages(app: Flask, client: FlaskClient, world: World) -> None:
    make_user(app, "pat")
    login(client, "pat")
    team_page = client.get("/c/demo/team?lang=en").get_data(as_text=True)
    token = csrf_from(team_page)
    created = client.post("/c/demo/team/create", data={"name": "Pats", "csrf_token": token})
    assert created.status_code == 302
    page = client.get("/c/demo/team").get_data(as_text=True)
    assert re.search(r'<code class="invite">[A-Z0-9]{10}</code>', page)
    submit_page = client.get(f"/phases/{world.open_phase_id}/submit?lang=en").get_data(as_text=True)
    assert "Submissions left today: 2 of 2" in submit_page and "resets at" in submit_page
    token = csrf_from(submit_page)
    for _ in range(2):
        response = client.post(
            f"/phases/{world.open_phase_id}/submit",
            data={"file": (io.BytesIO(CSV), "p.csv"), "csrf_token": token},
            content_type="multipart/form-data",
        )
        assert response.status_code == 302
    over = client.post(
        f"/phases/{world.open_phase_id}/submit",
        data={"file": (io.BytesIO(CSV), "p.csv"), "csrf_token": token},
        content_type="multipart/form-data",
    )
    assert over.status_code == 429 and "Next submission allowed at" in over.get_data(as_text=True)
    mine = client.get(f"/phases/{world.open_phase_id}/submissions?lang=zh_CN")
    text = mine.get_data(as_text=True)
    assert mine.status_code == 200 and 'http-equiv="refresh"' in text and "排队中" in text


def test_bad_upload_gets_a_message_not_a_500(app: Flask, client: FlaskClient, world: World) -> None:
    make_user(app, "quin")
    login(client, "quin")
    token = csrf_from(client.get("/c/demo/team").get_data(as_text=True))
    client.post("/c/demo/team/create", data={"name": "Quins", "csrf_token": token})
    response = client.post(
        f"/phases/{world.open_phase_id}/submit", data={"csrf_token": token}, content_type="multipart/form-data"
    )
    assert response.status_code == 400 and "no file was uploaded" in response.get_data(as_text=True)
    too_big = client.post(
        f"/phases/{world.open_phase_id}/submit",
        data={"file": (io.BytesIO(b"x" * 300 * 1024), "p.csv"), "csrf_token": token},
        content_type="multipart/form-data",
    )
    assert too_big.status_code == 413


def test_leaderboard_pages(app: Flask, client: FlaskClient, world: World) -> None:
    assert client.get(f"/phases/{world.open_phase_id}/leaderboard").status_code == 200
    asked = client.get(f"/phases/{world.open_phase_id}/leaderboard?split=private&lang=en")
    assert asked.status_code == 302
    assert (
        asked.headers["Location"]
        == f"/login?next=/phases/{world.open_phase_id}/leaderboard?split%3Dprivate%26lang%3Den"
    )
    make_user(app, "pia")
    login(client, "pia")
    hidden = client.get(f"/phases/{world.open_phase_id}/leaderboard?split=private&lang=en")
    assert hidden.status_code == 403 and "revealed when the phase ends" in hidden.get_data(as_text=True)
    assert client.get(f"/phases/{world.closed_phase_id}/leaderboard?split=private").status_code == 200


def test_organizer_views_and_csv(app: Flask, client: FlaskClient, world: World) -> None:
    make_user(app, "olga", organizer_of="demo")
    make_user(app, "pete")
    login(client, "pete")
    assert client.get(f"/phases/{world.open_phase_id}/all-submissions").status_code == 403
    assert client.get(f"/phases/{world.open_phase_id}/export/submissions.csv").status_code == 403
    other = app.test_client()
    login(other, "olga")
    assert other.get(f"/phases/{world.open_phase_id}/all-submissions").status_code == 200
    csv = other.get(f"/phases/{world.open_phase_id}/export/submissions.csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    board = other.get(f"/phases/{world.open_phase_id}/export/leaderboard.csv?split=private")
    assert board.status_code == 200 and board.mimetype == "text/csv"
    private = other.get(f"/phases/{world.open_phase_id}/leaderboard?split=private")
    assert private.status_code == 200


def test_admin_import_page_needs_admin(app: Flask, client: FlaskClient) -> None:
    make_user(app, "root", admin=True)
    make_user(app, "user1")
    login(client, "user1")
    assert client.get("/admin/import").status_code == 403
    admin = app.test_client()
    login(admin, "root")
    page = admin.get("/admin/import")
    assert page.status_code == 200
    token = csrf_from(page.get_data(as_text=True))
    bad = admin.post("/admin/import", data={"path": "/nonexistent/bundle", "csrf_token": token})
    assert bad.status_code == 400 and "neither a folder nor a zip" in bad.get_data(as_text=True)


def test_html_errors_are_pages_and_405(client: FlaskClient) -> None:
    assert client.get("/nowhere").mimetype == "text/html"
    assert client.post("/").status_code in (400, 405)
