"""Judging: the finals a judge sees, a finalist's packet and form, saving marks, and scoring progress."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from arena import audit, boards, evaluation
from arena.db import utcnow
from arena.enums import FinalStatus, Split
from arena.errors import Conflict, InvalidInput, NotFound
from arena.finals.access import assigned_ids, check, conflicted_ids, get_final, get_finalist
from arena.finals.finalists import taking_part
from arena.finals.rubric import rubric
from arena.models import Final, Finalist, FinalJudge, JudgeScore, LeaderboardEntry, Phase, Submission, Team, User
from arena.permissions import Action
from arena.storage import BlobStore
from arena.timestamps import rfc3339

# Provenance a judge may see: hashes of what ran and how it was scored, never anything about the hidden key.
PROVENANCE_FIELDS = ("split", "primary", "submission_sha256", "scorer_name", "scorer_version", "image_digest")


def judged_finals(session: Session, user: User) -> list[Final]:
    """The finals a user judges (a judge account sees only these)."""
    query = select(Final).join(FinalJudge, FinalJudge.final_id == Final.id).where(FinalJudge.user_id == user.id)
    return list(session.scalars(query.order_by(Final.id)))


def judge_queue(session: Session, user: User, final_id: int, *, store: BlobStore | None = None) -> list[dict[str, Any]]:
    """The packets of the finalists a judge scores in a final: assigned to it and without a conflict."""
    final = get_final(session, final_id)
    check(session, user, Action.JUDGE_FINAL, final)
    mine = [f for f in taking_part(session, final.id) if _may_score(session, final, f, user.id)]
    return [finalist_packet(session, user, f.id, store=store) for f in mine]


def _may_score(session: Session, final: Final, finalist: Finalist, user_id: int) -> bool:
    return user_id not in conflicted_ids(session, final.id, finalist.team_id) and user_id in assigned_ids(
        session, final.id, finalist.id
    )


def _hides_names(final: Final) -> bool:
    return final.blind and final.status != FinalStatus.REVEALED


def finalist_packet(
    session: Session, user: User, finalist_id: int, *, store: BlobStore | None = None
) -> dict[str, Any]:
    """What a judge reviews about one finalist; refused (as not found) to a conflicted or unassigned judge.

    With the blob store, the public board's line also gets its bootstrap 95% CI (the boards keep one for the
    private board only).
    """
    finalist = get_finalist(session, finalist_id)
    final = get_final(session, finalist.final_id)
    actor = check(session, user, Action.VIEW_FINALIST_PACKET, final, finalist)
    team = session.get(Team, finalist.team_id)
    assert team is not None
    blind = _hides_names(final) and not actor.is_organizer
    submission = session.get(Submission, finalist.code_submission_id) if finalist.code_submission_id else None
    provenance = []
    if submission is not None:
        for item in evaluation.provenance(session, submission):
            if item.current:
                provenance.append({name: getattr(item, name) for name in PROVENANCE_FIELDS})
    return {
        "finalist_id": finalist.id,
        "code": f"F{finalist.position}",
        "team": None if blind else team.name,
        "institution": None if blind else (finalist.institution or team.institution),
        "members": None if blind else list(finalist.real_names),
        "online_score": finalist.online_score,
        "online_rank": finalist.online_rank,
        "boards": board_lines(session, finalist, store),
        "history": score_history(session, finalist, f"F{finalist.position}" if blind else team.name),
        "reproduction": {"status": finalist.reproduction_status, **_public_result(finalist.reproduction_result)},
        "report": {"sha256": finalist.report_sha256, "size": finalist.report_size} if finalist.report_sha256 else None,
        "submission_id": finalist.code_submission_id,
        "provenance": provenance,
        "code_file": _code_file(finalist, submission),
    }


def _code_file(finalist: Finalist, submission: Submission | None) -> dict[str, Any] | None:
    """The selected submission's file for judges: named by the finalist's code, never by the upload's name."""
    if submission is None:
        return None
    suffix = "".join(PurePosixPath(submission.file_name).suffixes[-2:])[:12]
    return {
        "sha256": submission.file_sha256,
        "size": submission.file_size,
        "name": f"F{finalist.position}-submission{suffix if suffix.isascii() else ''}",
    }


