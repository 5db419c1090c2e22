"""Evaluating result submissions: scoring per split, and every bad file ending failed with a useful message."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from arena.boards.splits import public_mask
from arena.enums import FailureClass, Split, SubmissionStatus
from arena.evaluation.pipeline import evaluate_submission
from arena.models import Score
from arena.settings import Settings
from arena.storage import BlobStore
from arena.submissions import InvalidPredictionsFile
from arena.submissions.lifecycle import current_scores
from tests.factories import (
    accepted_unchecked,
    answers,
    first_phase,
    make_challenge,
    make_team,
    make_user,
    upload,
)

CANARY = "zz-canary-label"
TRUTH = ["a", "b", "a", "a", "b", "a", "b", "a", "a", CANARY] * 2


def _setup(session: Session, store: BlobStore, tmp_path: Path):  # type: ignore[no-untyped-def]
    challenge = make_challenge(session, store, tmp_path / "b", labels=TRUTH, daily_quota=50)
    user = make_user(session, "alice")
    make_team(session, user, challenge)
    return first_phase(challenge), user


def test_a_good_file_is_scored_on_both_splits(
    session: Session, settings: Settings, store: BlobStore, tmp_path: Path
) -> None:
    phase, user = _setup(session, store, tmp_path)
    guess = ["a"] * 20
    submission = upload(session, store, user, phase, answers(guess))
    outcome = evaluate_submission(session, settings, store, submission.id)
    assert outcome.status == SubmissionStatus.SCORED
    scores = current_scores(session, submission)
    mask = public_mask([f"r{i}" for i in range(20)], phase.split_seed, phase.public_fraction)
    for split, rows in ((Split.PUBLIC, mask), (Split.PRIVATE, ~mask)):
        expected = sum(1 for i in range(20) if rows[i] and guess[i] == TRUTH[i]) / rows.sum()
        row: Score = scores[split]
        assert row.primary == pytest.approx(expected)
        assert row.cases == rows.sum() and row.labels_sha256 == phase.labels_sha256
        assert row.submission_sha256 == submission.file_sha256 and row.scorer_name == "accuracy"
        assert store.exists(row.per_case_sha256)
    # Evaluating again is a no-op.
    assert evaluate_submission(session, settings, store, submission.id).status == SubmissionStatus.SCORED


BAD_FILES = {
    "missing ids": (answers(["a"] * 19), "no row"),
    "duplicate ids": (b"id,label\n" + b"".join(f"r{i},a\n".encode() for i in range(20)) + b"r3,a\n", "more than once"),
    "unknown ids": (answers(["a"] * 20) + b"zzz,a\n", "zzz"),
    "wrong columns": (b"id,guess\n" + b"".join(f"r{i},a\n".encode() for i in range(20)), "label"),
    "extra columns": (b"id,label,x\n" + b"".join(f"r{i},a,1\n".encode() for i in range(20)), "x"),
    "empty values": (b"id,label\n" + b"".join(f"r{i},\n".encode() for i in range(20)), "r0"),
    "binary": (b"\x00\x01\x02PK\x03\x04" * 50, "binary"),
    "wrong encoding": (b"id,label\n" + "".join(f"r{i},é\n" for i in range(20)).encode("latin-1"), "UTF-8"),
    "header only": (b"id,label\n", "no rows"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_files_fail_with_a_message_that_says_what_to_fix(
    case: str, session: Session, settings: Settings, store: BlobStore, tmp_path: Path
) -> None:
    phase, user = _setup(session, store, tmp_path)
    content, hint = BAD_FILES[case]
    # The upload refuses the file at once, with the message the worker would record.
    with pytest.raises(InvalidPredictionsFile) as refusal:
        upload(session, store, user, phase, content)
    assert hint.lower() in refusal.value.message.lower(), refusal.value.message
    assert CANARY not in refusal.value.message
    session.rollback()
    # The worker checks again (defence in depth; code tracks' output is only checked there).
    submission = accepted_unchecked(session, store, user, phase, content)
    outcome = evaluate_submission(session, settings, store, submission.id)
    session.refresh(submission)
    assert outcome.status == SubmissionStatus.FAILED
    assert submission.failure_class == FailureClass.INVALID_FILE
    message = submission.error_message
    assert hint.lower() in message.lower(), message
    assert "Traceback" not in message and CANARY not in message
    if case == "missing ids":
        assert "r19" not in message
