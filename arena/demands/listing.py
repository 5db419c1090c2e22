"""The public list of demands: searched by words in either language, filtered by field, budget and deadline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from arena.enums import DemandStatus
from arena.models import Demand

LISTED = [s.value for s in DemandStatus if s.is_public]


@dataclass(frozen=True)
class DemandQuery:
    """What a visitor searches for; every part is optional."""

    words: str = ""
    field: str = ""
    budget_at_least: int | None = None
    deadline_after: datetime | None = None
    open_only: bool = False
    page: int = 1
    per_page: int = 20


def search(session: Session, query: DemandQuery) -> tuple[list[Demand], int]:
    """The page of listed demands matching the query, newest first, and how many match in all.

    Words match the title, summary and problem (the public parts); confidential details are never searched.
    """
    statement = select(Demand).where(Demand.status.in_(LISTED))
    if query.open_only:
        statement = statement.where(Demand.status == DemandStatus.PUBLISHED.value)
    if query.field:
        statement = statement.where(Demand.field == query.field)
    if query.budget_at_least is not None:
        statement = statement.where(func.coalesce(Demand.budget_max, Demand.budget_min) >= query.budget_at_least)
    if query.deadline_after is not None:
        statement = statement.where(Demand.deadline >= query.deadline_after)
    for word in query.words.split()[:8]:
        pattern = f"%{word.lower()}%"
        statement = statement.where(
            or_(
                func.lower(Demand.title).like(pattern),
                func.lower(Demand.summary).like(pattern),
                (~Demand.confidential) & func.lower(Demand.problem).like(pattern),
            )
        )
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    page = max(1, query.page)
    rows = session.scalars(
        statement.order_by(Demand.published_at.desc(), Demand.id.desc())
        .offset((page - 1) * query.per_page)
        .limit(query.per_page)
    )
    return list(rows), total