def finalist_code(session: Session, user: User, finalist_id: int) -> dict[str, Any]:
    """The selected submission's file (sha256, size, download name) for a viewer allowed the packet; else not found."""
    code = finalist_packet(session, user, finalist_id)["code_file"]
    if code is None:
        raise NotFound("the finalist has not selected a submission")
    return dict(code)


def board_lines(session: Session, finalist: Finalist, store: BlobStore | None = None) -> dict[str, Any]:
    """The team's lines on the source phase's private and public boards: score, bootstrap CI and rank interval.

    The private line's statistics are the board's own; the public line's CI is computed here, for this one
    row, the same way (only when ``store`` is given), so the board pages do no extra work.
    """
    if finalist.online_phase_id is None:
        return {}
    phase = session.get(Phase, finalist.online_phase_id)
    assert phase is not None
    rows = session.scalars(
        select(LeaderboardEntry).where(
            LeaderboardEntry.phase_id == phase.id,
            LeaderboardEntry.version == phase.score_version,
            LeaderboardEntry.team_id == finalist.team_id,
            LeaderboardEntry.split.in_([Split.PRIVATE.value, Split.PUBLIC.value]),
        )
    )
    lines: dict[str, Any] = {}
    for row in rows:
        ci_low, ci_high = row.ci_low, row.ci_high
        if row.split == Split.PUBLIC.value and ci_low is None and store is not None:
            ci_low, ci_high = boards.line_interval(session, store, phase, row)
        lines[row.split] = {
            "score": row.score,
            "ci_low": ci_low,
            "ci_high": ci_high,
            "rank_low": row.rank_low,
            "rank_high": row.rank_high,
            "statistical_tie": row.statistical_tie,
        }
    return lines


def _public_result(result: dict[str, Any]) -> dict[str, Any]:
    keep = ("online", "reproduced", "difference", "tolerance", "image_digest", "run", "failure_class", "sealed")
    return {k: v for k, v in (result or {}).items() if k in keep}


def mark_form(session: Session, user: User, finalist_id: int) -> list[dict[str, Any]]:
    """A judge's form for a finalist: every criterion with the judge's saved points and comment."""
    finalist = get_finalist(session, finalist_id)
    final = get_final(session, finalist.final_id)
    check(session, user, Action.SCORE_FINALIST, final, finalist)
    saved = {
        m.criterion_id: m
        for m in session.scalars(
            select(JudgeScore).where(JudgeScore.finalist_id == finalist.id, JudgeScore.judge_id == user.id)
        )
    }
    return [
        {
            "criterion_id": c.id,
            "name": c.name,
            "description": c.description,
            "weight": c.weight,
            "min": c.min_points,
            "max": c.max_points,
            "step": c.step,
            "points": saved[c.id].points if c.id in saved else None,
            "comment": saved[c.id].comment if c.id in saved else "",
        }
        for c in rubric(session, final.id)
    ]


def save_mark(
    session: Session,
    user: User,
    finalist_id: int,
    criterion_id: int,
    points: float,
    comment: str = "",
    *,
    now: datetime | None = None,
) -> JudgeScore:
    """Save (or revise) a judge's mark on one criterion; refused after lock, and that attempt is audited."""
    finalist = get_finalist(session, finalist_id)
    final = get_final(session, finalist.final_id)
    check(session, user, Action.SCORE_FINALIST, final, finalist)
    if final.status in (FinalStatus.LOCKED, FinalStatus.REVEALED):
        audit.record(
            session,
            "final.mark_refused",
            actor_id=user.id,
            challenge_id=final.challenge_id,
            target_type="finalist",
            target_id=finalist.id,
            criterion_id=criterion_id,
            status=final.status,
        )
        session.commit()  # the refused attempt stays on the record whatever the caller does next
        raise Conflict("the final is %(status)s; marks can no longer change", params={"status": final.status})
    if final.status != FinalStatus.SCORING:
        raise Conflict("scoring has not opened yet")
    criterion = next((c for c in rubric(session, final.id) if c.id == criterion_id), None)
    if criterion is None:
        raise NotFound("no criterion %(id)s in this final", params={"id": criterion_id})
    value = float(points)
    steps = (value - criterion.min_points) / criterion.step
    if not criterion.min_points <= value <= criterion.max_points or abs(steps - round(steps)) > 1e-9:
        raise InvalidInput(
            "points must be from %(min)s to %(max)s in steps of %(step)s",
            field="points",
            params={"min": criterion.min_points, "max": criterion.max_points, "step": criterion.step},
        )
    when = now or utcnow()
    row = _mark(session, finalist.id, user.id, criterion.id)
    if row is None:
        try:
            with session.begin_nested():
                row = JudgeScore(finalist_id=finalist.id, judge_id=user.id, criterion_id=criterion.id, points=value)
                row.comment, row.updated_at = comment, when
                session.add(row)
        except IntegrityError:  # the same judge saved the same criterion from another tab a moment earlier
            row = _mark(session, finalist.id, user.id, criterion.id)
            assert row is not None
    row.points, row.comment, row.updated_at = value, comment, when
    session.flush()
    return row


