"""Dry runs and publishing: score every phase's sample submission and baseline before participants arrive.

A dry run has one entry per phase and reference (``sample``, ``baseline``). Result tracks are scored in the
request; code tracks and scoring programs run in the sandbox, through a job on the evaluation queue that
the ordinary worker executes. Publishing needs the latest dry run to be finished, to match the challenge's
current configuration (its fingerprint), to have at least one baseline, and every declared reference to score.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from redis.exceptions import RedisError
from rq import Queue
from rq.serializers import JSONSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from arena import audit
from arena import evaluation as evaluation_service
from arena.db import utcnow
from arena.errors import Conflict, NotFound
from arena.models import Challenge, DryRun, Phase
from arena.publishing.structure import structure_problems
from arena.runtime import redis_connection
from arena.settings import Settings
from arena.storage import BlobStore

log = logging.getLogger(__name__)

DRY_RUN_JOB = "arena.publishing.jobs.dry_run"
REFERENCES = ("sample", "baseline")
MISSING, QUEUED, SCORED, FAILED = "missing", "queued", "scored", "failed"


def _phases(challenge: Challenge) -> list[Phase]:
    return [phase for track in challenge.tracks for phase in track.phases]


def _reference_sha(phase: Phase, which: str) -> str:
    return phase.sample_sha256 if which == "sample" else phase.baseline_sha256


def fingerprint(challenge: Challenge) -> str:
    """Hash everything a dry run's verdict depends on: keys, inputs, splits, scorers and the references."""
    facts = []
    for phase in _phases(challenge):
        track = phase.track
        facts.append(
            [
                track.slug,
                track.kind,
                track.scorer,
                track.scorer_options,
                track.scoring_program_sha256,
                track.id_column,
                track.target_columns,
                track.runner,
                track.max_upload_bytes,
                phase.slug,
                phase.labels_sha256,
                phase.inputs_sha256,
                phase.split_seed,
                phase.public_fraction,
                phase.sample_sha256,
                phase.baseline_sha256,
            ]
        )
    return hashlib.sha256(json.dumps(facts, sort_keys=True, default=str).encode()).hexdigest()


def latest_dry_run(session: Session, challenge_id: int) -> DryRun | None:
    """Return the challenge's most recent dry run, if any."""
    query = select(DryRun).where(DryRun.challenge_id == challenge_id).order_by(DryRun.id.desc()).limit(1)
    return session.scalar(query)


def get_dry_run(session: Session, challenge: Challenge, dry_run_id: int) -> DryRun:
    """Return a dry run of ``challenge`` or raise NotFound."""
    row = session.get(DryRun, dry_run_id)
    if row is None or row.challenge_id != challenge.id:
        raise NotFound("no such dry run")
    return row


def _outcome_fields(outcome: evaluation_service.ReferenceOutcome) -> dict[str, Any]:
    return {
        "status": SCORED if outcome.scored else FAILED,
        "scores": dict(outcome.scores),
        "message": outcome.message,
        "template": outcome.template,
        "params": {k: v if isinstance(v, int | float | str) else str(v) for k, v in outcome.params.items()},
    }


def start_dry_run(
    session: Session, settings: Settings, store: BlobStore, challenge: Challenge, *, actor_id: int | None
) -> DryRun:
    """Score every reference of the challenge (sandboxed ones through the worker); commit and return the run."""
    entries: list[dict[str, Any]] = []
    for phase in _phases(challenge):
        for which in REFERENCES:
            entry: dict[str, Any] = {
                "track": phase.track.slug,
                "phase": phase.slug,
                "phase_id": phase.id,
                "reference": which,
                "status": MISSING,
                "scores": {},
                "message": "",
                "template": "",
                "params": {},
            }
            sha = _reference_sha(phase, which)
            if sha and evaluation_service.needs_sandbox(phase):
                entry["status"] = QUEUED
            elif sha:
                label = f"{challenge.id}-{phase.id}-{which}"
                entry.update(_outcome_fields(evaluation_service.score_reference(settings, store, phase, sha, label)))
            entries.append(entry)
    run = DryRun(
        challenge_id=challenge.id, requested_by_id=actor_id, fingerprint=fingerprint(challenge), entries=entries
    )
    if not any(e["status"] == QUEUED for e in entries):
        run.finished_at = utcnow()
    session.add(run)
    session.flush()
    audit.record(
        session,
        "challenge.dry_run",
        actor_id=actor_id,
        challenge_id=challenge.id,
        target_type="dry_run",
        target_id=run.id,
        fingerprint=run.fingerprint,
    )
    session.commit()
    if run.finished_at is None:
        _enqueue(session, settings, run)
    return run


