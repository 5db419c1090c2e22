"""Forms for registration, login, the profile and API tokens."""
# mypy: allow-subclassing-any

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional


class RegisterForm(FlaskForm):
    """Create an account."""

    username = StringField(_l("Username"), validators=[DataRequired(), Length(min=2, max=63)])
    email = EmailField(_l("Email (optional)"), validators=[Optional(), Length(max=254)])
    password = PasswordField(_l("Password (at least 8 characters)"), validators=[DataRequired(), Length(max=1024)])
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords do not match."))],
    )
    institution = StringField(_l("University, institute or company (optional)"), validators=[Length(max=200)])


class PasswordForm(FlaskForm):
    """Change one's own password."""

    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=1024)])
    password = PasswordField(_l("New password (at least 8 characters)"), validators=[DataRequired(), Length(max=1024)])
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords do not match."))],
    )


class LoginForm(FlaskForm):
    """Log in with a username and password."""

    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=63)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])


class ProfileForm(FlaskForm):
    """Edit the display name, institution, time zone and language."""

    display_name = StringField(_l("Display name"), validators=[Length(max=128)])
    institution = StringField(_l("University, institute or company"), validators=[Length(max=200)])
    timezone = StringField(_l("Time zone (e.g. Asia/Shanghai, Europe/Berlin)"), validators=[Length(max=64)])
    locale = SelectField(
        _l("Language"),
        choices=[SelectChoice("", _l("Automatic")), SelectChoice("zh_CN", "中文"), SelectChoice("en", "English")],
        validate_choice=True,
    )


class TokenForm(FlaskForm):
    """Create an API token."""

    name = StringField(_l("Token name (what it is for)"), validators=[Length(max=100)])


class ConfirmForm(FlaskForm):
    """A form with nothing but its CSRF token, for buttons that change state."""
