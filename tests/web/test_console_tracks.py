"""The console's tracks and phases pages: edit a track, add a track or a phase, remove one, the live checks."""

from __future__ import annotations

import io

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from arena.models import AuditEvent, Challenge, Phase, Track
from tests.web.conftest import World, csrf_from, login, make_user
from web.extensions import db

KEY = b"id,label\n1,0\n2,1\n3,0\n4,1\n"


def _organizer(app: Flask, client: FlaskClient) -> None:
    make_user(app, "olga", organizer_of="demo")
    login(client, "olga")


def _token(client: FlaskClient) -> str:
    return csrf_from(client.get("/c/demo/manage/tracks").get_data(as_text=True))


def _track_id(app: Flask) -> int:
    with app.app_context():
        return db.session.scalars(select(Track.id)).one()


def _track_form(**more: str) -> dict[str, str]:
    return {
        "title_en": "Main",
        "title_zh": "主赛道",
        "kind": "result",
        "scorer": "accuracy",
        "scorer_options": "",
        "direction": "",
        "id_column": "id",
        "target_columns": "label",
        "targets": "",
        "reason": "",
        **more,
    }


def test_only_organizers_reach_the_tracks_pages(app: Flask, client: FlaskClient, world: World) -> None:
    make_user(app, "pat")
    login(client, "pat")
    track_id = _track_id(app)
    for url in ("/c/demo/manage/tracks", f"/c/demo/manage/tracks/{track_id}", "/c/demo/manage/tracks/new"):
        assert client.get(url).status_code == 404


def test_a_refused_track_edit_keeps_what_was_typed_and_a_title_change_saves(
    app: Flask, client: FlaskClient, world: World
) -> None:
    _organizer(app, client)
    assert "/c/demo/manage/tracks" in client.get("/c/demo/manage").get_data(as_text=True)
    track_id = _track_id(app)
    url = f"/c/demo/manage/tracks/{track_id}"
    assert "主赛道" in client.get(url + "?lang=zh-CN").get_data(as_text=True)
    typed = _track_form(title_en="Typed title kept", target_columns="colour", scorer_options="[a")
    refused = client.post(url, data={**typed, "csrf_token": _token(client)})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "Typed title kept" in body and "is not valid YAML" in body
    refused = client.post(url, data={**_track_form(target_columns="colour"), "csrf_token": _token(client)})
    assert refused.status_code == 400 and "phases.open.labels" in refused.get_data(as_text=True)
    saved = client.post(url, data={**_track_form(title_en="Renamed"), "csrf_token": _token(client)})
    assert saved.status_code == 302
    with app.app_context():
        assert db.session.get(Track, track_id).title["en"] == "Renamed"  # type: ignore[union-attr]
        assert "track.changed" in db.session.scalars(select(AuditEvent.action)).all()
    asked = client.post(url, data={**_track_form(scorer="macro_f1"), "csrf_token": _token(client)})
    assert asked.status_code == 400 and 'id="problem-reason"' in asked.get_data(as_text=True)


def test_the_live_check_answers_with_the_importers_problems_and_what_needs_a_reason(
    app: Flask, client: FlaskClient, world: World
) -> None:
    _organizer(app, client)
    url = f"/c/demo/manage/tracks/{_track_id(app)}/check"
    answer = client.post(url, data={**_track_form(title_zh="", scorer="macro_f1"), "csrf_token": _token(client)})
    problems = answer.get_json()["problems"]
    assert {"field": "title.zh", "message": "must be a non-empty text", "input": "title_zh"} in problems
    answer = client.post(url, data={**_track_form(scorer="macro_f1"), "csrf_token": _token(client)}).get_json()
    assert answer == {"problems": [], "scoring": ["scorer"]}
    new = client.post("/c/demo/manage/tracks/new/check", data={**_track_form(), "slug": "main",
                                                               "csrf_token": _token(client)})  # fmt: skip
    assert new.get_json()["problems"] == [{"field": "slug", "message": "'main' is used by another track",
                                           "input": "slug"}]  # fmt: skip


