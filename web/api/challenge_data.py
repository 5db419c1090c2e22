"""A challenge's data through the API (its organizers): public files and each phase's hidden key.

The same services as the console's data page: a key is checked against the track's scorer at once and never
served; a new key of a phase that has opened needs a reason, rescores and tells the participants.
"""

from __future__ import annotations

from typing import Any, BinaryIO, cast

from flask import Blueprint, request

from arena import challenges as challenge_service
from arena import publishing
from arena.errors import FileTooLarge, InvalidInput
from arena.models import Phase
from arena.permissions import Action, require
from web import state
from web.api.serializers import file_dict
from web.auth.identity import api_user, required
from web.lookups import challenge_context, phase_context

bp = Blueprint("challenge_data", __name__)


def _managed(slug: str) -> Any:
    context = challenge_context(slug, required(api_user()))
    require(context.actor, Action.MANAGE_CHALLENGE, hide=True)
    return context


def _upload(field: str = "file") -> Any:
    upload = request.files.get(field)
    if upload is None or not upload.filename:
        raise InvalidInput("send the file as the multipart field '%(field)s'", field=field, params={"field": field})
    return upload


def _put(slug: str, replace_id: int | None) -> dict[str, Any]:
    context = _managed(slug)
    session = state.session()
    upload = _upload()
    row = publishing.put_public_file(
        session,
        state.store(),
        context.challenge,
        cast(BinaryIO, upload.stream),
        filename=upload.filename or "",
        title_en=request.form.get("title_en", ""),
        title_zh=request.form.get("title_zh", ""),
        max_bytes=state.settings().max_upload_bytes,
        actor_id=required(api_user()).id,
        replace_id=replace_id,
    )
    session.commit()
    return file_dict(context.challenge, row)


@bp.post("/challenges/<slug>/files")
def add_file(slug: str) -> tuple[dict[str, Any], int]:
    """Add a public file: multipart ``file`` with ``title_en`` and ``title_zh``."""
    return _put(slug, None), 201


@bp.put("/challenges/<slug>/files/<id:file_id>")
def replace_file(slug: str, file_id: int) -> dict[str, Any]:
    """Upload a new version of a public file (and its titles); its name stays."""
    return _put(slug, file_id)


@bp.delete("/challenges/<slug>/files/<id:file_id>")
def remove_file(slug: str, file_id: int) -> dict[str, Any]:
    """Remove a public file (never the last sample submission)."""
    context = _managed(slug)
    session = state.session()
    path = publishing.remove_public_file(session, context.challenge, file_id, actor_id=required(api_user()).id)
    session.commit()
    return {"removed": True, "id": file_id, "path": path}


def _phase(phase_id: int) -> Phase:
    context = phase_context(phase_id, required(api_user()))
    require(context.actor, Action.MANAGE_CHALLENGE, hide=True)
    return context.phase


@bp.get("/phases/<id:phase_id>/key")
def key_facts(phase_id: int) -> dict[str, Any]:
    """What is known of a phase's hidden key: its rows and sha256 (never its content)."""
    phase = _phase(phase_id)
    return {
        "phase_id": phase.id,
        "rows": phase.labels_rows,
        "sha256": phase.labels_sha256,
        "needs_reason": publishing.key_needs_reason(phase, state.now()),
    }


@bp.put("/phases/<id:phase_id>/key")
def replace_key(phase_id: int) -> dict[str, Any]:
    """Replace a phase's hidden key (multipart ``file``, ``reason``), checked against the track's scorer at once."""
    phase = _phase(phase_id)
    limit = state.settings().max_upload_bytes
    data = _upload().stream.read(limit + 1)
    if len(data) > limit:
        raise FileTooLarge("the file is larger than %(limit)s bytes", params={"limit": limit})
    done = publishing.replace_key(state.session(), state.settings(), state.store(), phase, data,
                                  actor_id=required(api_user()).id, reason=request.form.get("reason", ""),
                                  now=state.now())  # fmt: skip
    phase = challenge_service.get_phase(state.session(), phase_id)
    return {
        "phase_id": phase.id,
        "rows": done.rows,
        "sha256": phase.labels_sha256,
        "rescore_run_id": done.rescore_run_id,
    }
