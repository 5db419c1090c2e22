"""Public files: the API's listing, and resumable downloads (Range, If-Range, ETag) on the API and the page."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from arena.db import utcnow
from arena.models import ChallengeFile
from tests.web.conftest import World, make_user, token_for
from web.extensions import db

BODY = b"id,label\n1,0\n2,0\n3,0\n"
SHA = hashlib.sha256(BODY).hexdigest()


def fetch(client: FlaskClient, url: str, **headers: str) -> TestResponse:
    """GET ``url`` and read the whole body, closing the file the response streams from."""
    response = client.get(url, headers=headers)
    response.get_data()
    response.close()
    return response


def test_the_listing_names_each_file_with_size_hash_and_urls(client: FlaskClient, world: World) -> None:
    listing = client.get(f"/api/v1/challenges/{world.slug}/files").get_json()
    assert listing["challenge"] == world.slug
    (entry,) = listing["files"]
    assert entry["id"] == world.public_file_id
    assert entry["name"] == "sample_submission.csv"
    assert entry["sha256"] == SHA and entry["size"] == 22  # the size the fixture recorded
    assert entry["api_download_url"].endswith(f"/api/v1/challenges/{world.slug}/files/{world.public_file_id}")
    assert entry["download_url"].endswith(f"/c/{world.slug}/files/{world.public_file_id}")


def test_a_file_not_yet_available_is_listed_and_served_only_to_organizers(
    app: Flask, client: FlaskClient, world: World
) -> None:
    with app.app_context():
        file = db.session.get(ChallengeFile, world.public_file_id)
        assert file is not None
        file.available_from = utcnow() + timedelta(days=1)
        db.session.commit()
    make_user(app, "olga", organizer_of=world.slug)
    olga = token_for(client, "olga")
    url = f"/api/v1/challenges/{world.slug}/files"
    assert client.get(url).get_json()["files"] == []
    assert client.get(f"{url}/{world.public_file_id}").status_code == 404
    assert len(client.get(url, headers=olga).get_json()["files"]) == 1
    assert fetch(client, f"{url}/{world.public_file_id}", **olga).data == BODY


@pytest.mark.parametrize("prefix", ["/api/v1/challenges", "/c"])
def test_a_download_resumes_from_a_byte_offset(client: FlaskClient, world: World, prefix: str) -> None:
    url = f"{prefix}/{world.slug}/files/{world.public_file_id}"
    whole = fetch(client, url)
    assert whole.status_code == 200 and whole.data == BODY
    assert whole.headers["ETag"] == f'"{SHA}"'
    assert whole.headers["Accept-Ranges"] == "bytes"
    assert "attachment" in whole.headers["Content-Disposition"]
    rest = fetch(client, url, Range="bytes=9-", **{"If-Range": f'"{SHA}"'})
    assert rest.status_code == 206
    assert rest.headers["Content-Range"] == f"bytes 9-{len(BODY) - 1}/{len(BODY)}"
    assert BODY[:9] + rest.data == BODY
    # A client holding a part of another version gets the whole current file, never a mixture.
    changed = fetch(client, url, Range="bytes=9-", **{"If-Range": '"0000"'})
    assert changed.status_code == 200 and changed.data == BODY
    assert fetch(client, url, **{"If-None-Match": f'"{SHA}"'}).status_code == 304


def test_a_range_past_the_end_is_416_with_the_length(client: FlaskClient, world: World) -> None:
    response = fetch(
        client, f"/api/v1/challenges/{world.slug}/files/{world.public_file_id}", Range=f"bytes={len(BODY)}-"
    )
    assert response.status_code == 416
    assert response.headers["Content-Range"] == f"bytes */{len(BODY)}"
    assert response.get_json()["error"]["code"] == "range_not_satisfiable"


def test_another_challenges_file_id_is_404(client: FlaskClient, world: World) -> None:
    response = client.get(f"/api/v1/challenges/nope/files/{world.public_file_id}")
    assert response.status_code == 404
    assert client.get(f"/api/v1/challenges/{world.slug}/files/999").get_json()["error"]["code"] == "not_found"


def test_the_page_says_so_in_the_viewers_language(client: FlaskClient, world: World) -> None:
    url = f"/c/{world.slug}/files/{world.public_file_id}"
    response = fetch(client, url, Range="bytes=999-", **{"Accept-Language": "zh-CN"})
    assert response.status_code == 416
    assert "请求的字节范围超出了文件末尾" in response.get_data(as_text=True)
