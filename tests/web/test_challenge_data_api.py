"""The data API: organizers add, replace and remove public files and replace a phase's hidden key."""

from __future__ import annotations

import io
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from arena.models import AuditEvent, Notification, Phase
from tests.web.conftest import World, api_team, make_user, token_for
from web.extensions import db


def _multipart(client: FlaskClient, method: str, url: str, headers: dict[str, str], **fields: object) -> Any:
    return client.open(url, method=method, headers=headers, data=fields, content_type="multipart/form-data")


def test_an_organizer_adds_replaces_and_removes_a_public_file(app: Flask, client: FlaskClient, world: World) -> None:
    make_user(app, "olga", organizer_of="demo")
    make_user(app, "pat")
    olga, pat = token_for(client, "olga"), token_for(client, "pat")
    url = "/api/v1/challenges/demo/files"

    def extra() -> dict[str, object]:
        return {"file": (io.BytesIO(b"a,b\n1,2\n"), "extra.csv"), "title_en": "Extra", "title_zh": "附加"}

    hidden = _multipart(client, "POST", url, pat, **extra())
    assert hidden.status_code == 404
    untitled = _multipart(client, "POST", url, olga, file=(io.BytesIO(b"a\n1\n"), "x.csv"), title_en="X")
    assert untitled.status_code == 400 and untitled.get_json()["error"]["field"] == "title_zh"
    added = _multipart(client, "POST", url, olga, **extra())
    body = added.get_json()
    assert added.status_code == 201 and body["name"] == "extra.csv"
    assert body["title"] == {"en": "Extra", "zh": "附加"} and body["size"] == 8
    with client.get(body["api_download_url"], headers=pat) as download:
        assert download.data == b"a,b\n1,2\n"
    newer = {"file": (io.BytesIO(b"a,b\n3,4\n5,6\n"), "whatever.csv"), "title_en": "Extra 2", "title_zh": "附加2"}
    replaced = _multipart(client, "PUT", f"{url}/{body['id']}", olga, **newer)
    assert replaced.get_json()["name"] == "extra.csv" and replaced.get_json()["size"] == 12
    secret = {"file": (io.BytesIO(b"id,label\n1,3\n2,5\n3,7\n"), "k.csv"), "title_en": "K", "title_zh": "K"}
    leak = _multipart(client, "POST", url, olga, **secret)
    assert leak.status_code == 400 and "hidden key" in leak.get_json()["error"]["message"]
    assert client.delete(f"{url}/{world.public_file_id}", headers=olga).status_code == 409  # the only sample
    gone = client.delete(f"{url}/{body['id']}", headers=olga)
    assert gone.get_json() == {"removed": True, "id": body["id"], "path": "public/extra.csv"}
    with app.app_context():
        actions = list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions.count("challenge.file_added") == 1 and "challenge.file_removed" in actions


def test_a_key_is_checked_at_once_never_served_and_a_running_phase_needs_a_reason(
    app: Flask, client: FlaskClient, world: World
) -> None:
    make_user(app, "olga", organizer_of="demo")
    make_user(app, "ann")
    olga, ann = token_for(client, "olga"), token_for(client, "ann")
    api_team(client, ann, "Owls")
    url = f"/api/v1/phases/{world.open_phase_id}/key"
    assert client.get(url, headers=ann).status_code == 404
    facts = client.get(url, headers=olga).get_json()
    assert facts == {"phase_id": world.open_phase_id, "rows": 3, "sha256": world.labels_sha256, "needs_reason": True}
    repeated = _multipart(client, "PUT", url, olga, file=(io.BytesIO(b"id,label\n1,3\n1,5\n"), "k.csv"), reason="x")
    error = repeated.get_json()["error"]
    assert repeated.status_code == 400 and error["code"] == "key_refused" and "line 3 ('1')" in error["message"]
    new_key = b"id,label\n1,3\n2,5\n3,8\n"
    no_reason = _multipart(client, "PUT", url, olga, file=(io.BytesIO(new_key), "k.csv"))
    assert no_reason.status_code == 400 and no_reason.get_json()["error"]["field"] == "reason"
    done = _multipart(client, "PUT", url, olga, file=(io.BytesIO(new_key), "k.csv"), reason="row 3 was wrong")
    body = done.get_json()
    assert done.status_code == 200 and body["rows"] == 3 and body["sha256"] != world.labels_sha256
    with app.app_context():
        phase = db.session.get(Phase, world.open_phase_id)
        assert phase is not None and phase.labels_sha256 == body["sha256"]
        notice = db.session.scalars(select(Notification)).one()
        assert notice.params["changes"] == "key" and notice.params["reason"] == "row 3 was wrong"
