"""Editing a phase's settings from the console: checked by the importer's own phase check, and fair to teams.

A change that would be unfair to teams of a phase that has opened (shortening an open window, lowering a quota
below what a team has used, changing the public/private split) needs a reason, is audited with before and after,
and is announced in every participant's inbox. A changed split starts a rescore; changed board rules rebuild
the boards.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from arena import audit, boards, notifications
from arena import evaluation as evaluation_service
from arena.challenges import SETTING_KEYS, PhaseSettings, Problems, counted, day_bounds, read_phase_settings
from arena.errors import BundleError, InvalidInput
from arena.models import Membership, Phase, Submission, User
from arena.settings import Settings
from arena.storage import BlobStore
from arena.timestamps import rfc3339

# What the console edits; the other settings (failures counting, logs, concurrency) stay with the bundle.
EDITABLE = (
    "opens",
    "closes",
    "daily_quota",
    "total_quota",
    "public_fraction",
    "split_seed",
    "freeze_at",
    "final_selection_max",
    "use_ladder",
)
COLUMNS = {"opens": "opens_at", "closes": "closes_at"}
BOARD_RULES = ("freeze_at", "final_selection_max", "use_ladder")
SPLIT = ("public_fraction", "split_seed")
# Message ids of the participants' notice (translated when read).
CHANGED = "The rules of %(phase)s in %(challenge)s changed"
CHANGED_BODY = "What changed: %(changes)s. Reason on the record: %(reason)s"
MESSAGES = (CHANGED, CHANGED_BODY)


@dataclass(frozen=True)
class PhaseEdit:
    """What an edit did: the changed settings (before, after), the unfair ones, and the rescore it started."""

    phase_id: int
    changed: dict[str, tuple[Any, Any]]
    unfair: list[str]
    rescore_run_id: int | None


def phase_entry(phase: Phase) -> dict[str, Any]:
    """The phase's current settings as a bundle phase entry (the shape ``read_phase_settings`` reads)."""
    entry: dict[str, Any] = {key: getattr(phase, COLUMNS.get(key, key)) for key in SETTING_KEYS}
    return {key: value for key, value in entry.items() if value is not None}


def check_phase(phase: Phase, changes: dict[str, Any]) -> tuple[PhaseSettings | None, list[tuple[str, str]]]:
    """Merge ``changes`` (bundle keys; None clears an optional one) into the phase and check it as the importer."""
    p = Problems()
    p.unknown_keys(changes, set(EDITABLE), "")
    entry = phase_entry(phase)
    entry.update({key: value for key, value in changes.items() if key in EDITABLE})
    entry = {key: value for key, value in entry.items() if value is not None and value != ""}
    settings = read_phase_settings(p, entry, "")
    return settings, p.items


def _value(phase: Phase, key: str) -> Any:
    return getattr(phase, COLUMNS.get(key, key))


def _plain(value: Any) -> Any:
    return rfc3339(value) if isinstance(value, datetime) else value


def _most_used(session: Session, phase: Phase, since: datetime | None = None) -> int:
    query = (
        select(func.count(Submission.id))
        .join(Phase, Phase.id == Submission.phase_id)
        .where(Submission.phase_id == phase.id, counted())
        .group_by(Submission.team_id)
    )
    if since is not None:
        query = query.where(Submission.created_at >= since)
    return max(session.scalars(query), default=0)


def unfair_changes(session: Session, phase: Phase, new: PhaseSettings, now: datetime) -> list[str]:
    """The settings whose change would be unfair to teams now (empty before the phase opens)."""
    if now < phase.opens_at:
        return []
    unfair = []
    if phase.is_open(now) and new.closes < phase.closes_at:
        unfair.append("closes")
    if phase.is_open(now) and new.opens > now:
        unfair.append("opens")
    if new.daily_quota < phase.daily_quota and new.daily_quota < _most_used(session, phase, day_bounds(now)[0]):
        unfair.append("daily_quota")
    old_total = phase.total_quota
    if new.total_quota is not None and (old_total is None or new.total_quota < old_total):
        if new.total_quota < _most_used(session, phase):
            unfair.append("total_quota")
    if new.public_fraction != phase.public_fraction:
        unfair.append("public_fraction")
    return unfair


def _submitted(session: Session, phase: Phase) -> int:
    return session.scalar(select(func.count(Submission.id)).where(Submission.phase_id == phase.id)) or 0


def edit_phase(  # noqa: PLR0913
    session: Session,
    settings: Settings,
    store: BlobStore,
    phase: Phase,
    changes: dict[str, Any],
    *,
    actor_id: int | None,
    reason: str,
    now: datetime,
) -> PhaseEdit:
    """Apply ``changes`` to the phase or raise (BundleError with every problem; InvalidInput for a missing reason).

    Commits when something changed.
    """
    new, problems = check_phase(phase, changes)
    if new is not None and new.split_seed != phase.split_seed and _submitted(session, phase):
        problems.append(("split_seed", "cannot change once the phase has submissions"))
    if problems or new is None:
        raise BundleError(problems)
    changed = {
        key: (_value(phase, key), getattr(new, key)) for key in EDITABLE if _value(phase, key) != getattr(new, key)
    }
    if not changed:
        return PhaseEdit(phase_id=phase.id, changed={}, unfair=[], rescore_run_id=None)
    unfair = unfair_changes(session, phase, new, now)
    reason = reason.strip()[:2000]
    if unfair and not reason:
        raise InvalidInput(
            "this change is unfair to teams of a phase that has opened (%(fields)s): say why, for the record and "
            "for the participants' notice",
            field="reason",
            params={"fields": ", ".join(unfair)},
        )
    for key, (_before, after) in changed.items():
        setattr(phase, COLUMNS.get(key, key), after)
    audit.record(
        session,
        "phase.settings_changed",
        actor_id=actor_id,
        challenge_id=phase.track.challenge_id,
        target_type="phase",
        target_id=phase.id,
        before={key: _plain(b) for key, (b, _a) in changed.items()},
        after={key: _plain(a) for key, (_b, a) in changed.items()},
        unfair=unfair,
        reason=reason,
    )
    session.flush()
    if unfair:
        tell_participants(session, phase, unfair, reason)
    if any(key in changed for key in BOARD_RULES):
        boards.rebuild_phases(session, store, [phase])
    run = None
    if any(key in changed for key in SPLIT) and _submitted(session, phase):
        session.commit()
        run = evaluation_service.rescore_phase(
            session, settings, phase, reason=reason or "public/private split changed", requested_by_id=actor_id
        )
    session.commit()
    return PhaseEdit(phase_id=phase.id, changed=changed, unfair=unfair, rescore_run_id=run.id if run else None)


def tell_participants(session: Session, phase: Phase, changes: list[str], reason: str) -> int:
    """Put a notice of the phase's changed rules (and why) in the inbox of everyone in a team of the challenge."""
    challenge = phase.track.challenge
    users = session.scalars(
        select(User).join(Membership, Membership.user_id == User.id).where(Membership.challenge_id == challenge.id)
    ).all()
    rows = notifications.notify(
        session,
        users,
        "phase.settings_changed",
        CHANGED,
        body=CHANGED_BODY,
        params={
            "phase": dict(phase.title),
            "challenge": dict(challenge.title),
            "changes": ", ".join(changes),
            "reason": reason,
        },
        link=f"/c/{challenge.slug}",
    )
    return len(rows)
