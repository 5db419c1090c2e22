"""WSGI entry point for production servers: ``granian --interface wsgi web.wsgi:app`` (settings from ARENA_*)."""

from web import create_app

app = create_app()
