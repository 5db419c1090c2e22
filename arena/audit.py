"""Writing the audit log, and the catalogue of every action it records (each with its kind)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from arena.models import AuditEvent


class AuditKind(StrEnum):
    """What an audited action is about: the audit log page filters by these."""

    MODERATION = "moderation"
    FINALS = "finals"
    RESCORING = "rescoring"
    CHALLENGE = "challenge"
    PEOPLE = "people"
    TEAMS = "teams"
    SUBMISSIONS = "submissions"
    INTEGRITY = "integrity"
    ACCOUNTS = "accounts"
    DEMANDS = "demands"


_K = AuditKind

# Every action ``record`` accepts; a new audited action is added here (and given a label on the audit page).
ACTIONS: dict[str, AuditKind] = {
    "challenge.imported": _K.CHALLENGE,
    "challenge.created": _K.CHALLENGE,
    "creator.granted": _K.ACCOUNTS,
    "creator.revoked": _K.ACCOUNTS,
    "phase.advanced": _K.CHALLENGE,
    "phase.team_admitted": _K.CHALLENGE,
    "phase.rescore_started": _K.RESCORING,
    "submission.rerun_requested": _K.RESCORING,
    "submission.hidden": _K.MODERATION,
    "submission.shown": _K.MODERATION,
    "submission.baseline": _K.MODERATION,
    "submission.not_baseline": _K.MODERATION,
    "team.disqualified": _K.MODERATION,
    "team.reinstated": _K.MODERATION,
    "team.baseline": _K.MODERATION,
    "team.not_baseline": _K.MODERATION,
    "integrity_signal.dismissed": _K.INTEGRITY,
    "submission.created": _K.SUBMISSIONS,
    "submission.selected": _K.SUBMISSIONS,
    "submission.unselected": _K.SUBMISSIONS,
    "team.created": _K.TEAMS,
    "team.joined": _K.TEAMS,
    "team.left": _K.TEAMS,
    "team.dissolved": _K.TEAMS,
    "team.captain_transferred": _K.TEAMS,
    "team.institution_changed": _K.TEAMS,
    "team.invited": _K.TEAMS,
    "team.invitation_accepted": _K.TEAMS,
    "team.invitation_declined": _K.TEAMS,
    "team.invitation_cancelled": _K.TEAMS,
    "team.merge_requested": _K.TEAMS,
    "team.merge_declined": _K.TEAMS,
    "team.merge_cancelled": _K.TEAMS,
    "team.merged": _K.TEAMS,
    "role.granted": _K.PEOPLE,
    "role.revoked": _K.PEOPLE,
    "final.created": _K.FINALS,
    "final.updated": _K.FINALS,
    "final.formula_changed": _K.FINALS,
    "final.announced": _K.FINALS,
    "final.finalists_named": _K.FINALS,
    "final.scoring": _K.FINALS,
    "final.locked": _K.FINALS,
    "final.revealed": _K.FINALS,
    "final.rubric_set": _K.FINALS,
    "final.finalist_added": _K.FINALS,
    "final.finalist_declined": _K.FINALS,
    "final.substitute_named": _K.FINALS,
    "final.judge_invited": _K.FINALS,
    "final.judge_removed": _K.FINALS,
    "final.panel_assigned": _K.FINALS,
    "final.conflict_declared": _K.FINALS,
    "final.conflict_detected": _K.FINALS,
    "final.mark_refused": _K.FINALS,
    "final.reproduction_requested": _K.FINALS,
    "final.sealed_set_provided": _K.FINALS,
    "final.sealed_set_removed": _K.FINALS,
    "final.appeal_filed": _K.FINALS,
    "final.appeal_answered": _K.FINALS,
    "user.created": _K.ACCOUNTS,
    "user.password_changed": _K.ACCOUNTS,
    "user.signed_out_everywhere": _K.ACCOUNTS,
    "user.profile_changed": _K.ACCOUNTS,
    "token.issued": _K.ACCOUNTS,
    "token.revoked": _K.ACCOUNTS,
    "challenge.dry_run": _K.CHALLENGE,
    "challenge.file_added": _K.CHALLENGE,
    "challenge.file_removed": _K.CHALLENGE,
    "challenge.file_replaced": _K.CHALLENGE,
    "challenge.published": _K.CHALLENGE,
    "challenge.unpublished": _K.CHALLENGE,
    "phase.key_replaced": _K.CHALLENGE,
    "challenge.texts_changed": _K.CHALLENGE,
    "phase.settings_changed": _K.CHALLENGE,
    "track.scorer_options_changed": _K.CHALLENGE,
    "track.changed": _K.CHALLENGE,
    "track.added": _K.CHALLENGE,
    "track.removed": _K.CHALLENGE,
    "phase.added": _K.CHALLENGE,
    "phase.removed": _K.CHALLENGE,
    "demand.submitted": _K.DEMANDS,
    "demand.in_review": _K.DEMANDS,
    "demand.changes_requested": _K.DEMANDS,
    "demand.approved": _K.DEMANDS,
    "demand.published": _K.DEMANDS,
    "demand.responses_closed": _K.DEMANDS,
    "demand.selected": _K.DEMANDS,
    "demand.contracted": _K.DEMANDS,
    "demand.withdrawn": _K.DEMANDS,
    "demand.rejected": _K.DEMANDS,
    "demand.expired": _K.DEMANDS,
    "demand.terms_accepted": _K.DEMANDS,
    "demand.challenge_linked": _K.DEMANDS,
    "response.submitted": _K.DEMANDS,
    "response.shortlisted": _K.DEMANDS,
    "response.selected": _K.DEMANDS,
    "response.not_selected": _K.DEMANDS,
    "response.withdrawn": _K.DEMANDS,
    "response.revised": _K.DEMANDS,
    "response.attachment_added": _K.DEMANDS,
    "deal.recorded": _K.DEMANDS,
    "deal.milestone_done": _K.DEMANDS,
    "organization.created": _K.DEMANDS,
    "organization.member_added": _K.DEMANDS,
    "site_role.granted": _K.DEMANDS,
}


def kind_of(action: str) -> AuditKind | None:
    """Return the kind of an audited action (None for an action the catalogue does not know)."""
    return ACTIONS.get(action)


def record(
    session: Session,
    action: str,
    *,
    actor_id: int | None = None,
    challenge_id: int | None = None,
    target_type: str = "",
    target_id: int | None = None,
    **data: Any,
) -> AuditEvent:
    """Append an audit event to the session (committed with the caller's transaction)."""
    if action not in ACTIONS:
        raise ValueError(f"audit action {action!r} is not in arena.audit.ACTIONS; add it there with its kind")
    event = AuditEvent(
        action=action,
        actor_id=actor_id,
        challenge_id=challenge_id,
        target_type=target_type,
        target_id=target_id,
        data=data,
    )
    session.add(event)
    return event
