"""Creating a challenge in the browser (creators and site admins) and re-importing its bundle (its organizers)."""
# mypy: allow-untyped-decorators

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from arena import evaluation, publishing
from arena.errors import ArenaError, BundleError
from arena.models import User
from arena.permissions import Action, actor_for, require
from web import state
from web.auth.identity import page_user, required
from web.errors import status_for
from web.i18n import localized
from web.pages.console import managed
from web.times import viewer_zone_name

bp = Blueprint("console_create", __name__)
Problems = list[tuple[str, str]]
DEFAULTS = {
    "id_column": "id",
    "target_columns": "label",
    "daily_quota": "5",
    "public_fraction": "0.3",
    "kind": "result",
    "resource_class": "cpu",
    **publishing.LIMIT_DEFAULTS,
}
FILES = ("labels", "sample", "baseline", "inputs", "sample_program", "baseline_program")


def _creator() -> User:
    user = required(page_user())
    require(actor_for(state.session(), user, None), Action.CREATE_CHALLENGE, hide=True)
    return user


def _upload(name: str) -> bytes | None:
    upload = request.files.get(name)
    if not isinstance(upload, FileStorage) or not upload.filename:
        return None
    data: bytes = upload.read()
    return data


def _problems_of(error: ArenaError) -> Problems:
    return list(error.problems) if isinstance(error, BundleError) else [(error.field or "", localized(error))]


def _by_input(problems: Problems) -> dict[str, list[str]]:
    shown: dict[str, list[str]] = {}
    for field, message in problems:
        shown.setdefault(publishing.FORM_FIELDS.get(field, ""), []).append(message)
    return shown


def _render(typed: dict[str, str], problems: Problems, bundle_problems: Problems, status: int) -> tuple[str, int]:
    drafts = publishing.drafts_of(state.session(), required(page_user()))
    page = render_template(
        "console/new.html",
        typed=typed,
        problems=problems,
        by_input=_by_input(problems),
        bundle_problems=bundle_problems,
        scorers=publishing.scorer_choices(),
        resource_classes=publishing.resource_classes(),
        limit_defaults=publishing.LIMIT_DEFAULTS,
        max_upload_bytes=state.settings().max_upload_bytes,
        zone=viewer_zone_name(),
        drafts=drafts,
    )
    return page, status


def _typed() -> dict[str, str]:
    names = set(publishing.DraftForm.__dataclass_fields__) - {"zone"}
    # A field the form did not send (the other track kind's, disabled by the script) keeps its default.
    return {name: request.form.get(name, DEFAULTS.get(name, "")) for name in names}


@bp.route("/challenges/new")
@login_required
def new() -> tuple[str, int]:
    """The creation page: a form for a challenge from scratch, and a bundle upload."""
    _creator()
    return _render(dict(DEFAULTS), [], [], 200)


@bp.post("/challenges/new/check")
@login_required
def check() -> Response:
    """The live check of the form: every problem the importer finds, by field (files are checked on create)."""
    _creator()
    form = publishing.DraftForm.from_mapping(request.form, zone=viewer_zone_name())
    problems = publishing.check_draft(state.session(), form)
    items = [{"field": f, "input": publishing.FORM_FIELDS.get(f, ""), "message": m} for f, m in problems]
    return jsonify({"problems": items})


@bp.post("/challenges/new")
@login_required
def create() -> Response | tuple[str, int]:
    """Create the challenge from the form as an unpublished draft and open its console."""
    user = _creator()
    session = state.session()
    typed = _typed()
    form = publishing.DraftForm.from_mapping(typed, zone=viewer_zone_name())
    files = publishing.DraftFiles(**{name: _upload(name) for name in FILES})
    try:
        report = publishing.create_challenge(session, state.store(), user, form, files)
        session.commit()
    except ArenaError as error:
        session.rollback()
        return _render(typed, _problems_of(error), [], status_for(error))
    flash(_("The challenge %(slug)s is created, unpublished: run the dry run and publish it when it is ready.",
            slug=report.slug), "success")  # fmt: skip
    return redirect(url_for("console.home", slug=report.slug))


def _with_bundle(work: Any) -> Any:
    """Save the uploaded bundle to a scratch folder and run ``work(path)`` on it."""
    upload = request.files.get("archive")
    if not isinstance(upload, FileStorage) or not upload.filename:
        raise BundleError([("bundle", "choose a bundle archive (.zip or .tar.gz) to upload")])
    with tempfile.TemporaryDirectory(prefix="arena-upload-") as scratch:
        path = Path(scratch) / "bundle"
        upload.save(path)
        return work(path)


@bp.post("/challenges/new/bundle")
@login_required
def create_from_bundle() -> Response | tuple[str, int]:
    """Create an unpublished challenge from an uploaded bundle."""
    user = _creator()
    session = state.session()
    try:
        report = _with_bundle(lambda path: publishing.create_from_bundle(session, state.store(), user, path))
        session.commit()
    except ArenaError as error:
        session.rollback()
        return _render(dict(DEFAULTS), [], _problems_of(error), status_for(error))
    flash(_("The challenge %(slug)s is created, unpublished: run the dry run and publish it when it is ready.",
            slug=report.slug), "success")  # fmt: skip
    return redirect(url_for("console.home", slug=report.slug))


@bp.route("/c/<slug>/manage/import", methods=["GET", "POST"])
@login_required
def reimport(slug: str) -> Response | tuple[str, int]:
    """Import a new version of this challenge's bundle (its organizers); scores follow a changed key or scorer."""
    context = managed(slug)
    challenge, user = context.challenge, required(context.user)
    if request.method == "GET":
        return render_template("console/import.html", challenge=challenge, problems=[]), 200
    session = state.session()
    try:
        report = _with_bundle(lambda path: publishing.reimport_bundle(session, state.store(), user, challenge, path))
        session.commit()
    except ArenaError as error:
        session.rollback()
        page = render_template("console/import.html", challenge=challenge, problems=_problems_of(error))
        return page, status_for(error)
    reason = "hidden key or scorer changed by an import"
    runs = evaluation.rescore_imported(
        session, state.settings(), report.rescore_submission_ids, reason=reason, requested_by_id=user.id
    )
    flash(_("Imported %(slug)s.", slug=report.slug), "success")
    for run in runs:
        flash(_("Rescoring %(n)s submissions under score version %(v)s.", n=run.total, v=run.version), "success")
    return redirect(url_for("console.home", slug=slug))
