"""The upload path: refusals that need no body come before it is read, and the body is read only to the track's limit.

The test site allows 64 KiB uploads (plus a margin for the form around the file); the track allows 32 KiB. A body
between the two would have been read in full before any check: that is what these tests send.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from arena.models import Submission
from arena.settings import Settings
from tests.web.conftest import World, api_team, csrf_from, login, make_user, token_for
from web.config import UPLOAD_MARGIN_BYTES
from web.extensions import db

TRACK_LIMIT = 32 * 1024
BODY_LIMIT = TRACK_LIMIT + UPLOAD_MARGIN_BYTES
BOUNDARY = "arena-test-boundary"
ROWS = b"id,label\n1,3\n2,5\n3,7\n"


class MultipartBody(io.RawIOBase):
    """A multipart body of form fields and one file of ``size`` bytes, made as it is read; counts what was read."""

    def __init__(self, size: int, fields: dict[str, str] | None = None, filename: str = "p.csv") -> None:
        super().__init__()
        parts = [
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
            for name, value in (fields or {}).items()
        ]
        file_head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        )
        self.head = ("".join(parts) + file_head).encode()
        self.tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        self.size = size
        self.length = len(self.head) + size + len(self.tail)
        self.position = 0
        self.delivered = 0

    def readable(self) -> bool:
        """A request body is read."""
        return True

    def seekable(self) -> bool:
        """The test client measures the body by seeking to its end and back."""
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        """Move without reading (only the test client does this, never the server)."""
        self.position = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.length}[whence] + offset
        return self.position

    def tell(self) -> int:
        """Where the next read starts."""
        return self.position

    def readinto(self, buffer: Any) -> int:
        """Fill ``buffer`` with the next bytes of the body."""
        wanted = min(len(buffer), self.length - self.position)
        out = bytearray()
        while len(out) < wanted:
            at = self.position + len(out)
            if at < len(self.head):
                out += self.head[at : at + wanted - len(out)]
            elif at < len(self.head) + len(ROWS) and self.size >= len(ROWS):
                # A well-formed predictions file, padded with blank lines to its size.
                start = at - len(self.head)
                out += ROWS[start : start + wanted - len(out)]
            elif at < len(self.head) + self.size:
                out += b"\n" * min(wanted - len(out), len(self.head) + self.size - at)
            else:
                start = at - len(self.head) - self.size
                out += self.tail[start : start + wanted - len(out)]
        buffer[: len(out)] = out
        self.position += len(out)
        self.delivered += len(out)
        return len(out)


def _send(client: FlaskClient, url: str, body: MultipartBody, *, chunked: bool = False, **kwargs: Any) -> TestResponse:
    """POST ``body``; with ``chunked`` there is no Content-Length and the server only marks the stream's end."""
    if chunked:
        kwargs["headers"] = {**kwargs.get("headers", {}), "Transfer-Encoding": "chunked"}
        kwargs["environ_overrides"] = {"wsgi.input_terminated": True}
    return client.post(url, input_stream=body, content_type=f"multipart/form-data; boundary={BOUNDARY}", **kwargs)


def _error(response: TestResponse) -> dict[str, Any]:
    body = response.get_json()
    assert isinstance(body, dict) and "error" in body, response.get_data(as_text=True)
    error: dict[str, Any] = body["error"]
    return error


@pytest.fixture
def data_dir(settings: Settings) -> Path:
    """The test site's data folder."""
    return Path(settings.data_dir)


def _no_leftovers(data_dir: Path) -> bool:
    """Whether the store's scratch area is empty (nothing staged was left behind)."""
    scratch = data_dir / "tmp"
    return not scratch.exists() or not any(scratch.iterdir())


def _team_token(app: Flask, client: FlaskClient, name: str = "uma") -> dict[str, str]:
    make_user(app, name)
    headers = token_for(client, name)
    api_team(client, headers, name.title())
    return headers


def test_an_upload_over_the_track_limit_is_refused_by_its_content_length_unread(
    app: Flask, client: FlaskClient, world: World, data_dir: Path
) -> None:
    headers = _team_token(app, client)
    body = MultipartBody(BODY_LIMIT + 1024)
    response = _send(client, f"/api/v1/phases/{world.open_phase_id}/submissions", body, headers=headers)
    assert response.status_code == 413
    error = _error(response)
    assert error["code"] == "file_too_large" and error["field"] == "file"
    assert "limit of 0.0312 MB" in error["message"], error["message"]
    assert body.delivered == 0, "the body was read although its Content-Length was over the limit"
    assert _no_leftovers(data_dir)


