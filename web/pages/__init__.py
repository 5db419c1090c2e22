"""Server-rendered pages."""

from web.pages.registry import page_blueprints

__all__ = ["page_blueprints"]
