"""The application factory."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import Flask, Response, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from werkzeug.middleware.proxy_fix import ProxyFix

from arena import logconfig
from arena.db import configure_engine
from arena.settings import Settings
from web import state
from web.api import api_blueprint
from web.auth import auth_blueprint
from web.auth.limits import install_limits
from web.config import flask_config
from web.errors import register_error_handlers
from web.extensions import babel, csrf, db, login_manager
from web.fastlane import BoardFastLane
from web.headers import SECURITY_HEADERS
from web.i18n import (
    LANGUAGE_NAMES,
    LOCALE_COOKIE,
    SUPPORTED_LOCALES,
    TRANSLATIONS_DIR,
    compile_catalogs,
    localized_message,
    normalize_locale,
    pick,
    select_locale,
)
from web.mailbell import install_mail_bell
from web.markdown import render_markdown
from web.numbers import IdConverter
from web.pages import page_blueprints
from web.times import dual_time, iso_utc, viewer_zone_name
from web.uploads import UploadRequest

log = logging.getLogger(__name__)

HSTS = "max-age=31536000; includeSubDomains"

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)


def _translation_directories(settings: Settings) -> list[str]:
    """Compile the catalogues next to their sources, or under the data directory if that is read-only."""
    try:
        compile_catalogs(TRANSLATIONS_DIR)
        return [str(TRANSLATIONS_DIR)]
    except OSError:
        fallback = Path(settings.data_dir) / "translations"
        for po_path in TRANSLATIONS_DIR.glob("*/LC_MESSAGES/messages.po"):
            target = fallback / po_path.relative_to(TRANSLATIONS_DIR)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(po_path.read_bytes())
        compile_catalogs(fallback)
        log.warning("compiled translations under %s because %s is read-only", fallback, TRANSLATIONS_DIR)
        return [str(fallback)]


def _language_links() -> list[dict[str, str]]:
    args = request.args.to_dict()
    links = []
    for locale in SUPPORTED_LOCALES:
        args["lang"] = locale
        links.append({"locale": locale, "name": LANGUAGE_NAMES[locale], "url": request.path + "?" + urlencode(args)})
    return links


def _template_context() -> dict[str, object]:
    locale = str(get_locale() or "en")
    return {
        "current_locale": locale,
        "html_lang": "zh-CN" if locale.startswith("zh") else "en",
        "language_links": _language_links(),
        "viewer_zone": viewer_zone_name(),
    }


class MissingSecretKey(RuntimeError):
    """The app was asked to serve without ARENA_SECRET_KEY."""


def require_secret_key(settings: Settings) -> None:
    """Raise MissingSecretKey unless a secret key is configured: a known key lets anyone forge sessions."""
    if not settings.secret_key.strip():
        raise MissingSecretKey(
            "ARENA_SECRET_KEY is not set. Arena signs session cookies with it and will not serve without one; "
            "set it to a long random value (e.g. the output of `python -c 'import secrets; "
            "print(secrets.token_hex(32))'`), kept the same across restarts and web processes. "
            "`arena demo` makes one of its own."
        )


class StrictTransportSecurity:
    """WSGI middleware adding Strict-Transport-Security to every answer, the board fast lane's included."""

    def __init__(self, wsgi_app: Any) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        """Pass the request on and add the header to its answer."""

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            if not any(name.lower() == "strict-transport-security" for name, _value in headers):
                headers.append(("Strict-Transport-Security", HSTS))
            return start_response(status, headers, exc_info)

        result: Iterable[bytes] = self.wsgi_app(environ, start)
        return result


def _after_request(response: Response) -> Response:
    chosen = normalize_locale(request.args.get("lang"))
    if chosen:
        response.set_cookie(
            LOCALE_COOKIE,
            chosen,
            max_age=365 * 24 * 3600,
            httponly=True,
            samesite="Lax",
            secure=state.settings().https,
        )
    for name, value in SECURITY_HEADERS:
        response.headers.setdefault(name, value)
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    return response


def _release_cached(error: BaseException | None) -> None:
    # The request's cached copies may be trimmed once it is over (a file being sent is already open).
    state.store().release()


def create_app(settings: Settings | None = None) -> Flask:
    """Build the Flask app for ``settings`` (read from ``ARENA_*`` variables when omitted)."""
    settings = settings or Settings.from_env()
    require_secret_key(settings)
    if settings.log_format == "json":
        logconfig.configure("json")
    app = Flask(__name__)
    app.request_class = UploadRequest
    app.config.update(flask_config(settings))
    app.config["ARENA_TIMEZONE"] = settings.default_timezone
    app.json.sort_keys = False  # type: ignore[attr-defined]
    # Every route names objects with <id:…>: ids beyond a 64-bit column are addresses that do not exist.
    app.url_map.converters["id"] = IdConverter
    state.install(app, settings)

    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=";".join(_translation_directories(settings)),
    )

    app.register_blueprint(auth_blueprint)
    for blueprint in page_blueprints():
        app.register_blueprint(blueprint)
    app.register_blueprint(api_blueprint)
    for name, registered in app.blueprints.items():
        if name == api_blueprint.name or name.startswith(api_blueprint.name + "."):
            csrf.exempt(registered)

    register_error_handlers(app)
    install_limits(app, settings)
    app.context_processor(_template_context)
    app.jinja_env.filters["tr"] = lambda field: pick(field, str(get_locale() or "en"))
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["dual_time"] = dual_time
    app.jinja_env.filters["iso_utc"] = iso_utc
    app.jinja_env.filters["message"] = lambda view: localized_message(
        view.message_template, view.message_params, view.error_message
    )
    app.after_request(_after_request)
    app.teardown_request(_release_cached)
    install_mail_bell(app)
    app.wsgi_app = BoardFastLane(app.wsgi_app, settings.database_url)  # type: ignore[method-assign]
    if settings.https:
        app.wsgi_app = StrictTransportSecurity(app.wsgi_app)  # type: ignore[method-assign]
    if settings.proxy_hops:
        # Behind that many proxies, the client's address and scheme are the ones they forward.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=settings.proxy_hops, x_proto=settings.proxy_hops
        )
    return app
