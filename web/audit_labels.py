"""Readable, translatable labels for every audited action and kind (the audit log page and its CSV)."""

from __future__ import annotations

import json
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

KIND_LABELS: dict[str, LazyString] = {
    "moderation": _l("Moderation"),
    "finals": _l("Finals"),
    "rescoring": _l("Rescoring and re-runs"),
    "challenge": _l("Challenge changes"),
    "people": _l("Organizers and judges"),
    "teams": _l("Teams"),
    "submissions": _l("Submissions"),
    "integrity": _l("Integrity"),
    "accounts": _l("Accounts"),
    "demands": _l("Demands"),
}

ACTION_LABELS: dict[str, LazyString] = {
    "challenge.imported": _l("Challenge imported from a bundle"),
    "phase.advanced": _l("Teams advanced to the next phase"),
    "phase.team_admitted": _l("Team admitted to a phase"),
    "phase.rescore_started": _l("Phase rescore started"),
    "submission.rerun_requested": _l("Submission re-run requested"),
    "submission.hidden": _l("Submission hidden"),
    "submission.shown": _l("Submission shown again"),
    "submission.baseline": _l("Submission marked as baseline"),
    "submission.not_baseline": _l("Submission no longer a baseline"),
    "team.disqualified": _l("Team disqualified"),
    "team.reinstated": _l("Team reinstated"),
    "team.baseline": _l("Team marked as baseline"),
    "team.not_baseline": _l("Team no longer a baseline"),
    "integrity_signal.dismissed": _l("Integrity signal dismissed"),
    "submission.created": _l("Submission uploaded"),
    "submission.selected": _l("Submission selected for final scoring"),
    "submission.unselected": _l("Submission unselected"),
    "team.created": _l("Team created"),
    "team.joined": _l("Member joined a team"),
    "team.left": _l("Member left a team"),
    "team.dissolved": _l("Team dissolved"),
    "team.captain_transferred": _l("Captaincy transferred"),
    "team.institution_changed": _l("Team institution changed"),
    "team.invited": _l("Member invited to a team"),
    "team.invitation_accepted": _l("Team invitation accepted"),
    "team.invitation_declined": _l("Team invitation declined"),
    "team.invitation_cancelled": _l("Team invitation cancelled"),
    "team.merge_requested": _l("Team merge requested"),
    "team.merge_declined": _l("Team merge declined"),
    "team.merge_cancelled": _l("Team merge cancelled"),
    "team.merged": _l("Teams merged"),
    "role.granted": _l("Role granted"),
    "role.revoked": _l("Role removed"),
    "final.created": _l("Final created"),
    "final.updated": _l("Final updated"),
    "final.formula_changed": _l("Final formula changed"),
    "final.announced": _l("Final announced"),
    "final.finalists_named": _l("Finalists named"),
    "final.scoring": _l("Final scoring opened"),
    "final.locked": _l("Final locked"),
    "final.revealed": _l("Final result revealed"),
    "final.rubric_set": _l("Rubric set"),
    "final.finalist_added": _l("Finalist added by hand"),
    "final.finalist_declined": _l("Finalist declined"),
    "final.substitute_named": _l("Substitute finalist named"),
    "final.judge_invited": _l("Judge invited"),
    "final.judge_removed": _l("Judge removed from the final"),
    "final.panel_assigned": _l("Judge panel assigned"),
    "final.conflict_declared": _l("Conflict of interest declared"),
    "final.conflict_detected": _l("Conflict of interest detected"),
    "final.mark_refused": _l("Mark refused (final locked)"),
    "final.reproduction_requested": _l("Reproduction requested"),
    "final.sealed_set_provided": _l("Sealed final test set provided"),
    "final.sealed_set_removed": _l("Sealed final test set removed"),
    "final.appeal_filed": _l("Appeal filed"),
    "final.appeal_answered": _l("Appeal answered"),
    "user.created": _l("Account created"),
    "user.password_changed": _l("Password changed"),
    "user.signed_out_everywhere": _l("Signed out everywhere"),
    "user.profile_changed": _l("Profile changed"),
    "token.issued": _l("API token issued"),
    "token.revoked": _l("API token revoked"),
    "challenge.dry_run": _l("Dry run of the sample and baseline"),
    "challenge.file_added": _l("Public file added"),
    "challenge.file_removed": _l("Public file removed"),
    "challenge.file_replaced": _l("Public file replaced"),
    "challenge.published": _l("Challenge published"),
    "challenge.unpublished": _l("Challenge unpublished"),
    "phase.key_replaced": _l("Hidden key replaced"),
    "challenge.texts_changed": _l("Challenge pages edited"),
    "phase.settings_changed": _l("Phase settings changed"),
    "track.scorer_options_changed": _l("Scorer options changed"),
    "track.changed": _l("Track changed"),
    "track.added": _l("Track added"),
    "track.removed": _l("Track removed"),
    "phase.added": _l("Phase added"),
    "phase.removed": _l("Phase removed"),
    "demand.submitted": _l("Demand submitted for review"),
    "demand.in_review": _l("Demand taken into review"),
    "demand.changes_requested": _l("Changes to the demand requested"),
    "demand.approved": _l("Demand approved"),
    "demand.published": _l("Demand published"),
    "demand.responses_closed": _l("Responses to the demand closed"),
    "demand.selected": _l("Responses selected"),
    "demand.contracted": _l("Demand contracted"),
    "demand.withdrawn": _l("Demand withdrawn"),
    "demand.rejected": _l("Demand rejected"),
    "demand.expired": _l("Demand expired"),
    "demand.terms_accepted": _l("Confidential terms accepted"),
    "demand.challenge_linked": _l("Demand linked to a challenge"),
    "response.submitted": _l("Response submitted"),
    "response.shortlisted": _l("Response shortlisted"),
    "response.selected": _l("Response selected"),
    "response.not_selected": _l("Response not selected"),
    "response.withdrawn": _l("Response withdrawn"),
    "response.revised": _l("Response revised"),
    "response.attachment_added": _l("File attached to a response"),
    "deal.recorded": _l("Deal recorded"),
    "deal.milestone_done": _l("Deal milestone done"),
    "organization.created": _l("Organization registered"),
    "organization.member_added": _l("Organization member added"),
    "site_role.granted": _l("Site role granted"),
    "challenge.created": _l("Challenge created"),
    "creator.granted": _l("Allowed to create challenges"),
    "creator.revoked": _l("No longer allowed to create challenges"),
}


def action_label(action: str) -> str:
    """Return the label of an audited action in the viewer's language (the action itself if unknown)."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


def kind_label(kind: str | None) -> str:
    """Return the label of an action kind in the viewer's language."""
    label = KIND_LABELS.get(kind or "")
    return str(label) if label is not None else (kind or "—")


def details_summary(details: dict[str, Any]) -> str:
    """Return the details of an audit entry as short ``key: value`` pairs, in a stable order."""
    parts = []
    for key in sorted(details):
        value = details[key]
        if value is None or value == "" or value == [] or value == {}:
            continue
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
        parts.append(f"{key.replace('_', ' ')}: {text}")
    return "; ".join(parts)
