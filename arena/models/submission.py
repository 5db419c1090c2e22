"""Submissions and their scores (one row per split and score version)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from arena.db import Base, UTCDateTime, utcnow
from arena.models.challenge import Phase
from arena.models.team import Team
from arena.models.user import User


class Submission(Base):
    """One upload by a team in a phase; its status changes only through the transition function."""

    __tablename__ = "submission"
    __table_args__ = (
        Index("ix_submission_team_phase_created", "team_id", "phase_id", "created_at"),
        Index("ix_submission_status", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    phase_id: Mapped[int] = mapped_column(ForeignKey("phase.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="result")
    status: Mapped[str] = mapped_column(String(16), default="queued")
    file_sha256: Mapped[str] = mapped_column(String(64), index=True)
    file_name: Mapped[str] = mapped_column(String(255), default="")
    file_size: Mapped[int] = mapped_column(Integer, default=0)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    failure_class: Mapped[str | None] = mapped_column(String(32), default=None)
    error_message: Mapped[str] = mapped_column(Text, default="")
    counts_toward_quota: Mapped[bool] = mapped_column(Boolean, default=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    job_id: Mapped[str] = mapped_column(String(64), default="")
    log_sha256: Mapped[str] = mapped_column(String(64), default="")
    run_info: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    is_baseline: Mapped[bool] = mapped_column(Boolean, default=False)
    is_hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden_reason: Mapped[str] = mapped_column(Text, default="")
    is_selected: Mapped[bool] = mapped_column(Boolean, default=False)

    phase: Mapped[Phase] = relationship()
    team: Mapped[Team] = relationship()
    user: Mapped[User | None] = relationship()
    scores: Mapped[list[Score]] = relationship(back_populates="submission", cascade="all, delete-orphan")


class Score(Base):
    """A submission's score on one split under one score version, with its provenance."""

    __tablename__ = "score"
    __table_args__ = (
        UniqueConstraint("submission_id", "split", "version"),
        Index("ix_score_phase_split_version", "phase_id", "split", "version", "primary"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"))
    phase_id: Mapped[int] = mapped_column(ForeignKey("phase.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), index=True)
    split: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer, default=1)
    primary: Mapped[float] = mapped_column(Float)
    metrics: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    cases: Mapped[int] = mapped_column(Integer, default=0)
    per_case_sha256: Mapped[str] = mapped_column(String(64), default="")
    scorer_name: Mapped[str] = mapped_column(String(64))
    scorer_version: Mapped[str] = mapped_column(String(32))
    scorer_options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    labels_sha256: Mapped[str] = mapped_column(String(64))
    submission_sha256: Mapped[str] = mapped_column(String(64))
    image_digest: Mapped[str] = mapped_column(String(128), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    submission: Mapped[Submission] = relationship(back_populates="scores")
