"""What a code submission's page says when the archive or the run fails, in the viewer's language.

That every archive refusal has a catalogue entry is checked in test_translations.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from arena.coderuns import FAILURE_MESSAGES, NO_PREDICTIONS
from arena.evaluation import PLATFORM_GAVE_UP, SCORER_BROKEN
from arena.models import Phase
from sandbox import ArchiveError, DockerRunner, extract_archive, read_manifest
from sandbox.manifest import EXPECTED_LAYOUT
from tests.factories import zip_bytes
from tests.web.conftest import World, failed_submission
from web.extensions import db
from web.i18n import localized_message

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize(
    "message", [*FAILURE_MESSAGES.values(), NO_PREDICTIONS, SCORER_BROKEN, PLATFORM_GAVE_UP, EXPECTED_LAYOUT]
)
def test_fixed_run_messages_are_translated(app: Flask, message: str) -> None:
    with app.test_request_context("/?lang=zh_CN"):
        assert CJK.search(localized_message("", {}, message)), message
    with app.test_request_context("/?lang=en"):
        assert localized_message("", {}, message) == message


@pytest.mark.parametrize(
    ("files", "shown"),
    [
        ({"../evil.py": b"x"}, "'../evil.py'"),
        ({"main.py": b"", "arena.yaml": b"command: [python, main.py]\n", "arena.yml": b"x: 1\n"}, "arena.yaml"),
        ({"arena.yaml": b"command: python\n"}, "arena.yaml"),
        ({"arena.yaml": b"comand: [python, main.py]\n"}, "['comand']"),
        ({"predict.py": b""}, "main.py"),
    ],
)
def test_real_archive_errors_read_in_chinese(app: Flask, tmp_path: Path, files: dict[str, bytes], shown: str) -> None:
    upload = tmp_path / "upload.zip"
    upload.write_bytes(zip_bytes(files))
    with pytest.raises(ArchiveError) as info:
        extracted = extract_archive(
            upload, tmp_path / "code", max_files=50, max_total_bytes=10**6, max_file_bytes=10**6
        )
        read_manifest(extracted.root)
    error = info.value
    with app.test_request_context("/?lang=zh_CN"):
        text = localized_message(error.template, error.params, error.message)
    assert CJK.search(text) and shown in text, text
    with app.test_request_context("/?lang=en"):
        assert localized_message(error.template, error.params, error.message) == error.message


def test_the_page_of_a_refused_code_archive_speaks_chinese(app: Flask, client: FlaskClient, world: World) -> None:
    with app.app_context():
        phase = db.session.get(Phase, world.open_phase_id)
        assert phase is not None
        phase.track.kind = "code"
        db.session.commit()
    # The archive is refused before any container is started, so the runner is never called.
    shown = failed_submission(
        app, client, world.open_phase_id, zip_bytes({"../evil.py": b"print(1)"}), "code.zip", DockerRunner()
    )
    assert shown.status == "failed" and "points outside the archive" in shown.api_error, shown.api_error
    assert "指向压缩包之外" in shown.zh_page and "points outside the archive" not in shown.zh_page
    assert "points outside the archive" in shown.en_page
