"""Reading JSON request bodies with clear errors."""

from __future__ import annotations

from typing import Any

from flask import request

from arena.errors import InvalidInput
from web.numbers import bounded_int


def json_body() -> dict[str, Any]:
    """Return the request's JSON object, or raise InvalidInput saying what is wrong."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InvalidInput("send a JSON object with 'Content-Type: application/json'")
    return data


def text_field(data: dict[str, Any], name: str, *, required: bool = True, max_length: int = 1000) -> str:
    """Return a string field of a JSON body, checking its presence, type and length."""
    value = data.get(name)
    if value is None:
        if required:
            raise InvalidInput(f"'{name}' is required", field=name)
        return ""
    if not isinstance(value, str):
        raise InvalidInput(f"'{name}' must be a string", field=name)
    if len(value) > max_length:
        raise InvalidInput(f"'{name}' is too long (at most {max_length} characters)", field=name)
    return value


def id_field(data: dict[str, Any], name: str) -> int:
    """Return an object id from a JSON body: an integer from 1 to 2^63−1, else InvalidNumber naming the field."""
    return bounded_int(data.get(name), name)
