"""Uploads when the file store fails: 503 with Retry-After when it is out of reach, 507 when it is nearly full.

Either way nothing is half-written: no submission row, no staged file, no blob (the S3 outage is tested
against a real server in tests/integration/test_storage_s3.py).
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from arena.models import Submission
from arena.settings import Settings
from arena.storage import sha256_bytes
from tests.web.conftest import World, api_team, csrf_from, login, make_user, token_for
from web.extensions import db

CSV = b"id,label\n1,3\n2,0\n3,7\n"


def _api_upload(client: FlaskClient, headers: dict[str, str], world: World) -> TestResponse:
    return client.post(
        f"/api/v1/phases/{world.open_phase_id}/submissions",
        data={"file": (io.BytesIO(CSV), "p.csv")},
        headers=headers,
        content_type="multipart/form-data",
    )


def _page_upload(client: FlaskClient, world: World, lang: str) -> TestResponse:
    token = csrf_from(client.get(f"/phases/{world.open_phase_id}/submit").get_data(as_text=True))
    return client.post(
        f"/phases/{world.open_phase_id}/submit?lang={lang}",
        data={"file": (io.BytesIO(CSV), "p.csv"), "csrf_token": token},
        content_type="multipart/form-data",
    )


def _nothing_stored(app: Flask, data_dir: Path) -> None:
    with app.app_context():
        assert db.session.query(Submission).count() == 0
    scratch = data_dir / "tmp"
    assert not scratch.is_dir() or not any(scratch.iterdir())
    assert not (data_dir / "blobs" / sha256_bytes(CSV)[:2] / sha256_bytes(CSV)[2:]).exists()


def _participant(app: Flask, client: FlaskClient) -> dict[str, str]:
    make_user(app, "sam")
    headers = token_for(client, "sam")
    api_team(client, headers, "Sams")
    login(client, "sam")
    return headers


def test_a_nearly_full_store_refuses_uploads_with_507(
    app: Flask, client: FlaskClient, world: World, settings: Settings
) -> None:
    headers = _participant(app, client)
    # The world's files are in; now demand more free space than any disk has.
    object.__setattr__(app.extensions["arena"].store.backend, "min_free_bytes", 1 << 62)
    response = _api_upload(client, headers, world)
    assert response.status_code == 507, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "storage_full" and "nearly full" in error["message"]
    page = _page_upload(client, world, "zh_CN")
    assert page.status_code == 507 and "文件存储空间即将用尽" in page.get_data(as_text=True)
    _nothing_stored(app, Path(settings.data_dir))


def test_an_unreachable_store_answers_503_with_retry_after(
    app: Flask, client: FlaskClient, world: World, settings: Settings
) -> None:
    headers = _participant(app, client)
    data_dir = Path(settings.data_dir)
    # The shared mount's folder is gone: a file stands where the scratch folder was.
    (data_dir / "tmp").rmdir()
    (data_dir / "tmp").write_text("")
    response = _api_upload(client, headers, world)
    assert response.status_code == 503 and response.headers["Retry-After"] == "30", response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "storage_unavailable" and "nothing was saved" in error["message"]
    page = _page_upload(client, world, "zh_CN")
    assert page.status_code == 503 and page.headers["Retry-After"] == "30"
    assert "暂时无法连接文件存储" in page.get_data(as_text=True)
    (data_dir / "tmp").unlink()
    _nothing_stored(app, data_dir)
    again = _api_upload(client, headers, world)
    assert again.status_code == 202, again.get_json()


@pytest.mark.parametrize("status", [503, 507])
def test_the_openapi_document_lists_storage_failures_for_uploads(client: FlaskClient, status: int) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    upload = spec["paths"]["/phases/{phase_id}/submissions"]["post"]["responses"]
    assert str(status) in upload and upload[str(status)]["content"]["application/json"]