def _enqueue(session: Session, settings: Settings, run: DryRun) -> None:
    queue = Queue(settings.queue_name, connection=redis_connection(settings.redis_url), serializer=JSONSerializer)
    try:
        queue.enqueue(
            DRY_RUN_JOB,
            {"dry_run_id": run.id},
            job_id=f"dry-run-{run.id}",
            job_timeout=settings.job_timeout_seconds,
            result_ttl=3600,
            failure_ttl=7 * 24 * 3600,
        )
    except RedisError:
        log.warning("could not enqueue dry run %s", run.id)
        message = "the queue could not be reached; run the dry run again"
        run.entries = [
            {**e, "status": FAILED, "message": message, "template": message} if e["status"] == QUEUED else e
            for e in run.entries
        ]
        run.finished_at = utcnow()
        session.commit()


def execute_dry_run(session: Session, settings: Settings, store: BlobStore, dry_run_id: int) -> DryRun | None:
    """Score a dry run's queued entries in the sandbox, committing after each one (run by the worker)."""
    run = session.get(DryRun, dry_run_id)
    if run is None or run.finished_at is not None:
        return run
    for index, entry in enumerate(list(run.entries)):
        if entry["status"] != QUEUED:
            continue
        phase = session.get(Phase, entry["phase_id"])
        sha = _reference_sha(phase, entry["reference"]) if phase is not None else ""
        if phase is None or not sha:
            updated = {**entry, "status": FAILED, "message": "the phase or its reference is gone"}
        else:
            label = f"dry-run-{run.id}-{index}"
            updated = {
                **entry,
                **_outcome_fields(evaluation_service.score_reference(settings, store, phase, sha, label)),
            }
        entries = list(run.entries)
        entries[index] = updated
        run.entries = entries
        session.commit()
    run.finished_at = utcnow()
    session.commit()
    return run


def publish_problems(session: Session, challenge: Challenge) -> list[tuple[str, dict[str, object]]]:
    """Return why the challenge cannot be published now (message templates with parameters); empty if it can."""
    missing = structure_problems(challenge)
    if missing:
        return missing
    run = latest_dry_run(session, challenge.id)
    if run is None:
        return [("run the dry run first: it scores the sample submission and the baseline against the hidden key", {})]
    if run.finished_at is None:
        return [("the dry run is still running; wait for it to finish", {})]
    if run.fingerprint != fingerprint(challenge):
        return [
            ("the hidden key, the scorer or a reference submission changed since the last dry run; run it again", {})
        ]
    problems: list[tuple[str, dict[str, object]]] = []
    baselines = [e for e in run.entries if e["reference"] == "baseline" and e["status"] != MISSING]
    if not baselines:
        problems.append(
            ("no phase declares a baseline; add one to the bundle (baseline:) so the dry run can score it", {})
        )
    for entry in run.entries:
        if entry["status"] == FAILED:
            where = f"{entry['track']}/{entry['phase']}"
            template = (
                "the baseline of %(phase)s did not score: %(message)s"
                if entry["reference"] == "baseline"
                else "the sample submission of %(phase)s did not score: %(message)s"
            )
            problems.append((template, {"phase": where, "message": entry["message"]}))
    return problems


def publish(session: Session, challenge: Challenge, *, actor_id: int | None) -> None:
    """Publish the challenge if its dry run allows it (else Conflict naming the first problem); the caller commits."""
    problems = publish_problems(session, challenge)
    if problems:
        template, params = problems[0]
        raise Conflict(template, params=params)
    if challenge.is_published:
        return
    challenge.is_published = True
    run = latest_dry_run(session, challenge.id)
    audit.record(
        session,
        "challenge.published",
        actor_id=actor_id,
        challenge_id=challenge.id,
        target_type="challenge",
        target_id=challenge.id,
        dry_run_id=run.id if run else None,
    )


def unpublish(session: Session, challenge: Challenge, *, actor_id: int | None, reason: str) -> None:
    """Hide the challenge from everyone but its organizers and judges; the caller commits."""
    if not challenge.is_published:
        return
    challenge.is_published = False
    audit.record(
        session,
        "challenge.unpublished",
        actor_id=actor_id,
        challenge_id=challenge.id,
        target_type="challenge",
        target_id=challenge.id,
        reason=reason.strip()[:2000],
    )
