"""Finalists: naming them from a closed private board, by hand, declines and substitutes, and eligibility."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from arena import audit, boards
from arena.db import utcnow
from arena.enums import FinalistStatus, FinalStatus, Split, SubmissionStatus
from arena.errors import Conflict, FileTooLarge, Forbidden, InvalidInput, NotFound, Unauthenticated
from arena.finals import notices
from arena.finals.access import check, get_final, get_finalist
from arena.finals.judges import detect_conflicts
from arena.finals.lifecycle import move
from arena.models import Final, Finalist, Phase, Submission, Team, User
from arena.permissions import Action, actor_for
from arena.storage import BlobStore, TooLarge


def _closed_phase(session: Session, final: Final, phase_id: int, now: datetime) -> Phase:
    if phase_id not in final.source_phase_ids:
        raise InvalidInput("phase %(id)s is not a source of this final", field="phase_id", params={"id": phase_id})
    phase = session.get(Phase, phase_id)
    assert phase is not None
    if now < phase.closes_at:
        raise Conflict("finalists are named from a closed private board; the phase is still open")
    return phase


def _taken(session: Session, final: Final) -> set[int]:
    return set(session.scalars(select(Finalist.team_id).where(Finalist.final_id == final.id)))


def _next_position(session: Session, final: Final) -> int:
    return int(session.scalar(select(func.max(Finalist.position)).where(Finalist.final_id == final.id)) or 0) + 1


def _ready_to_name(final: Final) -> None:
    if final.status not in (FinalStatus.ANNOUNCED, FinalStatus.FINALISTS_NAMED):
        raise Conflict(
            "finalists are named after the final is announced and before scoring; it is %(status)s",
            params={"status": final.status},
        )


def _add(
    session: Session, final: Final, phase: Phase, row: boards.LeaderboardRow, chosen_by: str, reason: str, status: str
) -> Finalist:
    finalist = Finalist(
        final_id=final.id,
        team_id=row.team_id,
        status=status,
        chosen_by=chosen_by,
        reason=reason,
        online_score=row.score,
        online_rank=row.rank,
        online_phase_id=phase.id,
        position=_next_position(session, final),
        institution=row.institution,
    )
    session.add(finalist)
    session.flush()
    return finalist


def name_finalists(
    session: Session,
    user: User,
    final_id: int,
    phase_id: int,
    *,
    top_n: int | None = None,
    threshold: float | None = None,
    now: datetime | None = None,
) -> list[Finalist]:
    """Name the top N teams, or every team at or past a threshold, of a closed phase's private board."""
    final = get_final(session, final_id)
    check(session, user, Action.MANAGE_FINAL, final)
    _ready_to_name(final)
    if (top_n is None) == (threshold is None):
        raise InvalidInput("name finalists either by top N or by a threshold", field="top_n")
    if top_n is not None and top_n < 1:
        raise InvalidInput("top N must be at least 1", field="top_n")
    phase = _closed_phase(session, final, phase_id, now or utcnow())
    higher = boards.higher_is_better(phase)
    rows = [r for r in boards.leaderboard(session, phase, Split.PRIVATE) if not r.is_baseline]
    if top_n is not None:
        chosen, how = [r for r in rows if r.rank <= top_n], "top_n"
    else:
        assert threshold is not None
        chosen, how = [r for r in rows if (r.score >= threshold if higher else r.score <= threshold)], "threshold"
    taken = _taken(session, final)
    named = [_add(session, final, phase, r, how, "", FinalistStatus.NAMED) for r in chosen if r.team_id not in taken]
    audit.record(
        session,
        "final.finalists_named",
        actor_id=user.id,
        challenge_id=final.challenge_id,
        target_type="final",
        target_id=final.id,
        phase_id=phase.id,
        top_n=top_n,
        threshold=threshold,
        team_ids=[f.team_id for f in named],
    )
    if final.status == FinalStatus.ANNOUNCED and named:
        move(session, final, FinalStatus.FINALISTS_NAMED, actor_id=user.id)
    detect_conflicts(session, final)
    notices.named(session, final, named)
    return named


