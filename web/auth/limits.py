"""Rate limits on password guessing and account creation (Flask-Limiter counting in Redis), and their 429 answer.

Failed logins, token requests and password changes are counted per account (the username tried, or the
signed-in user) and per client address, in buckets shared by the three routes, so switching route gains
nothing. Registrations are counted per address. The limits are settings (``ARENA_LOGIN_LIMIT_*``,
``ARENA_REGISTER_LIMIT_ADDRESS``). When Redis does not answer the limits are skipped and the failure logged:
a Redis outage must not lock every user out.
"""
# mypy: allow-untyped-decorators

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_limiter import Limiter, RateLimitExceeded
from flask_login import current_user

from arena.settings import Settings
from web import state
from web.errors import error_body, wants_json

EXTENSION_KEY = "arena_limiter"
ATTEMPT_ENDPOINTS = ("auth.login", "api.tokens.create", "auth.password")
REGISTER_ENDPOINT = "auth.register"
TOO_MANY = "too many attempts; wait %(seconds)s seconds before trying again"


def client_address() -> str:
    """Return the client's address (the proxy's forwarded one when ``ARENA_PROXY_HOPS`` is set)."""
    return request.remote_addr or "unknown"


def account_tried() -> str:
    """Return the account an attempt is about: the signed-in user, else the username in the form or JSON."""
    if request.endpoint == "auth.password" and current_user.is_authenticated:
        return f"user:{current_user.user.id}"
    name: Any = request.form.get("username")
    if name is None:
        body = request.get_json(silent=True)
        name = body.get("username") if isinstance(body, dict) else None
    return "name:" + (name.strip().lower() if isinstance(name, str) else "")


def _failed(response: Response) -> bool:
    return response.status_code >= 400


def _setting(name: str) -> Callable[[], str]:
    return lambda: str(getattr(state.settings(), name))


def install_limits(app: Flask, settings: Settings) -> Limiter:
    """Give ``app`` its own limiter on the rate-limit Redis and wrap the login-like views in it."""
    limiter = Limiter(
        key_func=client_address,
        app=app,
        storage_uri=settings.limits_storage_url,
        storage_options={"socket_connect_timeout": 2, "socket_timeout": 2},
        strategy="moving-window",
        key_prefix=f"arena-limits:{settings.queue_name}",
        swallow_errors=True,
    )
    by_account = limiter.shared_limit(
        _setting("login_limit_account"),
        scope="attempts-account",
        key_func=account_tried,
        methods=["POST"],
        deduct_when=_failed,
    )
    by_address = limiter.shared_limit(
        _setting("login_limit_address"), scope="attempts-address", methods=["POST"], deduct_when=_failed
    )
    # Wrapped per app (not decorated at import) so each app counts in its own settings' Redis.
    views: dict[str, Any] = app.view_functions
    for endpoint in ATTEMPT_ENDPOINTS:
        views[endpoint] = by_account(by_address(views[endpoint]))
    registrations = limiter.limit(_setting("register_limit_address"), methods=["POST"])
    views[REGISTER_ENDPOINT] = registrations(views[REGISTER_ENDPOINT])
    app.extensions[EXTENSION_KEY] = limiter
    app.register_error_handler(RateLimitExceeded, answer_rate_limited)
    return limiter


def _retry_after() -> int:
    limiter: Limiter = current_app.extensions[EXTENSION_KEY]
    breached = limiter.current_limit
    if breached is None:
        return 60
    return max(1, int(breached.reset_at - time.time()))


def answer_rate_limited(error: RateLimitExceeded) -> Response:
    """Answer 429 with a Retry-After header, as JSON under the API (in English) and as a page elsewhere."""
    seconds = _retry_after()
    if wants_json():
        response = jsonify(error_body("rate_limited", TOO_MANY % {"seconds": seconds}, retry_after=seconds))
    else:
        message = _("Too many attempts. Wait %(seconds)s seconds before trying again.", seconds=seconds)
        html = render_template("error.html", status=429, title=_("Too many attempts"), message=message)
        response = Response(html, mimetype="text/html")
    response.status_code = 429
    response.headers["Retry-After"] = str(seconds)
    return response