def test_a_body_without_content_length_is_cut_off_at_the_track_limit(
    app: Flask, client: FlaskClient, world: World, data_dir: Path
) -> None:
    headers = _team_token(app, client)
    body = MultipartBody(10 * 1024 * 1024)
    response = _send(client, f"/api/v1/phases/{world.open_phase_id}/submissions", body, chunked=True, headers=headers)
    assert response.status_code == 413 and _error(response)["code"] == "file_too_large", response.get_json()
    # Werkzeug reads in chunks of at most 64 KiB; nothing past the limit and one chunk.
    assert body.delivered <= BODY_LIMIT + 64 * 1024, body.delivered
    assert client.get(f"/api/v1/phases/{world.open_phase_id}/submissions", headers=headers).get_json() == {
        "submissions": []
    }
    assert _no_leftovers(data_dir)


def test_a_file_over_the_track_limit_inside_an_allowed_body_is_cut_off(
    app: Flask, client: FlaskClient, world: World, data_dir: Path
) -> None:
    headers = _team_token(app, client)
    body = MultipartBody(TRACK_LIMIT + 1)
    response = _send(client, f"/api/v1/phases/{world.open_phase_id}/submissions", body, headers=headers)
    assert response.status_code == 413 and _error(response)["code"] == "file_too_large"
    assert _no_leftovers(data_dir)


def test_a_file_at_the_track_limit_is_accepted(app: Flask, client: FlaskClient, world: World) -> None:
    headers = _team_token(app, client)
    body = MultipartBody(TRACK_LIMIT, fields={"description": "exactly at the limit"})
    response = _send(client, f"/api/v1/phases/{world.open_phase_id}/submissions", body, headers=headers)
    assert response.status_code == 202, response.get_json()


def _no_team(app: Flask, client: FlaskClient, world: World) -> tuple[dict[str, str], int]:
    make_user(app, "vic")
    return token_for(client, "vic"), world.open_phase_id


def _closed_phase(app: Flask, client: FlaskClient, world: World) -> tuple[dict[str, str], int]:
    return _team_token(app, client, "wes"), world.closed_phase_id


def _quota_used(app: Flask, client: FlaskClient, world: World) -> tuple[dict[str, str], int]:
    headers = _team_token(app, client, "xia")
    for _ in range(2):
        sent = client.post(
            f"/api/v1/phases/{world.open_phase_id}/submissions",
            headers=headers,
            data={"file": (io.BytesIO(ROWS), "p.csv")},
            content_type="multipart/form-data",
        )
        assert sent.status_code == 202, sent.get_json()
    return headers, world.open_phase_id


@pytest.mark.parametrize(
    ("situation", "status", "code"),
    [(_no_team, 403, "forbidden"), (_closed_phase, 409, "phase_closed"), (_quota_used, 429, "quota_exceeded")],
    ids=["no-team", "closed-phase", "quota-used"],
)
def test_refusals_that_need_no_body_come_before_it_is_read(  # noqa: PLR0913
    app: Flask, client: FlaskClient, world: World, situation: Any, status: int, code: str
) -> None:
    headers, phase_id = situation(app, client, world)
    for size in (BODY_LIMIT - 4096, BODY_LIMIT + 4096):
        body = MultipartBody(size)
        response = _send(client, f"/api/v1/phases/{phase_id}/submissions", body, headers=headers)
        assert (response.status_code, _error(response)["code"]) == (status, code), size
        assert body.delivered == 0, f"{body.delivered} bytes were read before refusing"


def _page_form(client: FlaskClient, world: World) -> dict[str, str]:
    make_user(client.application, "yan")
    login(client, "yan")
    token = csrf_from(client.get("/c/demo/team").get_data(as_text=True))
    client.post("/c/demo/team/create", data={"name": "Yans", "csrf_token": token})
    return {"csrf_token": csrf_from(client.get(f"/phases/{world.open_phase_id}/submit").get_data(as_text=True))}


def test_the_submit_page_refuses_by_content_length_unread(client: FlaskClient, world: World) -> None:
    fields = _page_form(client, world)
    body = MultipartBody(BODY_LIMIT + 1024, fields=fields)
    response = _send(client, f"/phases/{world.open_phase_id}/submit?lang=zh_CN", body)
    assert response.status_code == 413 and body.delivered == 0
    assert "0.0312 MB" in response.get_data(as_text=True)
    cut = MultipartBody(10 * 1024 * 1024, fields=fields)
    response = _send(client, f"/phases/{world.open_phase_id}/submit", cut, chunked=True)
    assert response.status_code == 413 and cut.delivered <= BODY_LIMIT + 64 * 1024


def test_the_submit_page_still_checks_its_csrf_token(client: FlaskClient, world: World) -> None:
    fields = _page_form(client, world)
    forged = client.post(
        f"/phases/{world.open_phase_id}/submit",
        data={"file": (io.BytesIO(ROWS), "p.csv")},
        content_type="multipart/form-data",
    )
    assert forged.status_code == 400
    with client.application.app_context():
        assert db.session.query(Submission).count() == 0
    sent = client.post(
        f"/phases/{world.open_phase_id}/submit",
        data={"file": (io.BytesIO(ROWS), "p.csv"), **fields},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 302