def test_an_organizer_adds_a_track_and_its_phase_and_removes_them(
    app: Flask, client: FlaskClient, world: World
) -> None:
    _organizer(app, client)
    added = client.post("/c/demo/manage/tracks/new", data={**_track_form(title_en="Extra"), "slug": "extra",
                                                           "csrf_token": _token(client)})  # fmt: skip
    assert added.status_code == 302 and "/phases/new" in added.headers["Location"]
    with app.app_context():
        extra = db.session.scalars(select(Track).where(Track.slug == "extra")).one()
        extra_id = extra.id
    form = {
        "slug": "first",
        "title_en": "First",
        "title_zh": "第一",
        "opens": "2030-01-01T08:00",
        "closes": "2030-02-01T08:00",
        "daily_quota": "3",
        "public_fraction": "0.5",
        "csrf_token": _token(client),
    }
    url = f"/c/demo/manage/tracks/{extra_id}/phases/new"
    refused = client.post(url, data={**form, "closes": "2029-01-01T08:00"})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "must be later than opens" in body and 'value="First"' in body
    assert "is required: the challenge is published" in body
    check = client.post(url + "/check", data={**form, "daily_quota": "0"}).get_json()
    assert check["problems"] == [{"field": "daily_quota", "input": "daily_quota",
                                  "message": "must be a whole number from 1 to 10000, got 0"}]  # fmt: skip
    saved = client.post(url, data={**form, "labels": (io.BytesIO(KEY), "key.csv")}, content_type="multipart/form-data")
    assert saved.status_code == 302
    with app.app_context():
        phase = db.session.scalars(select(Phase).where(Phase.slug == "first")).one()
        assert phase.labels_rows == 4 and phase.opens_at.hour == 0  # 08:00 in Shanghai is 00:00 UTC
        phase_id = phase.id
    listing = client.get("/c/demo/manage/tracks").get_data(as_text=True)
    # The only phase of a track in a published challenge is not offered for removal, and is refused if asked.
    assert "First" in listing and f"/c/demo/manage/phases/{phase_id}/remove" not in listing
    kept = client.post(f"/c/demo/manage/phases/{phase_id}/remove", data={"csrf_token": _token(client)},
                       follow_redirects=True)  # fmt: skip
    assert "keeps at least one phase: remove the track instead" in kept.get_data(as_text=True)
    gone = client.post(f"/c/demo/manage/tracks/{extra_id}/remove", data={"csrf_token": _token(client)})
    assert gone.status_code == 302
    with app.app_context():
        assert db.session.scalars(select(Track.slug)).all() == ["main"]
        actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"track.added", "phase.added", "track.removed"} <= actions and "phase.removed" not in actions


def test_a_phase_added_without_its_key_gets_it_on_the_data_page(app: Flask, client: FlaskClient, world: World) -> None:
    _organizer(app, client)
    with app.app_context():
        db.session.scalars(select(Challenge)).one().is_published = False
        db.session.commit()
    form = {"slug": "later", "title_en": "Later", "title_zh": "稍后", "opens": "2030-01-01T08:00",
            "closes": "2030-02-01T08:00", "daily_quota": "3", "public_fraction": "0.5"}  # fmt: skip
    added = client.post(
        f"/c/demo/manage/tracks/{_track_id(app)}/phases/new", data={**form, "csrf_token": _token(client)}
    )
    assert added.status_code == 302
    data = client.get("/c/demo/manage/data").get_data(as_text=True)
    assert "No hidden key yet: upload it with columns id, label." in data
    with app.app_context():
        phase_id = db.session.scalars(select(Phase.id).where(Phase.slug == "later")).one()
    upload = {"file": (io.BytesIO(KEY), "key.csv"), "reason": "", "csrf_token": _token(client)}
    saved = client.post(f"/c/demo/manage/data/phases/{phase_id}/key", content_type="multipart/form-data", data=upload)
    assert saved.status_code == 302
    with app.app_context():
        phase = db.session.get(Phase, phase_id)
        assert phase is not None and phase.labels_rows == 4 and phase.labels_sha256
