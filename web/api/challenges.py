"""Challenges: the list, one challenge with tracks, phases and public files, and those files' downloads."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

from arena import challenges as challenge_service
from arena.permissions import actor_for
from web import state
from web.api.serializers import challenge_summary, file_dict, track_dict
from web.auth.identity import api_user
from web.downloads import send_public_file
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


@bp.get("/challenges/<slug>/files")
def files(slug: str) -> dict[str, Any]:
    """List the public files the caller may download now, with sizes, sha256 and download URLs."""
    context = challenge_context(slug, api_user())
    rows = challenge_service.visible_files(context.challenge, context.actor, state.now())
    return {"challenge": context.challenge.slug, "files": [file_dict(context.challenge, f) for f in rows]}


@bp.get("/challenges/<slug>/files/<id:file_id>")
def file_download(slug: str, file_id: int) -> Response:
    """Send one public file; resumable with ``Range`` (and ``If-Range``), its ETag is its sha256."""
    context = challenge_context(slug, api_user())
    found = challenge_service.public_file_download(
        state.session(), state.store(), context.challenge, file_id, context.actor, state.now()
    )
    return send_public_file(found)
