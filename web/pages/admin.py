"""Site administration: importing a challenge bundle from an uploaded zip or a folder on the server."""

# mypy: allow-untyped-decorators
from __future__ import annotations

import tempfile
from pathlib import Path

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from arena import evaluation
from arena.challenges import import_bundle
from arena.errors import ArenaError, BundleError, InvalidInput
from arena.permissions import Action, actor_for, require
from web import state
from web.auth.identity import page_user, required
from web.errors import status_for
from web.pages.forms import ImportForm
from web.presenters import rules_warning

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/import", methods=["GET", "POST"])
@login_required
def import_bundle_page() -> Response | tuple[str, int]:
    """Show the import form (site admins) and import the bundle."""
    user = required(page_user())
    require(actor_for(state.session(), user, None), Action.IMPORT_CHALLENGE)
    form = ImportForm()
    if not form.validate_on_submit():
        return render_template("admin/import.html", form=form, problems=[]), 400 if form.errors else 200
    session = state.session()
    try:
        with tempfile.TemporaryDirectory(prefix="arena-upload-") as scratch:
            path = _bundle_path(form, Path(scratch))
            report = import_bundle(session, state.store(), path, actor=user)
            session.commit()
            runs = evaluation.rescore_imported(
                session,
                state.settings(),
                report.rescore_submission_ids,
                reason="hidden key or scorer changed by an import",
                requested_by_id=user.id,
            )
    except ArenaError as error:
        session.rollback()
        problems = error.problems if isinstance(error, BundleError) else [(error.field or "", error.message)]
        return render_template("admin/import.html", form=form, problems=problems), status_for(error)
    flash(_("Imported %(slug)s.", slug=report.slug), "success")
    for warning in report.warnings:
        flash(rules_warning(warning), "warning")
    for run in runs:
        flash(_("Rescoring %(n)s submissions under score version %(v)s.", n=run.total, v=run.version), "success")
    return redirect(url_for("challenges.detail", slug=report.slug))


def _bundle_path(form: ImportForm, scratch: Path) -> Path:
    """Return the uploaded zip saved under ``scratch``, or the server folder named in the form."""
    upload = form.archive.data
    if isinstance(upload, FileStorage) and upload.filename:
        target = scratch / "bundle.zip"
        upload.save(target)
        return target
    if form.path.data and form.path.data.strip():
        return Path(form.path.data.strip())
    raise InvalidInput("upload a bundle zip or name a bundle folder on the server", field="archive")
