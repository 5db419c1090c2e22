"""What a code submission's page says when the archive or the run fails, in the viewer's language.

That every archive refusal has a catalogue entry is checked in test_translations.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from arena.accounts import users as accounts
from arena.db import utcnow
from arena.enums import SubmissionStatus
from arena.evaluation.coderuns import FAILURE_MESSAGES, NO_PREDICTIONS
from arena.evaluation.pipeline import PLATFORM_GAVE_UP, SCORER_BROKEN, evaluate_submission
from arena.models import Phase, Submission
from sandbox import ArchiveError, DockerRunner, extract_archive, read_manifest
from sandbox.manifest import EXPECTED_LAYOUT
from tests.factories import zip_bytes
from tests.web.conftest import World, api_team, login, make_user, token_for
from web import state
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


def test_a_worker_refused_archive_page_speaks_chinese(app: Flask, client: FlaskClient, world: World) -> None:
    make_user(app, "ann")
    ann = token_for(client, "ann")
    team_id = int(str(api_team(client, ann, "Ann")["id"]))
    archive = zip_bytes({"../evil.py": b"print(1)"})
    with app.app_context():
        phase = db.session.get(Phase, world.open_phase_id)
        assert phase is not None
        phase.track.kind = "code"
        # Uploads refuse such an archive; one stored before that check (or placed by hand) is refused by the worker.
        submission = Submission(
            phase_id=phase.id,
            team_id=team_id,
            user_id=accounts.get_user_by_name(db.session(), "ann").id,
            kind="code",
            status=SubmissionStatus.QUEUED,
            file_sha256=state.store().put_bytes(archive),
            file_name="code.zip",
            file_size=len(archive),
            created_at=utcnow(),
        )
        db.session.add(submission)
        db.session.commit()
        # The archive is refused before any container is started, so the runner is never called.
        evaluate_submission(db.session(), state.settings(), state.store(), submission.id, DockerRunner())
        submission_id = submission.id
    body = client.get(f"/api/v1/submissions/{submission_id}", headers=ann).get_json()
    assert body["status"] == "failed" and "points outside the archive" in body["error"], body
    login(client, "ann")
    zh_page = client.get(f"/submissions/{submission_id}?lang=zh-CN").get_data(as_text=True)
    assert "指向压缩包之外" in zh_page and "points outside the archive" not in zh_page
    assert "points outside the archive" in client.get(f"/submissions/{submission_id}?lang=en").get_data(as_text=True)
