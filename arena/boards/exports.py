"""CSV (and Parquet) exports of leaderboards and submissions, built with pandas."""

from __future__ import annotations

import io

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from arena.boards.ranking import leaderboard
from arena.enums import Split
from arena.errors import InvalidInput
from arena.models import Phase, Score, Submission, Team, User
from arena.timestamps import rfc3339


def leaderboard_frame(session: Session, phase: Phase, split: Split) -> pd.DataFrame:
    """Return the phase's board on ``split`` as a DataFrame."""
    rows = leaderboard(session, phase, split)
    return pd.DataFrame(
        [
            {
                "rank": r.rank,
                "team_id": r.team_id,
                "team": r.team_name,
                "institution": r.institution,
                "score": r.score,
                "submission_id": r.submission_id,
                "submitted_at": rfc3339(r.submitted_at),
                "entries": r.entries,
                "last_submitted_at": rfc3339(r.last_submitted_at),
                "baseline": r.is_baseline,
            }
            for r in rows
        ],
        columns=[
            "rank",
            "team_id",
            "team",
            "institution",
            "score",
            "submission_id",
            "submitted_at",
            "entries",
            "last_submitted_at",
            "baseline",
        ],
    )


def submissions_frame(session: Session, phase: Phase) -> pd.DataFrame:
    """Return every submission of the phase with its current public and private scores."""
    scores: dict[tuple[int, str], float] = {
        (row.submission_id, row.split): row.primary
        for row in session.scalars(
            select(Score).where(Score.phase_id == phase.id, Score.version == phase.score_version)
        )
    }
    query = (
        select(Submission, Team.name, User.username)
        .join(Team, Team.id == Submission.team_id)
        .outerjoin(User, User.id == Submission.user_id)
        .where(Submission.phase_id == phase.id)
        .order_by(Submission.id)
    )
    records = []
    for submission, team_name, username in session.execute(query):
        records.append(
            {
                "submission_id": submission.id,
                "team_id": submission.team_id,
                "team": team_name,
                "submitted_by": username or "",
                "created_at": rfc3339(submission.created_at),
                "status": submission.status,
                "failure_class": submission.failure_class or "",
                "error": submission.error_message,
                "counts_toward_quota": submission.counts_toward_quota,
                "file_name": submission.file_name,
                "sha256": submission.file_sha256,
                "public_score": scores.get((submission.id, Split.PUBLIC)),
                "private_score": scores.get((submission.id, Split.PRIVATE)),
                "hidden": submission.is_hidden,
                "score_version": phase.score_version,
            }
        )
    return pd.DataFrame.from_records(
        records,
        columns=[
            "submission_id",
            "team_id",
            "team",
            "submitted_by",
            "created_at",
            "status",
            "failure_class",
            "error",
            "counts_toward_quota",
            "file_name",
            "sha256",
            "public_score",
            "private_score",
            "hidden",
            "score_version",
        ],
    )


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _defuse(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """Encode a frame as UTF-8 CSV with a BOM; text cells that a spreadsheet would run as formulas are quoted."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(_defuse)
    return safe.to_csv(index=False).encode("utf-8-sig")


def to_parquet_bytes(frame: pd.DataFrame) -> bytes:
    """Encode a frame as Parquet."""
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


MEDIA_TYPES = {"csv": "text/csv", "parquet": "application/vnd.apache.parquet"}
_ENCODERS = {"csv": to_csv_bytes, "parquet": to_parquet_bytes}


def export_format(value: str | None) -> str:
    """Return a supported export format name (default ``csv``), or raise InvalidInput."""
    name = (value or "csv").strip().lower()
    if name not in _ENCODERS:
        raise InvalidInput("format must be 'csv' or 'parquet'", field="format")
    return name


def leaderboard_export(session: Session, phase: Phase, split: Split, fmt: str = "csv") -> bytes:
    """Return the board encoded as ``fmt`` (csv or parquet)."""
    return _ENCODERS[export_format(fmt)](leaderboard_frame(session, phase, split))


def submissions_export(session: Session, phase: Phase, fmt: str = "csv") -> bytes:
    """Return all submissions of the phase encoded as ``fmt`` (csv or parquet)."""
    return _ENCODERS[export_format(fmt)](submissions_frame(session, phase))
