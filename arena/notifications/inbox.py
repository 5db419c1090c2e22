"""The inbox: recording notifications, listing them, counting the unread and marking them read."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from arena.db import utcnow
from arena.errors import InvalidInput
from arena.models import Notification, User

# Notifications created in a session and not yet handed to the mailer; read once the session committed.
PENDING_KEY = "arena.notifications.pending"


def notify(
    session: Session,
    users: Iterable[User | None],
    kind: str,
    subject: str,
    *,
    body: str = "",
    params: dict[str, Any] | None = None,
    link: str = "",
) -> list[Notification]:
    """Put a message (message ids with ``params``, translated when read) in each user's inbox, once per user."""
    if not subject:
        raise InvalidInput("a notification needs a subject", field="subject")
    seen: set[int] = set()
    rows = []
    for user in users:
        if user is None or user.id in seen:
            continue
        seen.add(user.id)
        row = Notification(
            recipient_id=user.id,
            kind=kind,
            subject=subject,
            body=body,
            params=dict(params or {}),
            link=link,
            created_at=utcnow(),
        )
        session.add(row)
        rows.append(row)
    session.flush()
    session.info.setdefault(PENDING_KEY, []).extend(row.id for row in rows)
    return rows


def localized(params: dict[str, Any], language: str) -> dict[str, Any]:
    """The params for a reader: a translated field (``{"en": …, "zh": …}``) becomes the text in ``language``."""
    key = "zh" if language.lower().startswith("zh") else "en"
    out = {}
    for name, value in params.items():
        if isinstance(value, dict):
            value = value.get(key) or value.get("en") or value.get("zh") or next(iter(value.values()), "")
        out[name] = value
    return out


def taken_for_mail(session: Session) -> list[int]:
    """The ids of the notifications this session created since the last call (to mail once it committed)."""
    ids: list[int] = session.info.pop(PENDING_KEY, [])
    return ids


def inbox(session: Session, user: User, *, limit: int = 50, before_id: int | None = None) -> list[Notification]:
    """The user's notifications, newest first (``before_id`` pages on)."""
    query = select(Notification).where(Notification.recipient_id == user.id)
    if before_id is not None:
        query = query.where(Notification.id < before_id)
    return list(session.scalars(query.order_by(Notification.id.desc()).limit(limit)))


def unread_count(session: Session, user: User) -> int:
    """How many of the user's notifications are unread."""
    query = select(func.count(Notification.id)).where(
        Notification.recipient_id == user.id, Notification.read_at.is_(None)
    )
    return int(session.scalar(query) or 0)


def mark_read(session: Session, user: User, ids: Iterable[int] | None = None, *, now: datetime | None = None) -> int:
    """Mark the user's notifications read (those ``ids``, or all); other users' ids are ignored. Return how many."""
    query = update(Notification).where(Notification.recipient_id == user.id, Notification.read_at.is_(None))
    if ids is not None:
        wanted = [int(i) for i in ids]
        if not wanted:
            return 0
        query = query.where(Notification.id.in_(wanted))
    result = session.execute(query.values(read_at=now or utcnow()).execution_options(synchronize_session=False))
    session.expire_all()
    return int(getattr(result, "rowcount", 0) or 0)
