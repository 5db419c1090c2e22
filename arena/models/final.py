"""On-site finals: finalists, rubric criteria, judge scores and conflicts of interest."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from arena.db import Base, UTCDateTime, utcnow


class Final(Base):
    """An on-site final of a challenge with a final-score formula declared in advance."""

    __tablename__ = "final"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenge.id", ondelete="CASCADE"), index=True)
    title: Mapped[dict[str, str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    formula: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    source_phase_id: Mapped[int | None] = mapped_column(ForeignKey("phase.id"), default=None)
    held_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Finalist(Base):
    """A team invited to a final."""

    __tablename__ = "finalist"
    __table_args__ = (UniqueConstraint("final_id", "team_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    final_id: Mapped[int] = mapped_column(ForeignKey("final.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    online_score: Mapped[float | None] = mapped_column(Float, default=None)
    packet_sha256: Mapped[str] = mapped_column(String(64), default="")
    order: Mapped[int] = mapped_column(Integer, default=0)


class RubricCriterion(Base):
    """One criterion judges score, with its weight and maximum."""

    __tablename__ = "rubric_criterion"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    final_id: Mapped[int] = mapped_column(ForeignKey("final.id", ondelete="CASCADE"), index=True)
    name: Mapped[dict[str, str]] = mapped_column(JSON)
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    max_points: Mapped[float] = mapped_column(Float, default=10.0)
    position: Mapped[int] = mapped_column(Integer, default=0)


class JudgeScore(Base):
    """A judge's points for one finalist on one criterion."""

    __tablename__ = "judge_score"
    __table_args__ = (UniqueConstraint("finalist_id", "judge_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    finalist_id: Mapped[int] = mapped_column(ForeignKey("finalist.id", ondelete="CASCADE"), index=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    criterion_id: Mapped[int] = mapped_column(ForeignKey("rubric_criterion.id", ondelete="CASCADE"))
    points: Mapped[float] = mapped_column(Float)
    comment: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ConflictOfInterest(Base):
    """A judge who may not score a finalist, declared or detected, with the reason."""

    __tablename__ = "conflict_of_interest"
    __table_args__ = (UniqueConstraint("final_id", "judge_id", "team_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    final_id: Mapped[int] = mapped_column(ForeignKey("final.id", ondelete="CASCADE"), index=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(16), default="declared")
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
