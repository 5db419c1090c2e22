"""Challenges, their public files, tracks and phases."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from arena.db import Base, UTCDateTime, utcnow

Translated = dict[str, str]


class Challenge(Base):
    """A problem posed by a sponsor, defined by an imported bundle."""

    __tablename__ = "challenge"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[Translated] = mapped_column(JSON)
    summary: Mapped[Translated] = mapped_column(JSON, default=dict)
    text: Mapped[dict[str, Translated]] = mapped_column(JSON, default=dict)
    team_size_max: Mapped[int] = mapped_column(Integer, default=1)
    entry_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    merge_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    person_daily_quota: Mapped[int | None] = mapped_column(Integer, default=None)
    is_published: Mapped[bool] = mapped_column(Boolean, default=True)
    bundle_sha256: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    tracks: Mapped[list[Track]] = relationship(
        back_populates="challenge", order_by="Track.position", cascade="all, delete-orphan"
    )
    files: Mapped[list[ChallengeFile]] = relationship(
        back_populates="challenge", order_by="ChallengeFile.position", cascade="all, delete-orphan"
    )


class ChallengeFile(Base):
    """A file served to participants (data, sample submission, starter kit)."""

    __tablename__ = "challenge_file"
    __table_args__ = (UniqueConstraint("challenge_id", "path"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenge.id", ondelete="CASCADE"), index=True)
    path: Mapped[str] = mapped_column(String(300))
    title: Mapped[Translated] = mapped_column(JSON, default=dict)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    available_from: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    position: Mapped[int] = mapped_column(Integer, default=0)

    challenge: Mapped[Challenge] = relationship(back_populates="files")


class Track(Base):
    """One problem of a challenge with one scorer; ``kind`` says what participants upload."""

    __tablename__ = "track"
    __table_args__ = (UniqueConstraint("challenge_id", "slug"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenge.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16), default="result")
    title: Mapped[Translated] = mapped_column(JSON)
    scorer: Mapped[str] = mapped_column(String(64))
    scorer_options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    scoring_program_sha256: Mapped[str] = mapped_column(String(64), default="")
    direction: Mapped[str] = mapped_column(String(8), default="max")
    id_column: Mapped[str] = mapped_column(String(100))
    target_columns: Mapped[list[str]] = mapped_column(JSON)
    # What each predictions column may hold (scorers.Target JSON by column), checked at upload and on keys.
    targets: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, server_default="{}")
    precision: Mapped[int] = mapped_column(Integer, default=4)
    max_upload_bytes: Mapped[int] = mapped_column(Integer, default=20 * 1024 * 1024)
    runner: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    position: Mapped[int] = mapped_column(Integer, default=0)

    challenge: Mapped[Challenge] = relationship(back_populates="tracks")
    phases: Mapped[list[Phase]] = relationship(
        back_populates="track", order_by="Phase.position", cascade="all, delete-orphan"
    )


class Phase(Base):
    """A time window of a track with its own hidden data, split, quotas and leaderboards."""

    __tablename__ = "phase"
    __table_args__ = (UniqueConstraint("track_id", "slug"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("track.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(64))
    title: Mapped[Translated] = mapped_column(JSON)
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    daily_quota: Mapped[int] = mapped_column(Integer, default=5)
    total_quota: Mapped[int | None] = mapped_column(Integer, default=None)
    concurrent_quota: Mapped[int | None] = mapped_column(Integer, default=None)
    public_fraction: Mapped[float] = mapped_column(Float, default=0.3)
    split_seed: Mapped[str] = mapped_column(String(64))
    labels_sha256: Mapped[str] = mapped_column(String(64))
    labels_rows: Mapped[int] = mapped_column(Integer, default=0)
    inputs_sha256: Mapped[str] = mapped_column(String(64), default="")
    # What a dry run scores before publishing: a predictions file (result tracks) or a code archive (code tracks).
    sample_sha256: Mapped[str] = mapped_column(String(64), default="", server_default="")
    baseline_sha256: Mapped[str] = mapped_column(String(64), default="", server_default="")
    hide_logs: Mapped[bool] = mapped_column(Boolean, default=False)
    count_participant_failures: Mapped[bool] = mapped_column(Boolean, default=True)
    use_ladder: Mapped[bool] = mapped_column(Boolean, default=False)
    # Rules that later stages use; kept here so they arrive without reshaping.
    freeze_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    final_selection_max: Mapped[int | None] = mapped_column(Integer, default=None)
    previous_phase_id: Mapped[int | None] = mapped_column(ForeignKey("phase.id"), default=None)
    advancement: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    score_version: Mapped[int] = mapped_column(Integer, default=1)
    # Bumped in the transaction of every change to the phase's materialized boards (the API's ``revision``).
    board_stamp: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The private board's statistics lag a row change until ``standings.settle_statistics`` runs.
    statistics_stale: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    position: Mapped[int] = mapped_column(Integer, default=0)
    notes: Mapped[str] = mapped_column(Text, default="")

    track: Mapped[Track] = relationship(back_populates="phases")

    def is_open(self, at: datetime) -> bool:
        """Whether the phase accepts submissions at ``at``."""
        return self.opens_at <= at < self.closes_at


class PhaseEntry(Base):
    """A team admitted to a staged phase (advanced from the previous phase, or added by an organizer)."""

    __tablename__ = "phase_entry"
    __table_args__ = (UniqueConstraint("phase_id", "team_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    phase_id: Mapped[int] = mapped_column(ForeignKey("phase.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
