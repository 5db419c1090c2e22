"""Fair dispatch: which queued submission a free worker evaluates next, and where a queued one stands.

Each queued submission rings one doorbell (an rq job) in the queue of its track's resource class. A worker
that answers a bell does not simply evaluate the bell's own submission: it takes the fairest queued one of
that class, by **turns over teams**. A submission's turn is its place among its team's queued submissions
plus the team's runs already in flight; among equal turns the team served longest ago (or never) goes
first, then the oldest submission. So a team with a hundred submissions queued gets one run at a time among
the others: another team's single submission waits at most one run per worker.

Claims are made with the submission's lease (a Redis key set only if absent), so two workers never take the
same submission, on SQLite as on PostgreSQL. When the taken submission is not the bell's own, the two swap
job ids: every queued submission keeps pointing at a bell that is still waiting.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from arena.enums import ResourceClass, SubmissionStatus
from arena.evaluation.heartbeats import live_workers
from arena.evaluation.leases import release_lease, take_lease
from arena.models import Phase, Submission, Track
from arena.runtime import redis_connection
from arena.settings import Settings

DEFAULT_CLASS = ResourceClass.CPU.value
IN_FLIGHT = (SubmissionStatus.RUNNING, SubmissionStatus.SCORING)
CANDIDATES = 20
TYPICAL_RUNS = 50


@dataclass(frozen=True)
class QueuePosition:
    """Where a queued submission stands in its resource class's queue."""

    position: int  # 1 = the next one a free worker takes
    resource_class: str
    workers: int  # live workers serving the class
    eta_seconds: float | None  # None while no worker serves the class or nothing has run yet


def resource_class_of(track: Track) -> str:
    """The resource class a track's runs need (declared as ``runner.resource_class``; cpu by default)."""
    return runner_class(track.runner)


def runner_class(runner: dict[str, Any] | None) -> str:
    """The resource class a track's runner declaration names (cpu when it names none)."""
    return str((runner or {}).get("resource_class") or DEFAULT_CLASS)


def queue_name_for(settings: Settings, resource_class: str) -> str:
    """The rq queue of a resource class (the cpu class keeps the plain queue name)."""
    return settings.queue_name if resource_class == DEFAULT_CLASS else f"{settings.queue_name}:{resource_class}"


def class_phase_ids(session: Session, resource_class: str) -> list[int]:
    """The ids of every phase whose track needs the resource class (filtered in SQL, as ``runner_class`` reads)."""
    declared = Track.runner["resource_class"].as_string()
    named = declared == resource_class
    if resource_class == DEFAULT_CLASS:  # no runner, no class or an empty one: cpu
        named = or_(named, declared.is_(None), declared == "")
    statement = select(Phase.id).join(Track, Phase.track_id == Track.id).where(named).order_by(Phase.id)
    return list(session.scalars(statement).all())


def fair_order(session: Session, phase_ids: list[int], limit: int | None = None) -> list[int]:
    """The queued submissions of these phases in the order free workers take them (turns over teams, then age)."""
    if not phase_ids:
        return []
    in_flight = (
        select(Submission.team_id, func.count().label("running"))
        .where(Submission.status.in_([s.value for s in IN_FLIGHT]), Submission.phase_id.in_(phase_ids))
        .group_by(Submission.team_id)
        .subquery()
    )
    place = func.row_number().over(partition_by=Submission.team_id, order_by=(Submission.created_at, Submission.id))
    queued = (
        select(Submission.id, Submission.team_id, Submission.created_at, place.label("place"))
        .where(Submission.status == SubmissionStatus.QUEUED.value, Submission.phase_id.in_(phase_ids))
        .subquery()
    )
    served = (
        select(Submission.team_id, func.max(Submission.started_at).label("last_started"))
        .where(Submission.phase_id.in_(phase_ids), Submission.started_at.is_not(None))
        .group_by(Submission.team_id)
        .subquery()
    )
    turn = queued.c.place + func.coalesce(in_flight.c.running, 0)
    statement = (
        select(queued.c.id)
        .outerjoin(in_flight, in_flight.c.team_id == queued.c.team_id)
        .outerjoin(served, served.c.team_id == queued.c.team_id)
        .order_by(turn, served.c.last_started.asc().nulls_first(), queued.c.created_at, queued.c.id)
    )
    if limit is not None:
        statement = statement.limit(limit)
    return list(session.scalars(statement).all())


def claim_next(session: Session, settings: Settings, rung_id: int, job_id: str) -> int | None:
    """Take the fairest queued submission of the rung bell's class and hold its lease; return its id (commits).

    ``rung_id`` is the submission whose bell (rq job ``job_id``) a worker answered. None: nothing of that
    class is waiting that another worker has not taken.
    """
    rung = session.get(Submission, rung_id)
    resource_class = resource_class_of(rung.phase.track) if rung is not None else DEFAULT_CLASS
    phase_ids = class_phase_ids(session, resource_class)
    candidates = fair_order(session, phase_ids, CANDIDATES)
    if rung is not None and rung.id not in candidates:
        candidates.append(rung.id)  # every other worker is busy with the head of the queue
    for candidate in candidates:
        if not take_lease(settings, candidate):
            continue  # another worker holds it
        chosen = session.get(Submission, candidate, populate_existing=True)
        if chosen is None or chosen.status != SubmissionStatus.QUEUED.value:
            release_lease(settings, candidate)
            continue
        if rung is not None and chosen.id != rung.id and rung.status == SubmissionStatus.QUEUED.value:
            rung.job_id, chosen.job_id = chosen.job_id, job_id
        session.commit()
        return chosen.id
    return None


def _typical_run_seconds(session: Session, phase_ids: list[int]) -> float | None:
    rows = session.execute(
        select(Submission.started_at, Submission.finished_at)
        .where(
            Submission.phase_id.in_(phase_ids),
            Submission.started_at.is_not(None),
            Submission.finished_at.is_not(None),
        )
        .order_by(Submission.finished_at.desc())
        .limit(TYPICAL_RUNS)
    ).all()
    spans = sorted((end - start) / timedelta(seconds=1) for start, end in rows if start and end and end >= start)
    return spans[len(spans) // 2] if spans else None


def queue_position(session: Session, settings: Settings, submission: Submission) -> QueuePosition | None:
    """Where a queued submission stands and when it should start; None once it is no longer queued."""
    if submission.status != SubmissionStatus.QUEUED.value:
        return None
    resource_class = resource_class_of(submission.phase.track)
    phase_ids = class_phase_ids(session, resource_class)
    order = fair_order(session, phase_ids)
    position = order.index(submission.id) + 1 if submission.id in order else 1
    try:
        workers = sum(
            resource_class in w.classes for w in live_workers(redis_connection(settings.redis_url), settings.queue_name)
        )
    except Exception:  # Redis away: the position still stands, the estimate does not
        workers = 0
    typical = _typical_run_seconds(session, phase_ids)
    eta = None
    if workers and typical is not None:
        running = session.scalar(
            select(func.count())
            .select_from(Submission)
            .where(Submission.phase_id.in_(phase_ids), Submission.status.in_([s.value for s in IN_FLIGHT]))
        )
        # Free workers take the first submissions at once; the rest wait for runs in flight (half their time
        # left on average), then for whole rounds of the queue ahead.
        free = max(workers - int(running or 0), 0)
        rounds = 0 if position <= free else math.ceil((position - free) / workers)
        eta = 0.0 if rounds == 0 else typical * (rounds - 0.5)
    return QueuePosition(position, resource_class, workers, eta)