def _mark(session: Session, finalist_id: int, judge_id: int, criterion_id: int) -> JudgeScore | None:
    return session.scalar(
        select(JudgeScore).where(
            JudgeScore.finalist_id == finalist_id,
            JudgeScore.judge_id == judge_id,
            JudgeScore.criterion_id == criterion_id,
        )
    )


def raw_marks(session: Session, final_id: int) -> dict[int, dict[int, dict[int, float]]]:
    """judge (user id) → finalist id → criterion id → points, for a final."""
    query = (
        select(JudgeScore.judge_id, JudgeScore.finalist_id, JudgeScore.criterion_id, JudgeScore.points)
        .join(Finalist, Finalist.id == JudgeScore.finalist_id)
        .where(Finalist.final_id == final_id)
    )
    result: dict[int, dict[int, dict[int, float]]] = {}
    for judge, finalist, criterion, points in session.execute(query):
        result.setdefault(judge, {}).setdefault(finalist, {})[criterion] = points
    return result


def owed(session: Session, final: Final, finalists: list[Finalist]) -> dict[int, set[int]]:
    """judge (user id) → the finalists that judge must score (assigned, without a conflict)."""
    judges = session.scalars(select(FinalJudge.user_id).where(FinalJudge.final_id == final.id)).all()
    return {j: {f.id for f in finalists if _may_score(session, final, f, j)} for j in judges}


@dataclass(frozen=True)
class JudgeProgress:
    """Who a judge has scored, who is still missing, and whom the judge may not score."""

    judge_id: int
    username: str
    panel: str | None
    complete: list[int]
    partial: list[int]
    missing: list[int]
    excluded: list[int]


def progress(session: Session, user: User, final_id: int) -> list[JudgeProgress]:
    """Scoring progress per judge (organizers)."""
    final = get_final(session, final_id)
    check(session, user, Action.MANAGE_FINAL, final)
    finalists = taking_part(session, final.id)
    criteria = {c.id for c in rubric(session, final.id)}
    marks, duty = raw_marks(session, final.id), owed(session, final, finalists)
    rows = session.execute(
        select(FinalJudge, User.username)
        .join(User, User.id == FinalJudge.user_id)
        .where(FinalJudge.final_id == final.id)
    ).all()
    result = []
    for judge, name in sorted(rows, key=lambda r: r[1]):
        mine, due = marks.get(judge.user_id, {}), duty.get(judge.user_id, set())
        complete = sorted(f for f in due if criteria and criteria <= set(mine.get(f, {})))
        partial = sorted(f for f in due if f in mine and f not in complete)
        missing = sorted(f for f in due if f not in mine)
        excluded = sorted(f.id for f in finalists if f.id not in due)
        result.append(JudgeProgress(judge.user_id, name, judge.panel, complete, partial, missing, excluded))
    return result


def score_history(session: Session, finalist: Finalist, label: str) -> dict[str, list[dict[str, Any]]]:
    """The team's best score over the source phase, per split: a point each time it improved."""
    if finalist.online_phase_id is None:
        return {}
    phase = session.get(Phase, finalist.online_phase_id)
    assert phase is not None
    history: dict[str, list[dict[str, Any]]] = {}
    for split in (Split.PRIVATE, Split.PUBLIC):
        chart = boards.team_chart(session, phase, split, finalist.team_id, label)
        points = [{"at": rfc3339(p.at), "score": p.score} for s in chart.series for p in s.points]
        if points:
            history[split.value] = points
    return history
