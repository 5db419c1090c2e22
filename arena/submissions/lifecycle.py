"""Submissions: accepting uploads, their lifecycle, and what each viewer may see of them."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, BinaryIO

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from arena import audit
from arena.challenges import check_quota, is_admitted, not_admitted_message
from arena.db import utcnow
from arena.enums import FailureClass, Split, SubmissionStatus, TeamStatus, TrackKind, check_submission_transition
from arena.errors import FileTooLarge, Forbidden, InvalidArchive, InvalidInput, NotFound, PhaseClosed
from arena.models import Phase, Score, Submission, Team, User
from arena.permissions import Action, Actor, decide, phase_resource, require
from arena.storage import BlobStore, StagedBlob, TooLarge
from arena.submissions.archives import check_code_archive
from arena.submissions.predictions import check_result_file
from arena.teams import team_of
from arena.timestamps import rfc3339
from sandbox.archives import ArchiveError

RESULT_SUFFIXES = (".csv", ".txt", ".tsv")
CODE_SUFFIXES = (".zip", ".tar.gz", ".tgz")


def _check_phase_open(phase: Phase, now: datetime) -> None:
    if now < phase.opens_at:
        raise PhaseClosed(
            "this phase opens at %(at)s; submissions are not accepted yet", params={"at": rfc3339(phase.opens_at)}
        )
    if now >= phase.closes_at:
        raise PhaseClosed(
            "this phase closed at %(at)s; submissions are no longer accepted",
            params={"at": rfc3339(phase.closes_at)},
        )


def _check_file_name(filename: str, kind: str) -> str:
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()[:255]
    if not name:
        raise InvalidInput("no file was uploaded; choose a file to submit", field="file")
    suffixes = CODE_SUFFIXES if kind == TrackKind.CODE else RESULT_SUFFIXES
    if not name.lower().endswith(suffixes):
        what = "a .zip or .tar.gz archive of your code" if kind == TrackKind.CODE else "a .csv file"
        raise InvalidInput("%(name)r is not " + what, field="file", params={"name": name})
    return name


def upload_limit(phase: Phase, site_limit: int | None = None) -> int:
    """Return the largest file in bytes the phase's track accepts (the site's own cap when that is lower)."""
    limit = phase.track.max_upload_bytes
    return min(limit, site_limit) if site_limit is not None else limit


def file_too_large(limit: int) -> FileTooLarge:
    """Return the refusal of a file larger than ``limit`` bytes, stating the limit."""
    return FileTooLarge(
        "the file is larger than this track's limit of %(mb)s MB",
        field="file",
        params={"mb": f"{limit / (1024 * 1024):.3g}"},
    )


def check_submittable(session: Session, *, user: User, phase: Phase, now: datetime) -> Team:
    """Refuse a submission for what is known before its file is read; return the user's team.

    Checks the team, the permission policy (staging included), the team's status, the phase window and the
    quota. The quota is checked again under the team's lock once the file is in.
    """
    team = team_of(session, user.id, phase.track.challenge.id)
    if team is None:
        raise Forbidden("create or join a team for this challenge before submitting")
    actor = Actor(user_id=user.id, is_admin=user.is_admin, team_id=team.id)
    resource = replace(
        phase_resource(phase, now, owner_team_id=team.id), team_admitted=is_admitted(session, phase, team.id)
    )
    if not decide(actor, Action.SUBMIT, resource) and not resource.team_admitted:
        template, params = not_admitted_message(session, phase)
        raise Forbidden(template, params=params)
    require(actor, Action.SUBMIT, resource)
    if team.status != TeamStatus.ACTIVE:
        raise Forbidden("your team cannot submit: it is %(status)s", params={"status": str(team.status)})
    _check_phase_open(phase, now)
    check_quota(session, team.id, phase, now, user_id=user.id)
    return team


def _check_content(store: BlobStore, staged: StagedBlob, phase: Phase, limit: int) -> None:
    kind = phase.track.kind
    if staged.size == 0:
        raise InvalidInput("the file is empty; upload a file with a header row and one row per id", field="file")
    if kind == TrackKind.RESULT:
        # Parsed and checked against the key's ids and the declared targets now, so a file the worker would
        # refuse never becomes a submission, is never stored and uses no quota.
        check_result_file(store, phase, staged.path.read_bytes(), max_bytes=limit)
    if kind == TrackKind.CODE:
        try:
            # The same unpacking and manifest checks a run makes, so an archive the worker would refuse is
            # refused here, before it becomes a submission or uses quota.
            check_code_archive(staged.path, store.scratch())
        except ArchiveError as exc:
            raise InvalidArchive(exc.template, field="file", params=exc.params) from None


def submit(
    session: Session,
    store: BlobStore,
    *,
    user: User,
    phase: Phase,
    stream: BinaryIO,
    filename: str,
    description: str = "",
    now: datetime | None = None,
    site_limit: int | None = None,
) -> Submission:
    """Store an upload content-addressed and create a queued submission for the user's team.

    Everything that does not need the file is checked before it is read; the file is read only up to the
    track's limit, and a code archive is checked as a run would check it. The caller commits and then
    enqueues the evaluation job.
    """
    now = now or utcnow()
    track = phase.track
    team = check_submittable(session, user=user, phase=phase, now=now)
    name = _check_file_name(filename, track.kind)
    limit = upload_limit(phase, site_limit)
    try:
        staged = store.stage(stream, max_bytes=limit)
    except TooLarge:
        raise file_too_large(limit) from None
    with staged:
        _check_content(store, staged, phase, limit)
        # Touch the team row first: this takes the write lock (SQLite) or row lock (PostgreSQL)
        # so two uploads of one team cannot both pass the quota check.
        session.execute(update(Team).where(Team.id == team.id).values(invite_code=Team.invite_code))
        check_quota(session, team.id, phase, now, user_id=user.id)
        sha = staged.keep()
    submission = Submission(
        phase_id=phase.id,
        team_id=team.id,
        user_id=user.id,
        kind=track.kind,
        status=SubmissionStatus.QUEUED,
        file_sha256=sha,
        file_name=name,
        file_size=staged.size,
        description=description.strip()[:1000],
        created_at=now,
    )
    session.add(submission)
    session.flush()
    audit.record(
        session,
        "submission.created",
        actor_id=user.id,
        challenge_id=track.challenge.id,
        target_type="submission",
        target_id=submission.id,
        sha256=sha,
    )
    return submission


def transition(session: Session, submission: Submission, new: SubmissionStatus, **fields: Any) -> None:
    """Move a submission to ``new`` through the one allowed-edges check, setting other fields."""
    check_submission_transition(SubmissionStatus(submission.status), new)
    submission.status = new
    now = utcnow()
    if new == SubmissionStatus.RUNNING:
        submission.started_at = now
        submission.attempts += 1
    elif new == SubmissionStatus.QUEUED:
        submission.started_at = None
        submission.finished_at = None
    elif new.is_final:
        submission.finished_at = now
    for key, value in fields.items():
        setattr(submission, key, value)


def fail(
    session: Session,
    submission: Submission,
    failure: FailureClass,
    message: str,
    *,
    detail: str = "",
    template: str = "",
    params: dict[str, object] | None = None,
) -> None:
    """Mark a submission failed; infrastructure failures never count against the quota.

    ``template`` and ``params`` (the message with placeholders, and their values) are kept in ``run_info``
    so that pages can show the message in the viewer's language.
    """
    transition(
        session,
        submission,
        SubmissionStatus.FAILED,
        failure_class=failure,
        error_message=message[:4000],
        counts_toward_quota=failure != FailureClass.INFRASTRUCTURE,
    )
    if detail:
        submission.run_info = {**submission.run_info, "detail": detail[:4000]}
    if template and params:
        safe = {name: value if isinstance(value, int | float) else str(value)[:1000] for name, value in params.items()}
        submission.run_info = {**submission.run_info, "message": {"template": template, "params": safe}}


def get_submission(session: Session, submission_id: int) -> Submission:
    """Return a submission by id or raise NotFound."""
    submission = session.get(Submission, submission_id)
    if submission is None:
        raise NotFound("no submission %(id)s", params={"id": submission_id})
    return submission


def team_submissions(session: Session, team_id: int, phase_id: int | None = None) -> list[Submission]:
    """Return a team's submissions, newest first."""
    query = select(Submission).where(Submission.team_id == team_id)
    if phase_id is not None:
        query = query.where(Submission.phase_id == phase_id)
    return list(session.scalars(query.order_by(Submission.created_at.desc(), Submission.id.desc())))


