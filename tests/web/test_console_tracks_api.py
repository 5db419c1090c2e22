"""The API for a track's fields and for adding and removing tracks and phases."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from arena.models import AuditEvent, Track
from tests.web.conftest import World, make_user, token_for
from web.extensions import db

KEY = "id,label\n1,0\n2,1\n3,0\n4,1\n"


def test_an_organizer_patches_a_track_and_problems_come_in_the_importers_words(
    app: Flask, client: FlaskClient, world: World
) -> None:
    make_user(app, "olga", organizer_of="demo")
    make_user(app, "pat")
    headers = token_for(client, "olga")
    with app.app_context():
        track_id = db.session.scalars(select(Track.id)).one()
    url = f"/api/v1/tracks/{track_id}"
    outsider = token_for(client, "pat")
    assert client.patch(url, json={"title": {"en": "x", "zh": "y"}}, headers=outsider).status_code == 404
    bad = client.patch(url, json={"target_columns": ["colour"], "scorer": "nope"}, headers=headers)
    assert bad.status_code == 400
    problems = {p["field"]: p["message"] for p in bad.get_json()["error"]["problems"]}
    assert problems["scorer"].startswith("Unknown scorer 'nope'")
    keyed = client.patch(url, json={"target_columns": ["colour"]}, headers=headers).get_json()["error"]["problems"]
    assert keyed[0]["field"] == "phases.open.labels" and "Phase open (open)" in keyed[0]["message"]
    checked = client.patch(url, json={"scorer": "macro_f1", "check_only": True}, headers=headers).get_json()
    assert checked == {"problems": [], "scoring": ["scorer"]}
    asked = client.patch(url, json={"scorer": "macro_f1"}, headers=headers)
    assert asked.status_code == 400 and asked.get_json()["error"]["field"] == "reason"
    done = client.patch(url, json={"scorer": "macro_f1", "title": {"en": "M", "zh": "主"}, "reason": "fairer"},
                        headers=headers)  # fmt: skip
    body = done.get_json()
    assert done.status_code == 200 and body["changed"]["scorer"] == {"before": "accuracy", "after": "macro_f1"}
    assert body["track"]["title"] == {"en": "M", "zh": "主"} and body["rescore_run_ids"] == []


def test_an_organizer_adds_and_removes_tracks_and_phases(app: Flask, client: FlaskClient, world: World) -> None:
    make_user(app, "olga", organizer_of="demo")
    headers = token_for(client, "olga")
    entry = {"slug": "extra", "title": {"en": "Extra", "zh": "附加"}, "scorer": "accuracy", "id_column": "id",
             "target_columns": ["label"]}  # fmt: skip
    checked = client.post("/api/v1/challenges/demo/tracks", json={**entry, "slug": "main", "check_only": True},
                          headers=headers)  # fmt: skip
    assert checked.get_json() == {"problems": [{"field": "slug", "message": "'main' is used by another track"}]}
    made = client.post("/api/v1/challenges/demo/tracks", json=entry, headers=headers)
    assert made.status_code == 201 and made.get_json()["track"]["slug"] == "extra"
    track_id = made.get_json()["track"]["id"]
    phase = {"slug": "first", "title": {"en": "First", "zh": "第一"}, "opens": "2030-01-01T00:00:00Z",
             "closes": "2030-02-01T00:00:00Z", "public_fraction": 0.5}  # fmt: skip
    refused = client.post(f"/api/v1/tracks/{track_id}/phases", json=phase, headers=headers)
    assert refused.status_code == 400
    assert refused.get_json()["error"]["problems"][0]["field"] == "labels"
    added = client.post(f"/api/v1/tracks/{track_id}/phases", json={**phase, "labels_csv": KEY}, headers=headers)
    body = added.get_json()
    assert added.status_code == 201 and body["phase"]["has_key"] is True and body["phase"]["position"] == 0
    last = client.delete(f"/api/v1/phases/{body['phase']['id']}", headers=headers)
    assert last.status_code == 409 and "remove the track instead" in last.get_json()["error"]["message"]
    busy = client.delete(f"/api/v1/tracks/{track_id}", headers=headers)
    assert busy.status_code == 200 and busy.get_json() == {"removed": "extra"}
    with app.app_context():
        actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"track.added", "phase.added", "track.removed"} <= actions
    document = client.get("/api/v1/openapi.json").get_json()
    assert {"patch", "delete"} <= set(document["paths"]["/tracks/{track_id}"])
    assert "post" in document["paths"]["/tracks/{track_id}/phases"]
