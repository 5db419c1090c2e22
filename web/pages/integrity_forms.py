"""Forms of the organizer's integrity pages: dismissing a signal, rescoring a phase, re-running a submission."""
# mypy: allow-subclassing-any

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length


class DismissSignalForm(FlaskForm):
    """Dismiss an integrity signal; the reason goes to the audit log."""

    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])


class RescoreForm(FlaskForm):
    """Rescore every scored submission of a phase under a new score version."""

    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])


class RerunForm(FlaskForm):
    """Re-run one submission (only the CSRF token)."""
