"""A result file is checked against the key and the track's targets before it is accepted.

A malformed file is answered 422 at once with its code and first rows, creates no submission, stores no
file and uses no quota; a well-formed one is accepted as before.
"""

from __future__ import annotations

import io
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from arena.models import Submission, Track
from arena.settings import Settings
from tests.web.conftest import World, api_team, csrf_from, login, make_user, token_for
from web.extensions import db
from web.i18n import localized_message

DIGITS = {"label": {"type": "label", "labels": [str(i) for i in range(10)], "truth": True}}
MALFORMED = {
    "label_not_allowed": b"id,label\n1,3\n2,cat\n3,12\n",
    "duplicate_ids": b"id,label\n1,3\n1,5\n3,7\n",
    "missing_columns": b"id,guess\n1,3\n2,5\n3,7\n",
    "unknown_ids": b"id,label\n1,3\n2,5\n3,7\n99,1\n",
    "bad_encoding": b"id,label\n1,3\n2,\xff\n3,7\n",
}


def _declare_digits(app: Flask) -> None:
    with app.app_context():
        track = db.session.scalars(select(Track)).first()
        assert track is not None
        track.targets = DIGITS
        db.session.commit()


def _stored(settings: Settings) -> set[str]:
    blobs = Path(settings.data_dir) / "blobs"
    return {p.name for p in blobs.rglob("*") if p.is_file()} if blobs.exists() else set()


def _count(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count(Submission.id))) or 0)


def _upload(client: FlaskClient, phase_id: int, headers: dict[str, str], data: bytes) -> tuple[int, dict]:
    response = client.post(
        f"/api/v1/phases/{phase_id}/submissions",
        headers=headers,
        data={"file": (io.BytesIO(data), "p.csv")},
        content_type="multipart/form-data",
    )
    return response.status_code, response.get_json()


def test_five_malformed_uploads_leave_the_days_quota_untouched(
    app: Flask, client: FlaskClient, world: World, settings: Settings
) -> None:
    _declare_digits(app)
    make_user(app, "ann")
    headers = token_for(client, "ann")
    api_team(client, headers, "Anns")
    quota_before = client.get(f"/api/v1/phases/{world.open_phase_id}/quota", headers=headers).get_json()
    stored_before = _stored(settings)
    for code, data in MALFORMED.items():
        status, body = _upload(client, world.open_phase_id, headers, data)
        assert status == 422, body
        assert body["error"]["code"] == code, body
        assert body["error"]["field"] == "file"
    assert _count(app) == 0
    assert _stored(settings) == stored_before
    assert client.get(f"/api/v1/phases/{world.open_phase_id}/quota", headers=headers).get_json() == quota_before
    # The phase allows two a day: both are still there for well-formed files.
    for _ in range(2):
        status, body = _upload(client, world.open_phase_id, headers, b"id,label\n1,3\n2,5\n3,7\n")
        assert status == 202, body
    assert _count(app) == 2


def test_the_api_names_the_first_offending_rows(app: Flask, client: FlaskClient, world: World) -> None:
    _declare_digits(app)
    make_user(app, "bob")
    headers = token_for(client, "bob")
    api_team(client, headers, "Bobs")
    status, body = _upload(client, world.open_phase_id, headers, MALFORMED["label_not_allowed"])
    assert status == 422
    error = body["error"]
    assert error["rows"] == [
        {"row": 2, "id": "2", "column": "label", "value": "cat"},
        {"row": 3, "id": "3", "column": "label", "value": "12"},
    ]
    assert "'cat' at row 2 (id '2'), column 'label' is not an allowed label" in error["message"]
    assert "Allowed labels: '0', '1', '2'" in error["message"]
    status, body = _upload(client, world.open_phase_id, headers, b"id,label\n1,3\n2,5\n")
    assert (status, body["error"]["code"], body["error"]["rows"]) == (422, "missing_ids", [])
    assert "'1'" not in body["error"]["message"] and "'3'" not in body["error"]["message"]


def test_the_submit_page_explains_the_refusal_in_the_viewers_language(
    app: Flask, client: FlaskClient, world: World
) -> None:
    _declare_digits(app)
    make_user(app, "cai")
    login(client, "cai")
    token = csrf_from(client.get("/c/demo/team").get_data(as_text=True))
    client.post("/c/demo/team/create", data={"name": "Cais", "csrf_token": token})
    template = (
        "%(value)s at row %(row)s (id %(id)s), column '%(column)s' is not an allowed label "
        "(%(count)s row(s) have such labels). Allowed labels: %(allowed)s."
    )
    params = {"value": "'cat'", "row": 2, "id": "'2'", "column": "label", "count": "2", "allowed": "x"}
    with app.test_request_context("/?lang=zh_CN"):
        chinese = localized_message(template, params, template % params)
    assert "不在允许的标签中" in chinese
    for lang, expected in (("zh_CN", "不在允许的标签中"), ("en", "is not an allowed label")):
        page = client.post(
            f"/phases/{world.open_phase_id}/submit?lang={lang}",
            data={"file": (io.BytesIO(MALFORMED["label_not_allowed"]), "p.csv"), "csrf_token": token},
            content_type="multipart/form-data",
        )
        assert page.status_code == 422
        text = page.get_data(as_text=True)
        assert expected in text
        assert "cat" in text
    assert _count(app) == 0


def test_the_data_page_shows_the_declared_labels_in_both_languages(
    app: Flask, client: FlaskClient, world: World
) -> None:
    _declare_digits(app)
    english = client.get("/c/demo?lang=en").get_data(as_text=True)
    chinese = client.get("/c/demo?lang=zh_CN").get_data(as_text=True)
    assert "What a prediction may be" in english and "<code>9</code>" in english
    assert "预测值的要求" in chinese and "<code>9</code>" in chinese