def phase_submissions(session: Session, phase_id: int) -> list[Submission]:
    """Return every submission of a phase, newest first (organizers only)."""
    query = select(Submission).where(Submission.phase_id == phase_id)
    return list(session.scalars(query.order_by(Submission.created_at.desc(), Submission.id.desc())))


def current_scores(session: Session, submission: Submission) -> dict[str, Score]:
    """Return the submission's scores under its phase's current score version, by split."""
    rows = session.scalars(
        select(Score).where(Score.submission_id == submission.id, Score.version == submission.phase.score_version)
    )
    return {row.split: row for row in rows}


@dataclass(frozen=True)
class SubmissionView:
    """What one viewer may see of a submission."""

    id: int
    phase_id: int
    team_id: int
    team_name: str
    submitted_by: str
    file_name: str
    file_sha256: str
    status: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    failure_class: str | None
    error_message: str
    counts_toward_quota: bool
    description: str
    scores: dict[str, dict[str, Any]] = field(default_factory=dict)
    logs_visible: bool = False
    logs: dict[str, str] | None = None
    run: dict[str, Any] | None = None
    message_template: str = ""
    message_params: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict."""

        def iso(value: datetime | None) -> str | None:
            return rfc3339(value)

        return {
            "id": self.id,
            "phase_id": self.phase_id,
            "team": {"id": self.team_id, "name": self.team_name},
            "submitted_by": self.submitted_by,
            "file_name": self.file_name,
            "sha256": self.file_sha256,
            "status": self.status,
            "created_at": iso(self.created_at),
            "started_at": iso(self.started_at),
            "finished_at": iso(self.finished_at),
            "failure_class": self.failure_class,
            "error": self.error_message or None,
            "counts_toward_quota": self.counts_toward_quota,
            "description": self.description,
            "scores": self.scores,
            "logs": self.logs,
            "run": self.run,
        }


def ladder_hides_scores(phase: Phase, actor: Actor, now: datetime) -> bool:
    """Whether the Ladder keeps per-submission public scores from this viewer (participants, while the phase runs)."""
    return phase.use_ladder and not actor.is_organizer and now < phase.closes_at


RUN_FIELDS_FOR_PARTICIPANTS = ("outcome", "exit_code", "duration_seconds", "peak_memory_bytes", "logs_truncated")


def submission_logs(store: BlobStore, submission: Submission) -> dict[str, str] | None:
    """Return the run's stored stdout and stderr (already truncated by the sandbox), if any."""
    if not submission.log_sha256 or not store.exists(submission.log_sha256):
        return None
    data = json.loads(store.read_bytes(submission.log_sha256))
    return {"stdout": str(data.get("stdout", "")), "stderr": str(data.get("stderr", ""))}


