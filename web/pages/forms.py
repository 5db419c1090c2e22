"""Forms of the participant pages: teams and submissions."""
# mypy: allow-subclassing-any

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length


class CreateTeamForm(FlaskForm):
    """Create a team in a challenge."""

    name = StringField(_l("Team name"), validators=[DataRequired(), Length(min=2, max=100)])
    institution = StringField(_l("University, institute or company (optional)"), validators=[Length(max=200)])


class JoinTeamForm(FlaskForm):
    """Join a team with its invite code."""

    invite_code = StringField(_l("Invite code"), validators=[DataRequired(), Length(max=32)])


class SubmitForm(FlaskForm):
    """Upload a predictions file (or a code archive) with an optional note."""

    file = FileField(_l("File"))
    description = TextAreaField(_l("Description (optional)"), validators=[Length(max=1000)])


class ImportForm(FlaskForm):
    """Import a challenge bundle from an uploaded zip or a path on the server."""

    archive = FileField(_l("Bundle archive (.zip)"))
    path = StringField(_l("…or a bundle folder on the server"), validators=[Length(max=1000)])
