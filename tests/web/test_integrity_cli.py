"""``arena challenges import`` starts a rescore when the hidden key changes."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select

from arena.db import make_engine, make_session_factory
from arena.enums import SubmissionStatus
from arena.evaluation.pipeline import evaluate_submission
from arena.models import Challenge, RescoreRun, Submission
from arena.settings import Settings
from arena.storage import BlobStore
from tests.factories import answers, first_phase, make_team, make_user, upload, write_bundle
from web.cli import main

TRUTH = ["a" if i % 3 else "b" for i in range(20)]


def test_reimport_with_a_new_key_rescores_in_the_background(tmp_path: Path, redis_url: str) -> None:
    settings = Settings.from_env(
        {},
        data_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path}/cli.sqlite",
        redis_url=redis_url,
        queue_name="test-cli-rescore",
    )
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"], obj=settings).exit_code == 0
    bundle = write_bundle(tmp_path / "bundle", labels=TRUTH)
    assert runner.invoke(main, ["challenges", "import", str(bundle)], obj=settings).exit_code == 0
    engine = make_engine(settings.database_url)
    store = BlobStore(settings.data_dir)
    with make_session_factory(engine)() as session:
        challenge = session.scalar(select(Challenge))
        assert challenge is not None
        user = make_user(session, "alice")
        make_team(session, user, challenge)
        submission = upload(session, store, user, first_phase(challenge), answers(TRUTH))
        evaluate_submission(session, settings, store, submission.id)
        submission_id = submission.id
    write_bundle(tmp_path / "bundle", labels=["b" if v == "a" else "a" for v in TRUTH])
    result = runner.invoke(main, ["challenges", "import", str(bundle)], obj=settings)
    assert result.exit_code == 0, result.output
    assert "rescoring 1 submission(s)" in result.output and "score version 2" in result.output
    with make_session_factory(engine)() as session:
        run = session.scalar(select(RescoreRun))
        assert run is not None and (run.version, run.total, run.submission_ids) == (2, 1, [submission_id])
        again = session.get(Submission, submission_id)
        assert again is not None and again.status == SubmissionStatus.QUEUED and again.job_id
    engine.dispose()
