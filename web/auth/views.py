"""Registration, login, logout, the profile page and API tokens."""
# mypy: allow-untyped-decorators

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required, logout_user
from werkzeug.wrappers import Response

from arena import accounts
from arena.errors import ArenaError
from web import state
from web.auth.forms import ConfirmForm, LoginForm, PasswordForm, ProfileForm, RegisterForm, TokenForm
from web.auth.identity import page_user, required, start_session
from web.forms import show_error
from web.redirects import local_target

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Return ``target`` if it is a path on this site, else the home page."""
    return local_target(target, url_for("challenges.index"))


@bp.route("/register", methods=["GET", "POST"])
def register() -> str | Response | tuple[str, int]:
    """Show the registration form and create the account."""
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = accounts.create_user(
                state.session(),
                form.username.data or "",
                form.password.data or "",
                email=form.email.data or None,
                institution=form.institution.data or "",
            )
            state.session().commit()
        except ArenaError as error:
            state.session().rollback()
            status = show_error(form, error)
            return render_template("auth/register.html", form=form), status
        start_session(user)
        flash(_("Welcome, %(name)s! Your account is ready.", name=user.username), "success")
        return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/register.html", form=form), 400 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int]:
    """Show the login form and start a session."""
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(state.session(), form.username.data or "", form.password.data or "")
        except ArenaError as error:
            status = show_error(form, error)
            return render_template("auth/login.html", form=form), status
        start_session(user)
        return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form), 400 if form.errors else 200


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    """End the account's sessions on every browser (a POST with a CSRF token, so links cannot log people out)."""
    form = ConfirmForm()
    if form.validate_on_submit():
        user = page_user()
        if user is not None:
            accounts.end_sessions(state.session(), user, actor_id=user.id)
            state.session().commit()
        logout_user()
    return redirect(url_for("challenges.index"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password() -> str | Response | tuple[str, int]:
    """Change the password; every other session of the account ends, this one goes on."""
    user = required(page_user())
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(state.session(), user, form.current.data or "", form.password.data or "")
            state.session().commit()
        except ArenaError as error:
            state.session().rollback()
            status = show_error(form, error)
            return render_template("auth/password.html", form=form), status
        start_session(user)
        flash(_("Your password is changed; other browsers signed in to your account are signed out."), "success")
        return redirect(url_for("auth.profile"))
    return render_template("auth/password.html", form=form), 400 if form.errors else 200


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile() -> str | Response | tuple[str, int]:
    """Show and edit the profile: display name, institution, time zone, language."""
    user = required(page_user())
    form = ProfileForm(obj=user)
    if form.validate_on_submit():
        try:
            accounts.update_profile(
                state.session(),
                user,
                display_name=form.display_name.data or "",
                institution=form.institution.data or "",
                timezone=form.timezone.data or "",
                locale=form.locale.data or "",
            )
            state.session().commit()
        except ArenaError as error:
            state.session().rollback()
            status = show_error(form, error)
            return render_template("auth/profile.html", form=form, user=user), status
        flash(_("Your profile is saved."), "success")
        return redirect(url_for("auth.profile"))
    return render_template("auth/profile.html", form=form, user=user), 400 if form.errors else 200


@bp.route("/tokens", methods=["GET", "POST"])
@login_required
def tokens() -> str | tuple[str, int]:
    """List API tokens and create a new one, shown once."""
    user = required(page_user())
    form = TokenForm()
    new_token = None
    if form.validate_on_submit():
        new_token = accounts.issue_token(state.session(), user, name=form.name.data or "")
        state.session().commit()
    rows = accounts.list_tokens(state.session(), user)
    page = render_template("auth/tokens.html", form=form, revoke_form=ConfirmForm(), tokens=rows, new_token=new_token)
    return page, 400 if form.errors else 200


@bp.route("/tokens/revoke", methods=["POST"])
@login_required
def revoke_tokens() -> Response:
    """Revoke every API token of the user."""
    user = required(page_user())
    if ConfirmForm().validate_on_submit():
        count = accounts.revoke_tokens(state.session(), user)
        state.session().commit()
        flash(_("%(count)s token(s) revoked.", count=count), "success")
    return redirect(url_for("auth.tokens"))
