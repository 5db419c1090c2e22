"""Editing a track's scorer options from the console, within what the track's scorer declares.

The options are checked exactly as the importer checks them (the scorer is built with them). Once a phase of
the track has opened, a change needs a reason and the participants are told; every phase with submissions is
rescored under a new score version.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import scorers
from arena import audit
from arena import evaluation as evaluation_service
from arena.challenges import PROGRAM_SCORER
from arena.errors import BundleError, InvalidInput
from arena.models import Submission, Track
from arena.publishing.phase_edits import tell_participants
from arena.settings import Settings


@dataclass(frozen=True)
class OptionsEdit:
    """What an options edit did: the options before and after, and the rescores it started."""

    track_id: int
    before: dict[str, Any]
    after: dict[str, Any]
    rescore_run_ids: list[int]


def parse_options(raw: Any) -> dict[str, Any]:
    """Read options given as a mapping or as YAML text (BundleError naming ``scorer_options`` otherwise)."""
    if isinstance(raw, str):
        if not raw.strip():
            return {}
        try:
            raw = yaml.safe_load(raw)
        except yaml.YAMLError as exc:
            raise BundleError([("scorer_options", f"is not valid YAML: {exc}")]) from None
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise BundleError([("scorer_options", "must be a mapping")])
    return raw


def options_problems(track: Track, options: dict[str, Any]) -> list[tuple[str, str]]:
    """The importer's problems with these options for the track's scorer, as (field, message)."""
    if track.scorer == PROGRAM_SCORER:
        return []
    try:
        scorers.get_scorer(track.scorer, options)
    except scorers.ScorerConfigError as exc:
        return [("scorer", exc.message)]
    return []


def edit_options(  # noqa: PLR0913
    session: Session,
    settings: Settings,
    track: Track,
    raw: Any,
    *,
    actor_id: int | None,
    reason: str,
    now: datetime,
) -> OptionsEdit:
    """Check and apply new scorer options; rescore the phases with submissions. Commits when something changed."""
    options = parse_options(raw)
    problems = options_problems(track, options)
    if problems:
        raise BundleError(problems)
    before = dict(track.scorer_options or {})
    if options == before:
        return OptionsEdit(track_id=track.id, before=before, after=before, rescore_run_ids=[])
    started = [phase for phase in track.phases if now >= phase.opens_at]
    reason = reason.strip()[:2000]
    if started and not reason:
        raise InvalidInput(
            "a phase of this track has opened: say why its scorer options change (participants' scores will change)",
            field="reason",
        )
    track.scorer_options = options
    audit.record(
        session,
        "track.scorer_options_changed",
        actor_id=actor_id,
        challenge_id=track.challenge_id,
        target_type="track",
        target_id=track.id,
        before=before,
        after=options,
        reason=reason,
    )
    session.flush()
    for phase in started:
        tell_participants(session, phase, ["scorer_options"], reason)
        break
    session.commit()
    runs = []
    for phase in track.phases:
        submitted = session.scalar(select(func.count(Submission.id)).where(Submission.phase_id == phase.id)) or 0
        if submitted:
            run = evaluation_service.rescore_phase(
                session, settings, phase, reason=reason or "scorer options changed", requested_by_id=actor_id
            )
            runs.append(run.id)
    session.commit()
    return OptionsEdit(track_id=track.id, before=before, after=options, rescore_run_ids=runs)
