"""On-site finals: the final, its finalists, judges and panels, rubric, marks, conflicts of interest and appeals."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from arena.db import Base, UTCDateTime, utcnow


class Final(Base):
    """An on-site final of a challenge with its schedule and a final-score formula declared in advance."""

    __tablename__ = "final"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenge.id", ondelete="CASCADE"), index=True)
    title: Mapped[dict[str, str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    materials_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    pitch_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    venue: Mapped[str] = mapped_column(String(300), default="")
    # The phases whose private boards feed the final (one per track).
    source_phase_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    formula: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    aggregation: Mapped[str] = mapped_column(String(16), default="mean")
    trim_min_judges: Mapped[int] = mapped_column(Integer, default=5)
    missing_rule: Mapped[str] = mapped_column(String(16), default="exclude")
    blind: Mapped[bool] = mapped_column(Boolean, default=False)
    appeal_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    # How far a reproduction's private score may differ from the online one and still count as reproduced.
    tolerance: Mapped[float] = mapped_column(Float, default=1e-6)
    report_max_bytes: Mapped[int] = mapped_column(Integer, default=20 * 1024 * 1024)
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    revealed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Finalist(Base):
    """A team invited to a final, with how it was chosen and its eligibility facts."""

    __tablename__ = "finalist"
    __table_args__ = (UniqueConstraint("final_id", "team_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    final_id: Mapped[int] = mapped_column(ForeignKey("final.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default="named")
    chosen_by: Mapped[str] = mapped_column(String(16), default="top_n")
    reason: Mapped[str] = mapped_column(Text, default="")
    online_score: Mapped[float | None] = mapped_column(Float, default=None)
    online_rank: Mapped[int | None] = mapped_column(Integer, default=None)
    online_phase_id: Mapped[int | None] = mapped_column(ForeignKey("phase.id", ondelete="SET NULL"), default=None)
    position: Mapped[int] = mapped_column(Integer, default=0)
    real_names: Mapped[list[str]] = mapped_column(JSON, default=list)
    institution: Mapped[str] = mapped_column(String(200), default="")
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), default=None)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    report_sha256: Mapped[str] = mapped_column(String(64), default="")
    report_size: Mapped[int] = mapped_column(Integer, default=0)
    report_uploaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    code_submission_id: Mapped[int | None] = mapped_column(
        ForeignKey("submission.id", ondelete="SET NULL"), default=None
    )
    rerun_id: Mapped[int | None] = mapped_column(ForeignKey("rerun.id", ondelete="SET NULL"), default=None)
    reproduction_status: Mapped[str] = mapped_column(String(16), default="none")
    reproduction_result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class FinalSealedSet(Base):
    """A sealed final test set for one source phase: hidden inputs and a key that reproduction scores against."""

    __tablename__ = "final_sealed_set"
    __table_args__ = (UniqueConstraint("final_id", "phase_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    final_id: Mapped[int] = mapped_column(ForeignKey("final.id", ondelete="CASCADE"), index=True)
    phase_id: Mapped[int] = mapped_column(ForeignKey("phase.id", ondelete="CASCADE"))
    inputs_sha256: Mapped[str] = mapped_column(String(64))
    labels_sha256: Mapped[str] = mapped_column(String(64))
    cases: Mapped[int] = mapped_column(Integer, default=0)
    source: Mapped[str] = mapped_column(String(16), default="upload")
    provided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class FinalJudge(Base):
    """A user invited to judge a final, optionally on a named panel."""

    __tablename__ = "final_judge"
    __table_args__ = (UniqueConstraint("final_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    final_id: Mapped[int] = mapped_column(ForeignKey("final.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    panel: Mapped[str | None] = mapped_column(String(100), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PanelAssignment(Base):
    """A finalist a judge scores; a judge without any assignment scores every finalist."""

    __tablename__ = "panel_assignment"
    __table_args__ = (UniqueConstraint("judge_id", "finalist_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("final_judge.id", ondelete="CASCADE"), index=True)
    finalist_id: Mapped[int] = mapped_column(ForeignKey("finalist.id", ondelete="CASCADE"))


class RubricCriterion(Base):
    """One criterion judges score, with its weight and scale (min, max, step)."""

    __tablename__ = "rubric_criterion"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    final_id: Mapped[int] = mapped_column(ForeignKey("final.id", ondelete="CASCADE"), index=True)
    name: Mapped[dict[str, str]] = mapped_column(JSON)
    description: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    min_points: Mapped[float] = mapped_column(Float, default=0.0)
    max_points: Mapped[float] = mapped_column(Float, default=10.0)
    step: Mapped[float] = mapped_column(Float, default=1.0)
    position: Mapped[int] = mapped_column(Integer, default=0)


class JudgeScore(Base):
    """A judge's mark for one finalist on one criterion; each judge's row is its own."""

    __tablename__ = "judge_score"
    __table_args__ = (UniqueConstraint("finalist_id", "judge_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    finalist_id: Mapped[int] = mapped_column(ForeignKey("finalist.id", ondelete="CASCADE"), index=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    criterion_id: Mapped[int] = mapped_column(ForeignKey("rubric_criterion.id", ondelete="CASCADE"))
    points: Mapped[float] = mapped_column(Float)
    comment: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ConflictOfInterest(Base):
    """A judge who may not score a team, declared or detected, with its source and reason."""

    __tablename__ = "conflict_of_interest"
    __table_args__ = (UniqueConstraint("final_id", "judge_id", "team_id", "source"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    final_id: Mapped[int] = mapped_column(ForeignKey("final.id", ondelete="CASCADE"), index=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(16), default="declared")
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Appeal(Base):
    """A finalist's appeal against the result, and the organizer's answer on the record."""

    __tablename__ = "appeal"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    finalist_id: Mapped[int] = mapped_column(ForeignKey("finalist.id", ondelete="CASCADE"), index=True)
    filed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), default=None)
    text: Mapped[str] = mapped_column(Text)
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), default=None)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
