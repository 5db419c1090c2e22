"""Fair dispatch: turns over teams, claims that never collide, queues by resource class, queue positions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from arena.challenges import import_bundle
from arena.db import utcnow
from arena.enums import SubmissionStatus
from arena.errors import BundleError
from arena.evaluation.dispatch import (
    claim_next,
    class_phase_ids,
    fair_order,
    queue_name_for,
    queue_position,
    runner_class,
)
from arena.evaluation.heartbeats import Heartbeat, beat, key_of
from arena.evaluation.leases import lease_key
from arena.evaluation.queueing import enqueue_evaluation, get_queue
from arena.evaluation.worker import run_worker
from arena.models import Challenge, Phase, Submission, Team
from arena.runtime import redis_connection
from arena.settings import Settings
from arena.storage import BlobStore
from tests.factories import answers, first_phase, make_challenge, make_team, make_user, write_bundle

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
TRUTH = ["a" if i % 3 else "b" for i in range(20)]


def _teams(session: Session, challenge: Challenge, names: list[str]) -> list[Team]:
    return [make_team(session, make_user(session, name), challenge) for name in names]


def _queued(session: Session, store: BlobStore, phase: Phase, team: Team, at: datetime, **extra: object) -> Submission:
    content = answers(TRUTH)
    submission = Submission(
        phase_id=phase.id,
        team_id=team.id,
        kind=phase.track.kind,
        status=SubmissionStatus.QUEUED,
        file_sha256=store.put_bytes(content),
        file_name="sub.csv",
        file_size=len(content),
        created_at=at,
        **extra,
    )
    session.add(submission)
    session.commit()
    return submission


@pytest.fixture
def phase(session: Session, store: BlobStore, tmp_path: Path) -> Phase:
    return first_phase(make_challenge(session, store, tmp_path / "bundle", labels=TRUTH))


def test_a_team_with_a_hundred_queued_gets_one_turn_at_a_time(session: Session, store: BlobStore, phase: Phase) -> None:
    busy, single, third = _teams(session, phase.track.challenge, ["busy", "single", "third"])
    crowd = [_queued(session, store, phase, busy, T0 + timedelta(seconds=i)) for i in range(100)]
    late = _queued(session, store, phase, single, T0 + timedelta(minutes=10))
    later = _queued(session, store, phase, third, T0 + timedelta(minutes=11))
    order = fair_order(session, [phase.id])
    assert len(order) == 102
    # Turn one of every team first (oldest first), then the busy team's second, third, ...
    assert order[:4] == [crowd[0].id, late.id, later.id, crowd[1].id]
    assert order[4:] == [s.id for s in crowd[2:]]
    # A team with a run in flight has used its turn: the others go first.
    crowd[0].status = SubmissionStatus.RUNNING
    session.commit()
    assert fair_order(session, [phase.id], 3) == [late.id, later.id, crowd[1].id]


def test_two_workers_answering_bells_never_take_the_same_submission(
    session: Session, worker_env: Settings, store: BlobStore, phase: Phase
) -> None:
    first, second = _teams(session, phase.track.challenge, ["first", "second"])
    a = _queued(session, store, phase, first, T0, job_id="bell-a")
    b = _queued(session, store, phase, second, T0 + timedelta(seconds=1), job_id="bell-b")
    # Both bells answered at once: the second worker finds the head taken (its lease is held) and takes b.
    assert claim_next(session, worker_env, b.id, "bell-b") == a.id
    session.refresh(a)
    session.refresh(b)
    # b's bell was spent on a: b now points at a's bell, which still waits in the queue.
    assert (a.job_id, b.job_id) == ("bell-b", "bell-a")
    assert claim_next(session, worker_env, a.id, "bell-a") == b.id
    assert claim_next(session, worker_env, a.id, "bell-x") is None  # both taken
    redis = redis_connection(worker_env.redis_url)
    assert redis.exists(lease_key(worker_env, a.id)) and redis.exists(lease_key(worker_env, b.id))


def test_the_worker_evaluates_the_single_submission_second_not_last(
    session: Session, worker_env: Settings, store: BlobStore, phase: Phase
) -> None:
    busy, single = _teams(session, phase.track.challenge, ["busy", "single"])
    crowd = [_queued(session, store, phase, busy, T0 + timedelta(seconds=i)) for i in range(8)]
    late = _queued(session, store, phase, single, T0 + timedelta(minutes=5))
    for submission in [*crowd, late]:
        submission.job_id = enqueue_evaluation(worker_env, submission)
    session.commit()
    run_worker(worker_env, burst=True, simple=True)
    session.expire_all()
    done = session.scalars(select(Submission).order_by(Submission.started_at, Submission.id)).all()
    assert all(s.status == SubmissionStatus.SCORED for s in done), [(s.id, s.status) for s in done]
    assert [s.id for s in done].index(late.id) == 1  # after the busy team's first, before its second
    assert len(get_queue(worker_env)) == 0


def test_a_worker_takes_only_the_resource_classes_its_host_serves(
    session: Session, worker_env: Settings, store: BlobStore, phase: Phase, monkeypatch: pytest.MonkeyPatch
) -> None:
    (team,) = _teams(session, phase.track.challenge, ["gpu-team"])
    phase.track.runner = {**(phase.track.runner or {}), "resource_class": "gpu"}
    session.commit()
    submission = _queued(session, store, phase, team, T0)
    submission.job_id = enqueue_evaluation(worker_env, submission)
    session.commit()
    assert len(get_queue(worker_env, "gpu")) == 1 and len(get_queue(worker_env)) == 0
    assert queue_name_for(worker_env, "gpu") == f"{worker_env.queue_name}:gpu"
    run_worker(worker_env, burst=True, simple=True)  # serves cpu only
    session.refresh(submission)
    assert submission.status == SubmissionStatus.QUEUED
    gpu_host = Settings(**{**worker_env.__dict__, "worker_classes": "cpu,gpu"})
    for key, value in gpu_host.to_env().items():
        monkeypatch.setenv(key, value)
    run_worker(gpu_host, burst=True, simple=True)
    session.refresh(submission)
    assert submission.status == SubmissionStatus.SCORED


def test_queue_position_and_estimated_start(
    session: Session, worker_env: Settings, store: BlobStore, phase: Phase
) -> None:
    busy, single = _teams(session, phase.track.challenge, ["busy", "single"])
    for i in range(3):  # finished runs of 10, 20 and 30 seconds: the typical run takes 20
        start = T0 - timedelta(hours=1, seconds=i * 60)
        _queued(
            session, store, phase, busy, start, started_at=start, finished_at=start + timedelta(seconds=10 * (i + 1))
        )
    for s in session.scalars(select(Submission)).all():
        s.status = SubmissionStatus.SCORED
    session.commit()
    crowd = [_queued(session, store, phase, busy, T0 + timedelta(seconds=i)) for i in range(5)]
    late = _queued(session, store, phase, single, T0 + timedelta(minutes=5))
    nobody = queue_position(session, worker_env, late)
    # The single team was never served, the busy one was: it goes first.
    assert nobody is not None and nobody.position == 1 and nobody.workers == 0 and nobody.eta_seconds is None
    redis = redis_connection(worker_env.redis_url)
    for name in ("w1", "w2"):
        beat(redis, Heartbeat(name, "host", 1, ("cpu",), T0, T0, worker_env.queue_name), 60)
    try:
        assert queue_position(session, worker_env, late) == queue_position(session, worker_env, late)
        two = queue_position(session, worker_env, late)
        assert two is not None and two.workers == 2 and two.eta_seconds == 0.0  # two free workers take it now
        crowd[0].status = crowd[1].status = SubmissionStatus.RUNNING
        session.commit()
        # Both workers busy; the single team is next: it starts when a run ends, half a run on average.
        busy_now = queue_position(session, worker_env, late)
        assert busy_now is not None and busy_now.position == 1 and busy_now.eta_seconds == pytest.approx(10.0)
        last = queue_position(session, worker_env, crowd[4])
        assert last is not None and last.position == 4 and last.eta_seconds == pytest.approx(30.0)
    finally:
        for name in ("w1", "w2"):
            redis.delete(key_of(Heartbeat(name, "host", 1, ("cpu",), T0, T0, worker_env.queue_name)))
    session.refresh(crowd[0])
    assert queue_position(session, worker_env, crowd[0]) is None  # running: no longer in the queue


def test_a_bundle_declares_a_known_resource_class(session: Session, store: BlobStore, tmp_path: Path) -> None:
    limits = {"wall_seconds": 60, "memory_mb": 256, "pids": 64, "output_mb": 5}
    bad = write_bundle(tmp_path / "bad", kind="code", runner={"resource_class": "tpu", "limits": limits})
    with pytest.raises(BundleError) as refused:
        import_bundle(session, store, bad)
    assert "runner.resource_class" in str(refused.value) and "cpu, gpu, large-memory" in str(refused.value)
    good = write_bundle(tmp_path / "good", kind="code", runner={"resource_class": "gpu", "limits": limits})
    challenge = session.get(Challenge, import_bundle(session, store, good).challenge_id)
    assert challenge is not None and challenge.tracks[0].runner["resource_class"] == "gpu"


def test_a_submission_whose_bell_went_to_another_gets_a_new_one(
    session: Session, worker_env: Settings, store: BlobStore, phase: Phase
) -> None:
    (team,) = _teams(session, phase.track.challenge, ["team"])
    now = utcnow()  # recent: the reconciler leaves them alone for a lease
    lost = _queued(session, store, phase, team, now - timedelta(seconds=2))  # uploaded while Redis was away
    rang = _queued(session, store, phase, team, now - timedelta(seconds=1))
    rang.job_id = enqueue_evaluation(worker_env, rang)
    session.commit()
    run_worker(worker_env, burst=True, simple=True)  # the one bell serves the older; the newer rings again
    session.expire_all()
    assert [session.get(Submission, s.id).status for s in (lost, rang)] == [SubmissionStatus.SCORED] * 2  # type: ignore[union-attr]


def test_class_phase_ids_follow_each_tracks_class_and_its_changes(
    session: Session, store: BlobStore, tmp_path: Path
) -> None:
    limits = {"wall_seconds": 60, "memory_mb": 256, "pids": 64, "output_mb": 5}
    result = first_phase(make_challenge(session, store, tmp_path / "result", slug="result", labels=TRUTH))
    code = {
        name: first_phase(
            make_challenge(session, store, tmp_path / name, slug=name, kind="code", runner={"limits": limits, **runner})
        )
        for name, runner in [
            ("plain", {}),
            ("cpu", {"resource_class": "cpu"}),
            ("gpu", {"resource_class": "gpu"}),
            ("big", {"resource_class": "large-memory"}),
        ]
    }
    unset = code["plain"].track
    unset.runner = None  # type: ignore[assignment]
    session.commit()

    def expected(resource_class: str) -> list[int]:
        phases = session.scalars(select(Phase).order_by(Phase.id)).all()
        return [p.id for p in phases if runner_class(p.track.runner) == resource_class]

    cpu_phases = sorted([result.id, code["plain"].id, code["cpu"].id])
    assert class_phase_ids(session, "cpu") == cpu_phases == expected("cpu")
    assert class_phase_ids(session, "gpu") == [code["gpu"].id] == expected("gpu")
    assert class_phase_ids(session, "large-memory") == [code["big"].id]
    code["cpu"].track.runner = {"limits": limits, "resource_class": "gpu"}
    code["gpu"].track.runner = {"limits": limits}
    session.commit()
    assert class_phase_ids(session, "gpu") == [code["cpu"].id] == expected("gpu")
    assert class_phase_ids(session, "cpu") == sorted([result.id, code["plain"].id, code["gpu"].id]) == expected("cpu")
