"""In-app notifications: what a user is told, as a message id with parameters so each reader sees their language."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from arena.db import Base, UTCDateTime, utcnow


class Notification(Base):
    """One message in a user's inbox, and whether it was read and mailed."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_recipient_read", "recipient_id", "read_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(64))
    # Message ids (English templates with %(name)s) and their parameters, translated when read.
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(String(2000), default="")
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    link: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    # none (no mail wanted or possible), pending, sent, failed
    mail_status: Mapped[str] = mapped_column(String(16), default="none")
    mail_attempts: Mapped[int] = mapped_column(Integer, default=0)
    mailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
