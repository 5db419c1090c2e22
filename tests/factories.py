"""Builders for test data: small bundles written to disk and imported, users, teams and uploads."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.orm import Session

from arena.accounts import users as accounts
from arena.challenges.bundles import import_bundle
from arena.db import utcnow
from arena.enums import Split, SubmissionStatus
from arena.models import Challenge, Phase, Score, Submission, Team, User
from arena.storage import BlobStore
from arena.submissions import lifecycle as submissions
from arena.teams import membership as teams

PASSWORD = "correct horse battery"


def _iso(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def write_bundle(
    root: Path,
    *,
    slug: str = "toy",
    scorer: str = "accuracy",
    direction: str | None = None,
    rows: int = 20,
    labels: list[str] | None = None,
    opens: datetime | None = None,
    closes: datetime | None = None,
    daily_quota: int = 5,
    total_quota: int | None = None,
    public_fraction: float = 0.5,
    team_size_max: int = 2,
    overrides: dict[str, Any] | None = None,
    kind: str = "result",
    runner: dict[str, Any] | None = None,
    max_upload_mb: int = 1,
    phase_options: dict[str, Any] | None = None,
    key_extra: dict[str, str] | None = None,
    input_files: dict[str, str] | None = None,
) -> Path:
    """Write a small bundle (ids ``r0..``; labels ``a``/``b``) and return its folder.

    ``kind="code"`` adds hidden inputs (``ids.txt`` plus ``input_files``) and a runner; ``key_extra`` adds
    constant columns to the key; ``phase_options`` are merged into the phase.
    """
    root.mkdir(parents=True, exist_ok=True)
    (root / "pages").mkdir(exist_ok=True)
    for page in ("description", "rules"):
        (root / "pages" / f"{page}.en.md").write_text(f"# {page}\n\nEnglish {page}.\n", encoding="utf-8")
        (root / "pages" / f"{page}.zh.md").write_text(f"# {page}\n\n中文{page}。\n", encoding="utf-8")
    (root / "public").mkdir(exist_ok=True)
    (root / "hidden").mkdir(exist_ok=True)
    values = labels or [("a" if i % 3 else "b") for i in range(rows)]
    extra = key_extra or {}
    header = ",".join(["id", "label", *extra])
    key = header + "\n" + "".join(",".join([f"r{i}", v, *extra.values()]) + "\n" for i, v in enumerate(values))
    (root / "hidden" / "labels.csv").write_text(key, encoding="utf-8")
    sample = "id,label\n" + "".join(f"r{i},a\n" for i in range(len(values)))
    (root / "public" / "sample_submission.csv").write_text(sample, encoding="utf-8")
    phase: dict[str, Any] = {
        "slug": "one",
        "title": {"en": "Round one", "zh": "第一轮"},
        "opens": _iso(opens or utcnow() - timedelta(days=1)),
        "closes": _iso(closes or utcnow() + timedelta(days=30)),
        "daily_quota": daily_quota,
        "public_fraction": public_fraction,
        "labels": "hidden/labels.csv",
    }
    if total_quota is not None:
        phase["total_quota"] = total_quota
    phase.update(phase_options or {})
    if kind == "code":
        (root / "hidden" / "inputs").mkdir(exist_ok=True)
        (root / "hidden" / "inputs" / "ids.txt").write_text("".join(f"r{i}\n" for i in range(len(values))), "utf-8")
        for name, text in (input_files or {}).items():
            (root / "hidden" / "inputs" / name).write_text(text, encoding="utf-8")
        phase["inputs"] = "hidden/inputs"
    track: dict[str, Any] = {
        "slug": "main",
        "kind": kind,
        "title": {"en": "Main track", "zh": "主赛道"},
        "scorer": scorer,
        "id_column": "id",
        "target_columns": ["label"],
        "precision": 4,
        "max_upload_mb": max_upload_mb,
        "phases": [phase],
    }
    if direction:
        track["direction"] = direction
    if kind == "code":
        track["runner"] = runner or {"limits": {"wall_seconds": 60, "memory_mb": 256, "pids": 64, "output_mb": 5}}
    spec: dict[str, Any] = {
        "format": 1,
        "slug": slug,
        "title": {"en": "Toy challenge", "zh": "玩具赛题"},
        "summary": {"en": "A toy", "zh": "玩具"},
        "text": {
            "description": {"en": "pages/description.en.md", "zh": "pages/description.zh.md"},
            "rules": {"en": "pages/rules.en.md", "zh": "pages/rules.zh.md"},
        },
        "team_size_max": team_size_max,
        "public_files": [
            {"path": "public/sample_submission.csv", "title": {"en": "Sample submission", "zh": "提交样例"}}
        ],
        "tracks": [track],
    }
    spec.update(overrides or {})
    (root / "challenge.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return root


def make_challenge(session: Session, store: BlobStore, root: Path, **options: Any) -> Challenge:
    """Write and import a toy bundle; return the challenge."""
    report = import_bundle(session, store, write_bundle(root, **options))
    session.commit()
    challenge = session.get(Challenge, report.challenge_id)
    assert challenge is not None
    return challenge


def first_phase(challenge: Challenge) -> Phase:
    """Return the first phase of the first track."""
    return challenge.tracks[0].phases[0]


def make_user(session: Session, name: str, *, admin: bool = False) -> User:
    """Create a user with the shared test password."""
    user = accounts.create_user(session, name, PASSWORD, is_admin=admin)
    session.commit()
    return user


def make_team(session: Session, user: User, challenge: Challenge, name: str | None = None) -> Team:
    """Create a team captained by ``user``."""
    team = teams.create_team(session, user, challenge, name or f"team {user.username}")
    session.commit()
    return team


def upload(
    session: Session,
    store: BlobStore,
    user: User,
    phase: Phase,
    content: bytes,
    *,
    name: str = "sub.csv",
    now: datetime | None = None,
) -> Submission:
    """Submit ``content`` as ``user`` and commit."""
    submission = submissions.submit(
        session, store, user=user, phase=phase, stream=io.BytesIO(content), filename=name, now=now
    )
    session.commit()
    return submission


def accepted_unchecked(session: Session, store: BlobStore, user: User, phase: Phase, content: bytes) -> Submission:
    """Record ``content`` as a queued submission without the upload's checks (as a file accepted before a
    key or a declaration changed would be), for testing the worker's own checks; commit."""
    team = submissions.check_submittable(session, user=user, phase=phase, now=utcnow())
    submission = Submission(
        phase_id=phase.id,
        team_id=team.id,
        user_id=user.id,
        kind=phase.track.kind,
        status=SubmissionStatus.QUEUED,
        file_sha256=store.put_bytes(content),
        file_name="sub.csv",
        file_size=len(content),
    )
    session.add(submission)
    session.commit()
    return submission


def answers(values: list[str]) -> bytes:
    """Return a predictions file giving ``values`` for ids r0..rN."""
    return ("id,label\n" + "".join(f"r{i},{v}\n" for i, v in enumerate(values))).encode()


def mark_scored(session: Session, submission: Submission, public: float, private: float) -> None:
    """Move a submission to scored with the given public and private scores (no scorer run), and commit."""
    submissions.transition(session, submission, SubmissionStatus.RUNNING)
    submissions.transition(session, submission, SubmissionStatus.SCORING)
    for split, value in ((Split.PUBLIC, public), (Split.PRIVATE, private)):
        session.add(
            Score(
                submission_id=submission.id,
                phase_id=submission.phase_id,
                team_id=submission.team_id,
                split=split,
                version=submission.phase.score_version,
                primary=value,
                metrics={"accuracy": value},
                scorer_name="accuracy",
                scorer_version="1",
                labels_sha256="0" * 64,
                submission_sha256=submission.file_sha256,
            )
        )
    submissions.transition(session, submission, SubmissionStatus.SCORED)
    session.commit()


def zip_bytes(files: Mapping[str, str | bytes]) -> bytes:
    """Return a zip archive holding the given files (text or bytes)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()
