"""A final's life: creating and editing it, declaring its formula, and moving it from draft to revealed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from arena import audit
from arena.db import utcnow
from arena.enums import FinalStatus, check_final_transition
from arena.errors import Conflict, InvalidInput
from arena.finals import notices
from arena.finals.access import check, get_final
from arena.finals.aggregation import parse_method, parse_missing_rule
from arena.finals.formula import parse_formula
from arena.models import Challenge, Final, Phase, RubricCriterion, User
from arena.permissions import Action, actor_for, require

# Fields an organizer edits directly (the formula has its own path: it may need a reason).
EDITABLE = (
    "title",
    "materials_due_at",
    "pitch_at",
    "venue",
    "source_phase_ids",
    "aggregation",
    "trim_min_judges",
    "missing_rule",
    "blind",
    "appeal_deadline",
    "tolerance",
    "report_max_bytes",
)
# Once finalists are named, the rules of the ranking change only with a reason on the record.
RULES = ("formula", "aggregation", "trim_min_judges", "missing_rule", "tolerance")


def create_final(session: Session, user: User, challenge: Challenge, title: dict[str, str], **fields: Any) -> Final:
    """Create a draft final for a challenge (organizers); ``fields`` are any of EDITABLE plus ``formula``."""
    require(actor_for(session, user, challenge.id), Action.MANAGE_FINAL, hide=True)
    final = Final(challenge_id=challenge.id, title=_title(title), status=FinalStatus.DRAFT)
    session.add(final)
    _apply(session, final, fields)
    if "formula" in fields:
        final.formula = parse_formula(fields["formula"]).to_dict()
    session.flush()
    audit.record(
        session,
        "final.created",
        actor_id=user.id,
        challenge_id=challenge.id,
        target_type="final",
        target_id=final.id,
        formula=final.formula,
    )
    return final


def update_final(session: Session, user: User, final_id: int, *, reason: str = "", **fields: Any) -> Final:
    """Change a final's schedule, sources, formula or aggregation; rule changes after naming need a reason."""
    final = get_final(session, final_id)
    check(session, user, Action.MANAGE_FINAL, final)
    if final.status in (FinalStatus.LOCKED, FinalStatus.REVEALED) and set(fields) & set(RULES):
        raise Conflict("the final is %(status)s; its formula can no longer change", params={"status": final.status})
    unknown = sorted(set(fields) - set(EDITABLE) - {"formula"})
    if unknown:
        raise InvalidInput("unknown field %(name)s", field=unknown[0], params={"name": unknown[0]})
    before = {name: _plain(getattr(final, name)) for name in fields}
    named = final.status not in (FinalStatus.DRAFT, FinalStatus.ANNOUNCED)
    changes_rules = any(name in RULES and before[name] != _plain(fields[name]) for name in fields)
    if "formula" in fields:
        formula = parse_formula(fields["formula"]).to_dict()
        changes_rules = changes_rules or formula != final.formula
        fields = {**fields, "formula": formula}
    if named and changes_rules and not reason.strip():
        raise InvalidInput(
            "finalists are named: a change of the formula or its aggregation needs a reason", field="reason"
        )
    _apply(session, final, {k: v for k, v in fields.items() if k != "formula"})
    if "formula" in fields:
        final.formula = fields["formula"]
    after = {name: _plain(getattr(final, name)) for name in fields}
    action = "final.formula_changed" if changes_rules else "final.updated"
    audit.record(
        session,
        action,
        actor_id=user.id,
        challenge_id=final.challenge_id,
        target_type="final",
        target_id=final.id,
        before=before,
        after=after,
        reason=reason.strip(),
        finalists_named=named,
    )
    if named and changes_rules:
        notices.formula_changed(session, final, reason.strip())
    return final


def _title(title: dict[str, str]) -> dict[str, str]:
    if not isinstance(title, dict) or not str(title.get("en", "")).strip() or not str(title.get("zh", "")).strip():
        raise InvalidInput("a final needs a title in English and in Chinese", field="title")
    return {"en": str(title["en"]).strip(), "zh": str(title["zh"]).strip()}


def _apply(session: Session, final: Final, fields: dict[str, Any]) -> None:
    for name, value in fields.items():
        if name == "formula":
            continue
        if name == "title":
            value = _title(value)
        elif name == "aggregation":
            value = parse_method(value).value
        elif name == "missing_rule":
            value = parse_missing_rule(value).value
        elif name in ("materials_due_at", "pitch_at", "appeal_deadline"):
            if value is not None and (not isinstance(value, datetime) or value.tzinfo is None):
                raise InvalidInput("%(field)s must be a time with its zone", field=name, params={"field": name})
        elif name == "source_phase_ids":
            value = _source_phases(session, final, value)
        elif name in ("trim_min_judges", "report_max_bytes"):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise InvalidInput("%(field)s must be a whole number of at least 1", field=name, params={"field": name})
        elif name == "tolerance":
            if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
                raise InvalidInput("the tolerance must be a number of at least 0", field=name)
            value = float(value)
        elif name == "blind":
            value = bool(value)
        elif name == "venue":
            value = str(value).strip()
        setattr(final, name, value)


def _source_phases(session: Session, final: Final, ids: Any) -> list[int]:
    if not isinstance(ids, list | tuple) or not ids:
        raise InvalidInput("a final needs at least one source phase", field="source_phase_ids")
    for phase_id in ids:
        phase = session.get(Phase, phase_id) if isinstance(phase_id, int) else None
        if phase is None or phase.track.challenge_id != final.challenge_id:
            raise InvalidInput(
                "phase %(id)s is not a phase of this challenge", field="source_phase_ids", params={"id": phase_id}
            )
    return [int(i) for i in ids]


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def move(session: Session, final: Final, new: FinalStatus, *, actor_id: int | None, **data: Any) -> None:
    """Move a final along its lifecycle (checked) and record it in the audit log."""
    current = FinalStatus(final.status)
    check_final_transition(current, new)
    final.status = new
    audit.record(
        session,
        f"final.{new.value}",
        actor_id=actor_id,
        challenge_id=final.challenge_id,
        target_type="final",
        target_id=final.id,
        previous=current.value,
        **data,
    )


def announce_final(session: Session, user: User, final_id: int) -> Final:
    """Announce a final: its formula, sources and rubric are declared and shown to everyone."""
    final = get_final(session, final_id)
    check(session, user, Action.MANAGE_FINAL, final)
    parse_formula(final.formula)
    if not final.source_phase_ids:
        raise InvalidInput("a final needs at least one source phase", field="source_phase_ids")
    if not _has_rubric(session, final):
        raise InvalidInput("a final needs a rubric before it is announced", field="rubric")
    move(session, final, FinalStatus.ANNOUNCED, actor_id=user.id, formula=final.formula)
    return final


def _has_rubric(session: Session, final: Final) -> bool:
    return session.scalar(select(RubricCriterion.id).where(RubricCriterion.final_id == final.id).limit(1)) is not None


def open_scoring(session: Session, user: User, final_id: int) -> Final:
    """Open judges' scoring of the named finalists."""
    final = get_final(session, final_id)
    check(session, user, Action.MANAGE_FINAL, final)
    move(session, final, FinalStatus.SCORING, actor_id=user.id)
    return final


def reveal_final(session: Session, user: User, final_id: int, *, now: datetime | None = None) -> Final:
    """Reveal a locked final's result to everyone."""
    final = get_final(session, final_id)
    check(session, user, Action.MANAGE_FINAL, final)
    move(session, final, FinalStatus.REVEALED, actor_id=user.id)
    final.revealed_at = now or utcnow()
    return final
