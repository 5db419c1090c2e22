"""Creating a challenge through the API (creators and site admins): the creation form's fields as JSON, or as a
multipart form with the form's files (a code track's hidden inputs and programs are archives: multipart only)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request, url_for
from werkzeug.datastructures import FileStorage

from arena import publishing
from arena.errors import BundleError, InvalidInput
from arena.permissions import Action, actor_for, require
from web import state
from web.api.requests import json_body
from web.auth.identity import api_user, required

bp = Blueprint("challenge_creation", __name__)
FILE_FIELDS = {"labels_csv": "labels", "sample_csv": "sample", "baseline_csv": "baseline"}
# Multipart file parts, named as in the creation form.
UPLOADS = ("labels", "sample", "baseline", "inputs", "sample_program", "baseline_program")
TRUE = ("true", "1", "yes", "on")


def _files(data: dict[str, Any]) -> publishing.DraftFiles:
    found: dict[str, bytes | None] = {}
    for name, kind in FILE_FIELDS.items():
        value = data.get(name)
        if value is not None and not isinstance(value, str):
            raise InvalidInput(f"'{name}' must be the CSV file's text", field=name)
        found[kind] = value.encode("utf-8") if value else None
    return publishing.DraftFiles(**found)


def _uploads() -> publishing.DraftFiles:
    found: dict[str, bytes | None] = {}
    for name in UPLOADS:
        upload = request.files.get(name)
        found[name] = upload.read() if isinstance(upload, FileStorage) and upload.filename else None
    return publishing.DraftFiles(**found)


def _request() -> tuple[publishing.DraftForm, publishing.DraftFiles, bool]:
    """The fields, the files and ``check_only``, from a multipart form or a JSON object."""
    if request.mimetype == "multipart/form-data":
        form = publishing.DraftForm.from_mapping(request.form, zone="UTC")
        return form, _uploads(), request.form.get("check_only", "").strip().lower() in TRUE
    data = json_body()
    return publishing.DraftForm.from_mapping(data, zone="UTC"), _files(data), data.get("check_only") is True


@bp.post("/challenges")
def create() -> tuple[dict[str, Any], int]:
    """Create an unpublished challenge with one track and one phase; ``check_only`` just lists the problems."""
    user = required(api_user())
    session = state.session()
    require(actor_for(session, user, None), Action.CREATE_CHALLENGE)
    form, files, check_only = _request()
    if check_only:
        problems = publishing.check_draft(session, form, files)
        return {"problems": [{"field": f, "message": m} for f, m in problems]}, 200
    try:
        report = publishing.create_challenge(session, state.store(), user, form, files)
        session.commit()
    except BundleError:
        session.rollback()
        raise
    return {
        "id": report.challenge_id,
        "slug": report.slug,
        "published": False,
        "url": url_for("challenges.detail", slug=report.slug),
        "console_url": url_for("console.home", slug=report.slug),
    }, 201
