"""Showing domain errors next to the form field they concern."""

from __future__ import annotations

from flask import flash
from flask_wtf import FlaskForm

from arena.errors import ArenaError
from web.errors import retry_after_storage, status_for
from web.i18n import localized


def show_error(form: FlaskForm, error: ArenaError) -> int:
    """Attach ``error`` to its field (or flash it) and return the HTTP status for re-rendering the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, localized(error)]
    else:
        flash(localized(error), "error")
    retry_after_storage(error)
    return status_for(error)