def view_submission(
    session: Session, submission: Submission, actor: Actor, now: datetime, store: BlobStore | None = None
) -> SubmissionView:
    """Return what ``actor`` may see of ``submission``, or raise NotFound if nothing.

    With ``store``, the view carries the run's logs and run record when the actor may see them:
    organizers always, the team unless the phase hides logs (then only the failure class shows).
    """
    resource = phase_resource(submission.phase, now, owner_team_id=submission.team_id)
    if not decide(actor, Action.VIEW_SUBMISSION, resource):
        raise NotFound("no submission %(id)s", params={"id": submission.id})
    scores: dict[str, dict[str, Any]] = {}
    if submission.status == SubmissionStatus.SCORED:
        for split, row in current_scores(session, submission).items():
            if split == Split.PRIVATE and not decide(actor, Action.VIEW_PRIVATE_SCORE, resource):
                continue
            if split == Split.PUBLIC and ladder_hides_scores(submission.phase, actor, now):
                # Under the Ladder a team learns only the released value on the board, never each raw score.
                continue
            scores[split] = {"score": row.primary, "metrics": row.metrics, "version": row.version}
    logs_visible = decide(actor, Action.VIEW_SUBMISSION_LOGS, resource)
    message = submission.error_message
    if not logs_visible and submission.failure_class not in (None, FailureClass.INVALID_FILE):
        # In phases that hide logs a participant sees only the failure class.
        message = ""
    translatable = (submission.run_info or {}).get("message") if message else None
    return SubmissionView(
        id=submission.id,
        phase_id=submission.phase_id,
        team_id=submission.team_id,
        team_name=submission.team.name,
        submitted_by=submission.user.username if submission.user else "",
        file_name=submission.file_name,
        file_sha256=submission.file_sha256,
        status=submission.status,
        created_at=submission.created_at,
        started_at=submission.started_at,
        finished_at=submission.finished_at,
        failure_class=submission.failure_class,
        error_message=message,
        counts_toward_quota=submission.counts_toward_quota
        and (submission.status != SubmissionStatus.FAILED or submission.phase.count_participant_failures),
        description=submission.description,
        scores=scores,
        logs_visible=logs_visible,
        logs=submission_logs(store, submission) if store is not None and logs_visible else None,
        run=_run_record(submission, actor) if logs_visible and submission.run_info else None,
        message_template=str(translatable["template"]) if translatable else "",
        message_params=dict(translatable["params"]) if translatable else {},
    )


def _run_record(submission: Submission, actor: Actor) -> dict[str, Any]:
    if actor.is_organizer:
        return dict(submission.run_info)
    return {k: submission.run_info[k] for k in RUN_FIELDS_FOR_PARTICIPANTS if k in submission.run_info}
