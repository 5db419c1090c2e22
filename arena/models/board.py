"""Materialized leaderboard rows, refreshed when scores are written."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from arena.db import Base, UTCDateTime, utcnow


class LeaderboardEntry(Base):
    """One team's current line on one board (phase × split × score version)."""

    __tablename__ = "leaderboard_entry"
    __table_args__ = (
        UniqueConstraint("phase_id", "split", "version", "team_id"),
        Index(
            "ix_leaderboard_entry_board_order",
            "phase_id",
            "split",
            "version",
            "order_key",
            "submitted_at",
            "submission_id",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    phase_id: Mapped[int] = mapped_column(ForeignKey("phase.id", ondelete="CASCADE"))
    split: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer, default=1)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), index=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"))
    score: Mapped[float] = mapped_column(Float)
    shown_score: Mapped[float | None] = mapped_column(Float, default=None)
    # The score signed so that ascending order is best first (−score when higher is better); positions and
    # shared ranks are computed from it when a page is read, so one team's change rewrites one row.
    order_key: Mapped[float] = mapped_column(Float)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    entries: Mapped[int] = mapped_column(Integer, default=0)
    last_submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ci_low: Mapped[float | None] = mapped_column(Float, default=None)
    ci_high: Mapped[float | None] = mapped_column(Float, default=None)
    rank_low: Mapped[int | None] = mapped_column(Integer, default=None)
    rank_high: Mapped[int | None] = mapped_column(Integer, default=None)
    statistical_tie: Mapped[bool] = mapped_column(Boolean, default=False)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
