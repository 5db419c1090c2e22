"""Reading a challenge's audit log: filters, pages newest first, and the rows of its CSV export."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from arena.audit import ACTIONS, AuditKind, kind_of
from arena.errors import InvalidInput
from arena.models import AuditEvent, User

PER_PAGE = 50
MAX_EXPORT_ROWS = 100_000


@dataclass(frozen=True)
class AuditFilter:
    """What an organizer narrows the log to; empty fields do not filter."""

    kind: AuditKind | None = None
    action: str = ""
    actor: str = ""
    target_type: str = ""
    target_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class AuditEntry:
    """One audit event as the log shows it."""

    id: int
    at: datetime
    action: str
    kind: AuditKind | None
    actor_id: int | None
    actor_name: str
    target_type: str
    target_id: int | None
    reason: str
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AuditPage:
    """A page of entries, newest first, with the count of all that match."""

    entries: list[AuditEntry]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """How many pages the matching entries fill (at least one)."""
        return max(1, -(-self.total // self.per_page))


def parse_kind(value: str) -> AuditKind | None:
    """Return the kind named by ``value`` (empty: None) or raise InvalidInput naming the choices."""
    if not value:
        return None
    try:
        return AuditKind(value)
    except ValueError:
        raise InvalidInput(
            "unknown kind %(value)s; use one of %(choices)s",
            field="kind",
            params={"value": value, "choices": ", ".join(k.value for k in AuditKind)},
        ) from None


def _query(session: Session, challenge_id: int, flt: AuditFilter) -> Select[Any]:
    query = select(AuditEvent).where(AuditEvent.challenge_id == challenge_id)
    if flt.kind is not None:
        query = query.where(AuditEvent.action.in_([a for a, k in ACTIONS.items() if k is flt.kind]))
    if flt.action:
        query = query.where(AuditEvent.action == flt.action)
    if flt.actor:
        name = flt.actor.strip()
        user_id = session.scalar(select(User.id).where((User.username == name) | (User.email == name.lower())))
        if user_id is None:
            raise InvalidInput("no user %(name)s; give a username or an e-mail address", field="actor",
                               params={"name": name})  # fmt: skip
        query = query.where(AuditEvent.actor_id == user_id)
    if flt.target_type:
        query = query.where(AuditEvent.target_type == flt.target_type)
    if flt.target_id is not None:
        query = query.where(AuditEvent.target_id == flt.target_id)
    if flt.since is not None:
        query = query.where(AuditEvent.at >= flt.since)
    if flt.until is not None:
        query = query.where(AuditEvent.at < flt.until)
    return query


def _entries(session: Session, events: list[AuditEvent]) -> list[AuditEntry]:
    ids = {e.actor_id for e in events if e.actor_id is not None}
    names = dict(session.execute(select(User.id, User.username).where(User.id.in_(ids))).all()) if ids else {}
    out = []
    for event in events:
        data = dict(event.data or {})
        reason = data.pop("reason", "")
        out.append(
            AuditEntry(
                id=event.id,
                at=event.at,
                action=event.action,
                kind=kind_of(event.action),
                actor_id=event.actor_id,
                actor_name=names.get(event.actor_id, "") if event.actor_id is not None else "",
                target_type=event.target_type,
                target_id=event.target_id,
                reason=str(reason or ""),
                details=data,
            )
        )
    return out


def audit_page(
    session: Session, challenge_id: int, flt: AuditFilter, page: int = 1, per_page: int = PER_PAGE
) -> AuditPage:
    """Return one page of a challenge's audit log matching ``flt``, newest first."""
    if page < 1:
        raise InvalidInput("page must be 1 or more", field="page")
    per_page = min(max(per_page, 1), 200)
    query = _query(session, challenge_id, flt)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return AuditPage(entries=_entries(session, list(rows)), total=total, page=page, per_page=per_page)


def audit_rows(session: Session, challenge_id: int, flt: AuditFilter) -> list[AuditEntry]:
    """Return every entry matching ``flt`` (newest first, at most MAX_EXPORT_ROWS) for the CSV export."""
    query = _query(session, challenge_id, flt).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    return _entries(session, list(session.scalars(query.limit(MAX_EXPORT_ROWS)).all()))


def audit_actors(session: Session, challenge_id: int) -> list[str]:
    """Return the usernames that appear as actors in a challenge's log, for the filter's suggestions."""
    query = (
        select(User.username)
        .join(AuditEvent, AuditEvent.actor_id == User.id)
        .where(AuditEvent.challenge_id == challenge_id)
        .distinct()
        .order_by(User.username)
    )
    return list(session.scalars(query).all())
