"""Integrity records: duplicate and probing signals, re-runs, and rescoring runs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from arena.db import Base, UTCDateTime, utcnow


class IntegritySignal(Base):
    """Something organizers should look at: identical files across teams, bursts of near-duplicates."""

    __tablename__ = "integrity_signal"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenge.id", ondelete="CASCADE"), index=True)
    phase_id: Mapped[int | None] = mapped_column(ForeignKey("phase.id", ondelete="CASCADE"), default=None)
    kind: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(128), default="")
    team_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    submission_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    dismissed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    dismissed_reason: Mapped[str] = mapped_column(Text, default="")


class Rerun(Base):
    """An organizer's re-run of a submission and whether it reproduced the recorded score."""

    __tablename__ = "rerun"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), default=None)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    reproduced: Mapped[bool | None] = mapped_column(Boolean, default=None)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class RescoreRun(Base):
    """Rescoring every submission of a phase under a new score version, with progress."""

    __tablename__ = "rescore_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    phase_id: Mapped[int] = mapped_column(ForeignKey("phase.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text, default="")
    total: Mapped[int] = mapped_column(Integer, default=0)
    submission_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
