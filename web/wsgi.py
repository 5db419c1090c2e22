"""WSGI entry point for production servers: ``gunicorn web.wsgi:app`` (settings from ARENA_* variables)."""

from web import create_app

app = create_app()