def add_finalist(
    session: Session, user: User, final_id: int, team_id: int, reason: str, *, phase_id: int | None = None
) -> Finalist:
    """Name a team by hand, with a reason on the record (organizers)."""
    final = get_final(session, final_id)
    check(session, user, Action.MANAGE_FINAL, final)
    _ready_to_name(final)
    if not reason.strip():
        raise InvalidInput("a finalist named by hand needs a reason", field="reason")
    team = session.get(Team, team_id)
    if team is None or team.challenge_id != final.challenge_id:
        raise NotFound("no team %(id)s", params={"id": team_id})
    if team.id in _taken(session, final):
        raise Conflict("this team is already in the final")
    source = phase_id if phase_id is not None else final.source_phase_ids[0]
    if source not in final.source_phase_ids:
        raise InvalidInput("phase %(id)s is not a source of this final", field="phase_id", params={"id": source})
    phase = session.get(Phase, source)
    assert phase is not None
    row = next((r for r in boards.leaderboard(session, phase, Split.PRIVATE) if r.team_id == team.id), None)
    finalist = Finalist(
        final_id=final.id,
        team_id=team.id,
        status=FinalistStatus.NAMED,
        chosen_by="manual",
        reason=reason.strip(),
        online_score=row.score if row else None,
        online_rank=row.rank if row else None,
        online_phase_id=phase.id,
        position=_next_position(session, final),
        institution=team.institution,
    )
    session.add(finalist)
    session.flush()
    audit.record(
        session,
        "final.finalist_added",
        actor_id=user.id,
        challenge_id=final.challenge_id,
        target_type="finalist",
        target_id=finalist.id,
        team_id=team.id,
        reason=reason.strip(),
    )
    if final.status == FinalStatus.ANNOUNCED:
        move(session, final, FinalStatus.FINALISTS_NAMED, actor_id=user.id)
    detect_conflicts(session, final)
    notices.named(session, final, [finalist])
    return finalist


def decline_finalist(
    session: Session, user: User, finalist_id: int, reason: str = "", *, now: datetime | None = None
) -> Finalist | None:
    """Record that a finalist declines (its captain or an organizer); the next team on the board moves up.

    Return the substitute, if the board has one.
    """
    finalist = get_finalist(session, finalist_id)
    final = get_final(session, finalist.final_id)
    actor = actor_for(session, user, final.challenge_id)
    if not (actor.is_organizer or (actor.team_id == finalist.team_id and actor.is_captain)):
        check(session, user, Action.MANAGE_FINAL, final)
    if final.status not in (FinalStatus.FINALISTS_NAMED, FinalStatus.SCORING):
        raise Conflict("a finalist can decline only before the final is locked")
    if not FinalistStatus(finalist.status).takes_part:
        raise Conflict("this finalist is already %(status)s", params={"status": finalist.status})
    finalist.status = FinalistStatus.DECLINED
    finalist.reason = reason.strip() or finalist.reason
    audit.record(
        session,
        "final.finalist_declined",
        actor_id=user.id,
        challenge_id=final.challenge_id,
        target_type="finalist",
        target_id=finalist.id,
        team_id=finalist.team_id,
        reason=reason.strip(),
    )
    substitute = None
    if finalist.online_phase_id is not None:
        phase = session.get(Phase, finalist.online_phase_id)
        assert phase is not None
        taken = _taken(session, final)
        rows = [r for r in boards.leaderboard(session, phase, Split.PRIVATE) if not r.is_baseline]
        nxt = next((r for r in rows if r.team_id not in taken), None)
        if nxt is not None:
            substitute = _add(session, final, phase, nxt, "substitute", "", FinalistStatus.SUBSTITUTE)
            audit.record(
                session,
                "final.substitute_named",
                actor_id=user.id,
                challenge_id=final.challenge_id,
                target_type="finalist",
                target_id=substitute.id,
                team_id=nxt.team_id,
                replaces=finalist.id,
            )
            detect_conflicts(session, final)
    notices.substituted(session, final, finalist, substitute)
    return substitute


def taking_part(session: Session, final_id: int) -> list[Finalist]:
    """The finalists in the final (named or substitutes), in order."""
    query = select(Finalist).where(
        Finalist.final_id == final_id, Finalist.status.in_([FinalistStatus.NAMED, FinalistStatus.SUBSTITUTE])
    )
    return list(session.scalars(query.order_by(Finalist.position)))


def own_finalist(session: Session, user: User | None, final_id: int) -> Finalist:
    """The user's own team's finalist record in a final, or NotFound."""
    if user is None:
        raise Unauthenticated("log in first")
    final = get_final(session, final_id)
    actor = actor_for(session, user, final.challenge_id)
    finalist = session.scalar(select(Finalist).where(Finalist.final_id == final.id, Finalist.team_id == actor.team_id))
    if finalist is None or actor.team_id is None:
        raise NotFound("your team is not in this final")
    check(session, user, Action.VIEW_FINALIST_RECORD, final, finalist)
    return finalist


