"""Malicious code archives are refused at upload, and refused again by the worker if one ever reaches it.

Upload: the API answers 422 with the message a run would record; nothing is stored or counted. Worker (defence in
depth): an archive placed in the queue without passing the upload checks fails `invalid_file` before any container
is created.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import pytest

from arena.accounts import users as accounts
from arena.db import utcnow
from arena.enums import FailureClass, SubmissionStatus
from arena.evaluation.queueing import enqueue_evaluation
from arena.models import Phase, Submission
from arena.submissions.archives import unpack_code
from arena.teams import membership as teams
from sandbox.archives import ArchiveError
from tests.archives import ARCHIVES, file_name
from tests.integration.conftest import HostileArena

pytestmark = pytest.mark.docker


def _worker_message(archive: bytes) -> str:
    """Return what the worker's own unpacking says of ``archive``."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "upload"
        path.write_bytes(archive)
        with pytest.raises(ArchiveError) as refused:
            unpack_code(path, Path(folder) / "code")
    return refused.value.message


def _queued_past_intake(hostile: HostileArena, phase_id: int, archive: bytes, name: str) -> int:
    """Store an archive and queue it as mallory's submission directly, as if the upload checks had been skipped."""
    session = hostile.session
    phase = session.get(Phase, phase_id)
    assert phase is not None
    user = accounts.get_user_by_name(session, "mallory")
    team = teams.team_of(session, user.id, phase.track.challenge.id)
    assert team is not None
    submission = Submission(
        phase_id=phase_id,
        team_id=team.id,
        user_id=user.id,
        kind=phase.track.kind,
        status=SubmissionStatus.QUEUED,
        file_sha256=hostile.store.put_bytes(archive),
        file_name=name,
        file_size=len(archive),
        created_at=utcnow(),
    )
    session.add(submission)
    session.commit()
    submission.job_id = enqueue_evaluation(hostile.settings, submission)
    session.commit()
    return submission.id


def test_malicious_archives_are_refused_at_upload_and_again_before_running(hostile: HostileArena) -> None:
    phase = hostile.code_phase("archives")
    token = hostile.participant("mallory", phase)
    headers = {"Authorization": f"Bearer {token}"}
    for name, build in ARCHIVES.items():
        archive = build()
        response = hostile.client.post(
            f"/api/v1/phases/{phase}/submissions",
            data={"file": (io.BytesIO(archive), file_name(name))},
            headers=headers,
            content_type="multipart/form-data",
        )
        error = response.get_json()["error"]
        assert (response.status_code, error["code"], error["field"]) == (422, "invalid_archive", "file"), name
        assert error["message"] == _worker_message(archive), name
    listed = hostile.client.get(f"/api/v1/phases/{phase}/submissions", headers=headers).get_json()
    assert listed == {"submissions": []}
    quota = hostile.client.get(f"/api/v1/phases/{phase}/quota", headers=headers).get_json()
    assert quota["used_today"] == 0 and quota["remaining_today"] == quota["daily_limit"], quota

    queued = {name: _queued_past_intake(hostile, phase, build(), file_name(name)) for name, build in ARCHIVES.items()}
    hostile.work()
    data_dir = hostile.settings.data_dir
    for name, submission_id in queued.items():
        submission = hostile.submission(submission_id)
        assert (submission.status, submission.failure_class) == (SubmissionStatus.FAILED, FailureClass.INVALID_FILE), (
            name,
            submission.status,
            submission.error_message,
        )
        assert submission.error_message == _worker_message(ARCHIVES[name]()), name
        # No run was recorded: the sandbox was never asked to start a container for it. (Engine events by the
        # submission label are no proof here: other databases on the same engine reuse the same ids.)
        # run_info holds only the refusal's message (template and parameters, for translated pages).
        assert submission.log_sha256 == "" and set(submission.run_info) <= {"message"}, (name, submission.run_info)
        assert not hostile.run_dir(submission_id).exists(), name
    assert not list(data_dir.parent.glob("**/escaped*")), "an archive wrote outside its folder"
