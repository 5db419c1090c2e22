"""Translate Arena settings into Flask configuration."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from arena.db import engine_options
from arena.settings import Settings

# Room for multipart boundaries and form fields around the largest allowed file.
UPLOAD_MARGIN_BYTES = 64 * 1024


def flask_config(settings: Settings) -> dict[str, Any]:
    """Return the Flask config keys derived from ``settings``."""
    return {
        "SECRET_KEY": settings.secret_key,
        "TESTING": settings.testing,
        "SQLALCHEMY_DATABASE_URI": settings.database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(settings.database_url),
        "SQLALCHEMY_TRACK_MODIFICATIONS": False,
        "MAX_CONTENT_LENGTH": settings.max_upload_bytes + UPLOAD_MARGIN_BYTES,
        "WTF_CSRF_ENABLED": True,
        "WTF_CSRF_TIME_LIMIT": None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": settings.https,
        # Flask re-signs the cookie on each request and refuses one whose signature is older than this.
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=settings.session_idle_hours),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": settings.https,
        "REMEMBER_COOKIE_DURATION": timedelta(hours=settings.session_lifetime_hours),
        "BABEL_DEFAULT_LOCALE": settings.default_locale,
        "BABEL_DEFAULT_TIMEZONE": "UTC",
    }
