"""Writing the audit log."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from arena.models import AuditEvent


def record(
    session: Session,
    action: str,
    *,
    actor_id: int | None = None,
    challenge_id: int | None = None,
    target_type: str = "",
    target_id: int | None = None,
    **data: Any,
) -> AuditEvent:
    """Append an audit event to the session (committed with the caller's transaction)."""
    event = AuditEvent(
        action=action,
        actor_id=actor_id,
        challenge_id=challenge_id,
        target_type=target_type,
        target_id=target_id,
        data=data,
    )
    session.add(event)
    return event
