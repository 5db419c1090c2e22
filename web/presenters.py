"""Shaping domain objects for templates: tracks with their phases, states and quotas."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _

from arena.challenges import PhaseState, QuotaStatus, QuotedKind, RulesMismatch, phase_state, quota_status
from arena.enums import SubmissionStatus
from arena.models import Challenge, Phase, Team, Track
from arena.submissions import SubmissionView
from web import state


@dataclass(frozen=True)
class PhaseRow:
    """A phase as the challenge page shows it."""

    phase: Phase
    state: PhaseState
    quota: QuotaStatus | None


@dataclass(frozen=True)
class TrackRow:
    """A track with its phases."""

    track: Track
    phases: list[PhaseRow]


def challenge_phases(challenge: Challenge, team: Team | None, now: datetime) -> list[TrackRow]:
    """Return every track of ``challenge`` with its phases' states and the team's quotas."""
    session = state.session()
    rows = []
    for track in challenge.tracks:
        phases = [
            PhaseRow(
                phase=phase,
                state=phase_state(phase, now),
                quota=quota_status(session, team.id, phase, now) if team else None,
            )
            for phase in track.phases
        ]
        rows.append(TrackRow(track=track, phases=phases))
    return rows


def rounded(score: float | None, precision: int) -> str:
    """Format a score with the track's number of decimals."""
    if score is None:
        return "—"
    return f"{score:.{max(0, precision)}f}"


def pending(views: Sequence[SubmissionView]) -> bool:
    """Whether any of the submissions may still change status on its own."""
    return any(not SubmissionStatus(view.status).is_final for view in views)


def rules_warning(mismatch: RulesMismatch) -> str:
    """Say, in the viewer's language, which phrase of the rules text the configuration contradicts."""
    if mismatch.kind is QuotedKind.SELECTION:
        return str(
            _(
                "%(field)s: “%(quoted)s” asks teams to select final submissions, but no phase enables selection.",
                field=mismatch.field,
                quoted=mismatch.quoted,
            )
        )
    values = ", ".join(str(value) for value in mismatch.configured) or "—"
    labels = {
        QuotedKind.DAILY: _("the daily quota"),
        QuotedKind.TOTAL: _("the total quota"),
        QuotedKind.TEAM_SIZE: _("the team size"),
    }
    return str(
        _(
            "%(field)s: “%(quoted)s” disagrees with %(what)s in the configuration (%(values)s). The challenge page "
            "shows the configured figures as key facts; consider removing the number from the text.",
            field=mismatch.field,
            quoted=mismatch.quoted,
            what=labels[mismatch.kind],
            values=values,
        )
    )
