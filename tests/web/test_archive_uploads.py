"""Code archives are checked at upload as a run would check them: a refused one is answered 422 with the run's
message (translated on pages), and becomes no submission, no stored file and no use of quota."""

from __future__ import annotations

import io
import tempfile
import uuid
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from arena.models import Phase, Submission
from arena.settings import Settings
from arena.submissions.archives import unpack_code
from sandbox.archives import ArchiveError
from tests.archives import ARCHIVES, MAIN, file_name
from tests.factories import zip_bytes
from tests.web.conftest import World, api_team, csrf_from, login, make_user, token_for
from web.extensions import db
from web.i18n import localized_message

ARCHIVE_LIMIT = 1024 * 1024


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """The web tests' settings with room for archives of up to 1 MiB."""
    return Settings.from_env(
        {},
        data_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path}/arena.sqlite",
        secret_key="test-secret",
        testing=True,
        max_upload_bytes=4 * ARCHIVE_LIMIT,
        queue_name=f"test-web-{uuid.uuid4().hex[:8]}",
        default_locale="en",
        redis_url="redis://127.0.0.1:1/0",
    )


@pytest.fixture
def code_phase(app: Flask, world: World) -> int:
    """The open phase, turned into a code track."""
    with app.app_context():
        phase = db.session.get(Phase, world.open_phase_id)
        assert phase is not None
        phase.track.kind = "code"
        phase.track.max_upload_bytes = ARCHIVE_LIMIT
        db.session.commit()
    return world.open_phase_id


def _refusal(archive: bytes) -> ArchiveError:
    """Return what a run's own unpacking says of ``archive``."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "upload"
        path.write_bytes(archive)
        with pytest.raises(ArchiveError) as refused:
            unpack_code(path, Path(folder) / "code")
    return refused.value


def _stored(app: Flask, settings: Settings) -> tuple[int, list[Path]]:
    """The number of submissions and every file in the blob store and its scratch area."""
    with app.app_context():
        count = db.session.query(Submission).count()
    root = Path(settings.data_dir)
    return count, sorted(p for folder in ("blobs", "tmp") for p in (root / folder).rglob("*") if p.is_file())


@pytest.mark.parametrize("name", sorted(ARCHIVES))
def test_a_refused_archive_is_answered_422_and_leaves_nothing(
    app: Flask, client: FlaskClient, code_phase: int, settings: Settings, name: str
) -> None:
    make_user(app, "zed")
    headers = token_for(client, "zed")
    api_team(client, headers, "Zeds")
    before = _stored(app, settings)
    archive = ARCHIVES[name]()
    response = client.post(
        f"/api/v1/phases/{code_phase}/submissions",
        headers=headers,
        data={"file": (io.BytesIO(archive), file_name(name))},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert (error["code"], error["field"], error["message"]) == ("invalid_archive", "file", _refusal(archive).message)
    assert _stored(app, settings) == before, "a refused archive left a submission or a file behind"
    quota = client.get(f"/api/v1/phases/{code_phase}/quota", headers=headers).get_json()
    assert quota["used_today"] == 0 and quota["used_total"] == 0, quota


def test_a_good_archive_is_accepted_and_the_check_leaves_no_scratch(
    app: Flask, client: FlaskClient, code_phase: int, settings: Settings
) -> None:
    make_user(app, "amy")
    headers = token_for(client, "amy")
    api_team(client, headers, "Amys")
    response = client.post(
        f"/api/v1/phases/{code_phase}/submissions",
        headers=headers,
        data={"file": (io.BytesIO(zip_bytes({"main.py": MAIN, "lib/util.py": "X = 1\n"})), "code.zip")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 202, response.get_json()
    scratch = Path(settings.data_dir) / "tmp"
    assert not scratch.exists() or not any(scratch.iterdir())


def test_the_submit_page_shows_the_refusal_in_the_viewers_language(
    app: Flask, client: FlaskClient, code_phase: int, settings: Settings
) -> None:
    make_user(app, "bea")
    login(client, "bea")
    token = csrf_from(client.get("/c/demo/team").get_data(as_text=True))
    client.post("/c/demo/team/create", data={"name": "Beas", "csrf_token": token})
    archive = zip_bytes({"main.py": MAIN, "../evil.py": "print(1)"})
    refusal = _refusal(archive)
    with app.test_request_context("/?lang=zh_CN"):
        chinese = localized_message(refusal.template, refusal.params, refusal.message)
    before = _stored(app, settings)
    for lang, shown in (("zh_CN", chinese), ("en", refusal.message)):
        page = client.post(
            f"/phases/{code_phase}/submit?lang={lang}",
            data={"file": (io.BytesIO(archive), "code.zip"), "csrf_token": token},
            content_type="multipart/form-data",
        )
        text = page.get_data(as_text=True)
        assert page.status_code == 422
        assert shown.replace("'", "&#39;") in text, text
    assert "指向压缩包之外" in chinese
    assert _stored(app, settings) == before
