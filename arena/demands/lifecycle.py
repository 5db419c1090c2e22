"""The one way a demand changes status: checked against the lifecycle, stamped and audited with who and why."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from arena import audit
from arena.db import utcnow
from arena.enums import DemandStatus, check_demand_transition
from arena.models import AuditEvent, Demand

_STAMPS = {
    DemandStatus.SUBMITTED: "submitted_at",
    DemandStatus.APPROVED: "approved_at",
    DemandStatus.PUBLISHED: "published_at",
    DemandStatus.RESPONSES_CLOSED: "closed_at",
}


def move(
    session: Session,
    demand: Demand,
    new: DemandStatus,
    *,
    actor_id: int | None,
    reason: str = "",
    now: datetime | None = None,
) -> None:
    """Change the demand's status if the lifecycle allows it, and write the transition to the audit log."""
    old = DemandStatus(demand.status)
    check_demand_transition(old, new)
    demand.status = new.value
    stamp = _STAMPS.get(new)
    if stamp is not None:
        setattr(demand, stamp, now or utcnow())
    audit.record(
        session,
        f"demand.{new.value}",
        actor_id=actor_id,
        target_type="demand",
        target_id=demand.id,
        old=old.value,
        new=new.value,
        reason=reason,
    )


def history(session: Session, demand_id: int) -> list[AuditEvent]:
    """Every audited change of the demand, oldest first."""
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.target_type == "demand", AuditEvent.target_id == demand_id)
            .order_by(AuditEvent.at, AuditEvent.id)
        )
    )
