"""The editing API: PATCH a challenge's pages, a phase's settings and a track's scorer options."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from arena.models import AuditEvent, Track
from tests.web.conftest import World, make_user, token_for
from web.extensions import db


def test_an_organizer_patches_a_phase_and_problems_come_in_the_importers_words(
    app: Flask, client: FlaskClient, world: World
) -> None:
    make_user(app, "olga", organizer_of="demo")
    make_user(app, "pat")
    headers = token_for(client, "olga")
    url = f"/api/v1/phases/{world.open_phase_id}"
    assert client.patch(url, json={"daily_quota": 3}, headers=token_for(client, "pat")).status_code == 404
    bad = client.patch(url, json={"daily_quota": 0, "closes": "tomorrow"}, headers=headers)
    assert bad.status_code == 400
    problems = {p["field"]: p["message"] for p in bad.get_json()["error"]["problems"]}
    assert problems["daily_quota"] == "must be a whole number from 1 to 10000, got 0"
    assert "is not an ISO 8601 time" in problems["closes"]
    checked = client.patch(url, json={"public_fraction": 0.2, "check_only": True}, headers=headers).get_json()
    assert checked == {"problems": [], "unfair": ["public_fraction"]}
    asked = client.patch(url, json={"public_fraction": 0.2}, headers=headers)
    assert asked.status_code == 400 and asked.get_json()["error"]["field"] == "reason"
    done = client.patch(url, json={"public_fraction": 0.2, "total_quota": None, "reason": "fairer"}, headers=headers)
    body = done.get_json()
    assert done.status_code == 200 and body["changed"]["public_fraction"] == {"before": 0.5, "after": 0.2}
    assert body["phase"]["total_quota"] is None and body["unfair"] == ["public_fraction"]


def test_an_organizer_patches_the_pages_and_the_scorer_options(app: Flask, client: FlaskClient, world: World) -> None:
    make_user(app, "olga", organizer_of="demo")
    headers = token_for(client, "olga")
    refused = client.patch("/api/v1/challenges/demo/texts", json={"rules": {"en": "x", "zh": ""}}, headers=headers)
    assert refused.status_code == 400
    assert refused.get_json()["error"]["problems"] == [
        {"field": "text.rules.zh", "message": "must be a non-empty text"}
    ]
    done = client.patch("/api/v1/challenges/demo/texts", json={"data": {"en": "", "zh": ""}}, headers=headers)
    assert done.get_json()["changed"] == ["data"] and "data" not in done.get_json()["text"]
    with app.app_context():
        track_id = db.session.scalars(select(Track.id)).one()
    url = f"/api/v1/tracks/{track_id}/scorer-options"
    bad = client.patch(url, json={"scorer_options": {"beta": 1}, "reason": "x"}, headers=headers)
    assert bad.status_code == 400 and "has no option 'beta'" in bad.get_json()["error"]["problems"][0]["message"]
    good = client.patch(url, json={"scorer_options": {"cluster_column": "label"}, "reason": "x"}, headers=headers)
    assert good.status_code == 200 and good.get_json()["after"] == {"cluster_column": "label"}
    with app.app_context():
        actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"challenge.texts_changed", "track.scorer_options_changed"} <= actions
