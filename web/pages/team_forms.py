"""Forms of the team, merge and phase-entry pages."""
# mypy: allow-subclassing-any

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length


class ConfirmForm(FlaskForm):
    """A button that changes something (accept, decline, leave, advance): only the CSRF token."""


class InviteForm(FlaskForm):
    """Invite a user to the team by username."""

    username = StringField(_l("Username to invite"), validators=[DataRequired(), Length(max=64)])


class TransferForm(FlaskForm):
    """Hand the captaincy to another member."""

    username = StringField(_l("New captain (username)"), validators=[DataRequired(), Length(max=64)], id="captain")


class InstitutionForm(FlaskForm):
    """Set the university, institute or company the team represents."""

    institution = StringField(_l("University, institute or company"), validators=[Length(max=200)])


class MergeForm(FlaskForm):
    """Ask to merge the team into another team."""

    team = StringField(_l("Name of the team to merge into"), validators=[DataRequired(), Length(max=100)])


class AdmitForm(FlaskForm):
    """Admit a team to a staged phase by hand."""

    team = StringField(_l("Team name"), validators=[DataRequired(), Length(max=100)])
    reason = TextAreaField(_l("Reason (kept in the audit log)"), validators=[DataRequired(), Length(max=1000)])
