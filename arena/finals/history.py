"""The public history of a final's rules: every change of the formula or aggregation after finalists were named."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from arena.models import AuditEvent


@dataclass(frozen=True)
class FormulaChange:
    """One change of the rules: when, each changed setting's old and new value, and the reason on record."""

    at: datetime
    changes: dict[str, tuple[Any, Any]]
    reason: str


def formula_changes(session: Session, final_id: int) -> list[FormulaChange]:
    """The changes of the final's rules made after finalists were named, oldest first (public once announced)."""
    query = select(AuditEvent).where(
        AuditEvent.action == "final.formula_changed",
        AuditEvent.target_type == "final",
        AuditEvent.target_id == final_id,
    )
    rows = []
    for event in session.scalars(query.order_by(AuditEvent.at, AuditEvent.id)):
        data = event.data or {}
        if not data.get("finalists_named"):
            continue
        before, after = data.get("before", {}), data.get("after", {})
        changes = {name: (before.get(name), after.get(name)) for name in after if before.get(name) != after.get(name)}
        rows.append(FormulaChange(event.at, changes, str(data.get("reason", ""))))
    return rows