# -- what a finalist's captain provides ----------------------------------------------------------------


def _captain_of(session: Session, user: User, finalist: Finalist, now: datetime | None = None) -> Final:
    final = get_final(session, finalist.final_id)
    actor = check(session, user, Action.VIEW_FINALIST_RECORD, final, finalist)
    if not (actor.team_id == finalist.team_id and actor.is_captain):
        raise Forbidden("only the team's captain can do this")
    if not materials_open(final, finalist, now):
        raise Conflict("the materials deadline has passed or the final is locked: the record can no longer change")
    return final


def materials_open(final: Final, finalist: Finalist, now: datetime | None = None) -> bool:
    """Whether the captain may still change the record: taking part, before the materials deadline and the lock."""
    if not FinalistStatus(finalist.status).takes_part or final.status in (FinalStatus.LOCKED, FinalStatus.REVEALED):
        return False
    return final.materials_due_at is None or (now or utcnow()) < final.materials_due_at


def confirm_identity(
    session: Session,
    user: User,
    finalist_id: int,
    real_names: list[str],
    institution: str,
    *,
    now: datetime | None = None,
) -> None:
    """The captain confirms the team members' real names and the institution."""
    finalist = get_finalist(session, finalist_id)
    _captain_of(session, user, finalist, now)
    names = [n.strip() for n in real_names if isinstance(n, str) and n.strip()]
    if not names or not institution.strip():
        raise InvalidInput("give every member's real name and the institution", field="real_names")
    finalist.real_names, finalist.institution = names, institution.strip()
    finalist.confirmed_by_id, finalist.confirmed_at = user.id, utcnow()


def upload_report(
    session: Session, store: BlobStore, user: User, finalist_id: int, stream: BinaryIO, *, now: datetime | None = None
) -> str:
    """The captain uploads the technical report (a PDF within the final's size limit), stored by sha256."""
    finalist = get_finalist(session, finalist_id)
    final = _captain_of(session, user, finalist, now)
    try:
        staged = store.stage(stream, final.report_max_bytes)
    except TooLarge:
        raise FileTooLarge(
            "the report is larger than %(bytes)s bytes", params={"bytes": final.report_max_bytes}
        ) from None
    with staged:
        with staged.path.open("rb") as handle:
            if handle.read(5) != b"%PDF-":
                raise InvalidInput("the technical report must be a PDF file", field="report")
        finalist.report_sha256, finalist.report_size = staged.keep(), staged.size
    finalist.report_uploaded_at = now or utcnow()
    return finalist.report_sha256


def choose_code_submission(
    session: Session, user: User, finalist_id: int, submission_id: int, *, now: datetime | None = None
) -> None:
    """The captain picks the team's scored submission of the source phase that reproduction re-runs."""
    finalist = get_finalist(session, finalist_id)
    _captain_of(session, user, finalist, now)
    submission = session.get(Submission, submission_id)
    if (
        submission is None
        or submission.team_id != finalist.team_id
        or submission.phase_id != finalist.online_phase_id
        or submission.status != SubmissionStatus.SCORED
    ):
        raise InvalidInput("choose one of the team's scored submissions of the source phase", field="submission_id")
    finalist.code_submission_id = submission.id
    finalist.reproduction_status, finalist.reproduction_result, finalist.rerun_id = "none", {}, None


@dataclass(frozen=True)
class Eligibility:
    """Whether a finalist may be ranked, and every reason it may not."""

    eligible: bool
    reasons: list[str]


def eligibility(session: Session, finalist: Finalist) -> Eligibility:
    """Check a finalist's checklist: identity confirmed, report, code submission and a passed reproduction."""
    final = get_final(session, finalist.final_id)
    reasons = []
    if finalist.confirmed_at is None:
        reasons.append("real names and institution are not confirmed by the captain")
    if not finalist.report_sha256:
        reasons.append("no technical report is uploaded")
    elif (
        final.materials_due_at and finalist.report_uploaded_at and finalist.report_uploaded_at > final.materials_due_at
    ):
        reasons.append("the technical report came after the materials deadline")
    if finalist.code_submission_id is None:
        reasons.append("no code submission is selected")
    if finalist.reproduction_status != "passed":
        reasons.append("the reproduction has not passed")
    return Eligibility(not reasons, reasons)
