"""The OpenAPI 3.1 description of ``/api/v1``, written by hand and checked against the routes in tests.

The paths live beside the routes they describe, one module per noun; shared pieces are in ``openapi_common``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from web.api.openapi_audit import audit_paths
from web.api.openapi_challenges import challenge_paths
from web.api.openapi_creation import creation_paths
from web.api.openapi_data import data_paths
from web.api.openapi_demands import demand_schemas, demands_paths
from web.api.openapi_editing import editing_paths
from web.api.openapi_finals import final_schemas, finals_paths
from web.api.openapi_integrity import integrity_paths
from web.api.openapi_notifications import notification_paths
from web.api.openapi_rules import rules_paths
from web.api.openapi_schemas import schemas
from web.api.openapi_submissions import submission_paths

bp = Blueprint("openapi", __name__)


def document() -> dict[str, Any]:
    """Return the OpenAPI document."""
    paths = _paths()
    for path, operations in [*creation_paths().items(), *editing_paths().items(), *data_paths().items()]:
        paths[path] = {**paths.get(path, {}), **operations}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Arena API", "version": "1"},
        "servers": [{"url": "/api/v1"}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {**schemas(), **final_schemas(), **demand_schemas()},
        },
    }


def _paths() -> dict[str, Any]:
    return {
        **challenge_paths(),
        **submission_paths(),
        **integrity_paths(),
        **rules_paths(),
        **finals_paths(),
        **audit_paths(),
        **notification_paths(),
        **demands_paths(),
    }


@bp.get("/openapi.json")
def openapi_json() -> dict[str, Any]:
    """Serve the OpenAPI document."""
    return document()
