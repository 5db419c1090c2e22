"""Challenges: the list and one challenge with tracks, phases and public files."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from arena import challenges as challenge_service
from arena.permissions import actor_for
from web import state
from web.api.serializers import challenge_summary, file_dict, track_dict
from web.auth.identity import api_user
from web.lookups import challenge_context
from web.times import iso_utc

bp = Blueprint("challenges", __name__)


@bp.get("/challenges")
def index() -> dict[str, Any]:
    """List the challenges the caller may see."""
    actor = actor_for(state.session(), api_user(), None)
    rows = challenge_service.list_challenges(state.session(), actor)
    return {"challenges": [challenge_summary(c) for c in rows]}


@bp.get("/challenges/<slug>")
def detail(slug: str) -> dict[str, Any]:
    """Return a challenge with its tracks, phases (UTC windows, quotas) and public files."""
    context = challenge_context(slug, api_user())
    challenge = context.challenge
    now = state.now()
    files = challenge_service.visible_files(challenge, context.actor, now)
    return {
        **challenge_summary(challenge),
        "text": challenge.text,
        "entry_deadline": iso_utc(challenge.entry_deadline),
        "merge_deadline": iso_utc(challenge.merge_deadline),
        "person_daily_quota": challenge.person_daily_quota,
        "tracks": [track_dict(track, now) for track in challenge.tracks],
        "files": [file_dict(challenge, f) for f in files],
    }
