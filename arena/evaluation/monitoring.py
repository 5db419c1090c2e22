"""What monitoring reads about evaluation: queue depth, failures and run durations from the database, by resource
class; run durations and board latency as histograms that the workers add to in Redis as they finish.

A histogram is one Redis hash per metric (``arena:metrics:<name>``) holding, per resource class, a count per
bucket, the count and the sum, raised with HINCRBY by every worker, so all workers of all hosts add to the same
numbers and every web process serves them alike. Redis restarted empty starts them again from zero, which
Prometheus reads as a counter reset.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from redis import Redis
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from arena.db import utcnow
from arena.enums import ResourceClass, SubmissionStatus
from arena.models import Phase, Submission, Track

RECENT = timedelta(hours=24)
DURATION_SAMPLE = 1000


@dataclass(frozen=True)
class EvaluationSnapshot:
    """Evaluation's state at one moment: submissions by status, failures by class, recent run durations."""

    by_status: dict[str, int]
    failures_by_class: dict[str, int]
    run_seconds: list[float]
    oldest_queued_seconds: float
    # By resource class: queued submissions, the oldest one's wait, failures of the last 24 hours by failure
    # class, and the durations among the last runs.
    queued_by_class: dict[str, int] = field(default_factory=dict)
    oldest_by_class: dict[str, float] = field(default_factory=dict)
    failures_by_resource: dict[str, dict[str, int]] = field(default_factory=dict)
    run_seconds_by_class: dict[str, list[float]] = field(default_factory=dict)


def phase_classes(session: Session) -> dict[int, str]:
    """The resource class of every phase (its track's ``runner.resource_class``; cpu by default)."""
    rows = session.execute(select(Phase.id, Track.runner).join(Track, Phase.track_id == Track.id)).all()
    default = ResourceClass.CPU.value
    return {pid: str((runner or {}).get("resource_class") or default) for pid, runner in rows}


def snapshot(session: Session, *, now: datetime | None = None) -> EvaluationSnapshot:
    """Count submissions by status, failures of the last 24 hours by class, and the last runs' durations."""
    now = now or utcnow()
    classes = phase_classes(session)
    by_status = {
        str(status): int(count)
        for status, count in session.execute(
            select(Submission.status, func.count(Submission.id)).group_by(Submission.status)
        )
    }
    failures: dict[str, int] = defaultdict(int)
    failures_by_resource: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for phase_id, kind, count in session.execute(
        select(Submission.phase_id, Submission.failure_class, func.count(Submission.id))
        .where(Submission.status == SubmissionStatus.FAILED.value, Submission.finished_at >= now - RECENT)
        .group_by(Submission.phase_id, Submission.failure_class)
    ):
        failures[str(kind or "unknown")] += int(count)
        failures_by_resource[classes.get(phase_id, ResourceClass.CPU.value)][str(kind or "unknown")] += int(count)
    runs = session.execute(
        select(Submission.phase_id, Submission.started_at, Submission.finished_at)
        .where(Submission.started_at.is_not(None), Submission.finished_at.is_not(None))
        .order_by(Submission.finished_at.desc())
        .limit(DURATION_SAMPLE)
    ).all()
    durations: list[float] = []
    by_class: dict[str, list[float]] = defaultdict(list)
    for phase_id, start, end in runs:
        if start is not None and end is not None:
            durations.append(max(0.0, (end - start).total_seconds()))
            by_class[classes.get(phase_id, ResourceClass.CPU.value)].append(durations[-1])
    queued: dict[str, int] = defaultdict(int)
    oldest: dict[str, float] = {}
    for phase_id, count, first in session.execute(
        select(Submission.phase_id, func.count(Submission.id), func.min(Submission.created_at))
        .where(Submission.status == SubmissionStatus.QUEUED.value)
        .group_by(Submission.phase_id)
    ):
        kind = classes.get(phase_id, ResourceClass.CPU.value)
        queued[kind] += int(count)
        oldest[kind] = max(oldest.get(kind, 0.0), (now - first).total_seconds() if first is not None else 0.0)
    for kind in ResourceClass:
        queued.setdefault(kind.value, 0)
        oldest.setdefault(kind.value, 0.0)
    return EvaluationSnapshot(
        by_status,
        dict(failures),
        durations,
        max(oldest.values()),
        dict(queued),
        oldest,
        {kind: dict(counts) for kind, counts in failures_by_resource.items()},
        dict(by_class),
    )


@dataclass(frozen=True)
class Histogram:
    """One class's share of a histogram: cumulative counts per upper bound (the last is +Inf), count and sum."""

    buckets: list[tuple[str, float]]
    count: float
    total: float


# Upper bounds in seconds: runs last from a second to an hour, a board follows its score within seconds.
RUN_BUCKETS = (1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0)
BOARD_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
HISTOGRAMS = {"run_duration_seconds": RUN_BUCKETS, "board_latency_seconds": BOARD_BUCKETS}
METRICS_PREFIX = "arena:metrics:"


def observe(redis: Redis, name: str, resource_class: str, seconds: float) -> None:
    """Add one observation of ``seconds`` to the shared histogram ``name`` for a resource class."""
    seconds = max(0.0, seconds)
    bound = next((b for b in HISTOGRAMS[name] if seconds <= b), None)
    pipe = redis.pipeline(transaction=True)
    key = METRICS_PREFIX + name
    pipe.hincrby(key, f"{resource_class}|{'+Inf' if bound is None else repr(bound)}", 1)
    pipe.hincrby(key, f"{resource_class}|count", 1)
    pipe.hincrbyfloat(key, f"{resource_class}|sum", seconds)
    pipe.execute()


def histogram(redis: Redis, name: str) -> dict[str, Histogram]:
    """Read the shared histogram ``name``, by resource class, with cumulative bucket counts."""
    raw = {k.decode(): float(v) for k, v in redis.hgetall(METRICS_PREFIX + name).items()}  # type: ignore[union-attr]
    found: dict[str, Histogram] = {}
    for kind in sorted({name_.split("|", 1)[0] for name_ in raw}):
        running, buckets = 0.0, []
        for bound in [*(repr(b) for b in HISTOGRAMS[name]), "+Inf"]:
            running += raw.get(f"{kind}|{bound}", 0.0)
            buckets.append((bound, running))
        found[kind] = Histogram(buckets, raw.get(f"{kind}|count", 0.0), raw.get(f"{kind}|sum", 0.0))
    return found


def record_finished(redis: Redis, resource_class: str, submission: Submission, now: datetime | None = None) -> None:
    """Add a finished evaluation to the shared histograms: its run's duration and, once scored, its board latency.

    The board latency is the time from the score being recorded (the transition to scored) to now, called once the
    board rows are committed and their statistics settled: what a reader of the board waits beyond the run.
    """
    now = now or utcnow()
    if submission.started_at is not None and submission.finished_at is not None:
        observe(
            redis,
            "run_duration_seconds",
            resource_class,
            (submission.finished_at - submission.started_at).total_seconds(),
        )
    if submission.status == SubmissionStatus.SCORED.value and submission.finished_at is not None:
        observe(redis, "board_latency_seconds", resource_class, (now - submission.finished_at).total_seconds())
