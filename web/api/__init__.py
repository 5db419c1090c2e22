"""The JSON API under ``/api/v1``."""

from web.api.root import api as api_blueprint

__all__ = ["api_blueprint"]
