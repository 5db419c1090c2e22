"""Arena's web layer: the Flask app factory."""

from web.app import create_app

__all__ = ["create_app"]
