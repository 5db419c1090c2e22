"""Staged phases: who is admitted, advancing teams from the previous board, admitting a team by hand."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from arena import challenges as challenge_service
from arena import teams as team_service
from arena.models import Team
from arena.permissions import Action, decide
from web import state
from web.api.requests import id_field, json_body, text_field
from web.api.serializers import entry_dict
from web.auth.identity import api_user, required
from web.lookups import phase_context
from web.times import iso_utc

bp = Blueprint("stages", __name__)


@bp.get("/phases/<id:phase_id>/entries")
def index(phase_id: int) -> dict[str, Any]:
    """Return whether the phase is staged, its rule, and the admitted teams (reasons for organizers)."""
    context = phase_context(phase_id, api_user())
    session = state.session()
    phase = context.phase
    rule = challenge_service.rule_of(phase)
    source = challenge_service.source_phase(session, phase)
    organizer = decide(context.actor, Action.MANAGE_PHASE_ENTRIES)
    rows = []
    for entry in challenge_service.entries(session, phase):
        team = session.get(Team, entry.team_id)
        if team is not None:
            rows.append(entry_dict(entry, team, with_reason=organizer))
    return {
        "phase_id": phase.id,
        "staged": rule is not None,
        "rule": rule.to_dict() if rule else None,
        "source_phase_id": source.id if source else None,
        "last_advanced_at": iso_utc(challenge_service.last_advancement(session, phase)),
        "your_team_admitted": context.admitted() if context.team else None,
        "entries": rows,
    }


@bp.post("/phases/<id:phase_id>/advance")
def advance(phase_id: int) -> dict[str, Any]:
    """Admit the teams that qualify on the previous phase's board (organizers)."""
    context = phase_context(phase_id, required(api_user()))
    result = challenge_service.advance(state.session(), context.phase, required(context.user), state.now())
    state.session().commit()
    return {
        "phase_id": result.phase_id,
        "source_phase_id": result.source_phase_id,
        "rule": result.rule.to_dict(),
        "admitted": [
            {"team": {"id": a.team_id, "name": a.team_name}, "rank": a.rank, "score": a.score} for a in result.admitted
        ],
        "already_admitted": result.already_admitted,
    }


@bp.post("/phases/<id:phase_id>/entries")
def admit(phase_id: int) -> tuple[dict[str, Any], int]:
    """Admit one team by hand: ``{"team_id", "reason"}`` (organizers)."""
    context = phase_context(phase_id, required(api_user()))
    data = json_body()
    team = team_service.get_team(state.session(), id_field(data, "team_id"))
    reason = text_field(data, "reason", max_length=1000)
    entry = challenge_service.admit(state.session(), context.phase, team, required(context.user), reason, state.now())
    state.session().commit()
    return entry_dict(entry, team, with_reason=True), 201
