"""Integers that come from requests: object ids in paths and bodies, page numbers in query strings.

The database stores ids as signed 64-bit integers, so every id a request names is bounded to 1..2^63−1
before it reaches a query; a larger number in a path is simply an address that does not exist (404), and in
a JSON body or a query argument it is an input error naming the field (422).
"""

from __future__ import annotations

from typing import Any

from werkzeug.routing import BaseConverter

from arena.errors import InvalidInput

MAX_ID = 2**63 - 1
# (page - 1) * per_page must stay inside a 64-bit OFFSET.
MAX_PAGE = 2**31 - 1
NUMBER_MESSAGE = "'%(field)s' must be a whole number from %(minimum)s to %(maximum)s"


class InvalidNumber(InvalidInput):
    """A number in a request body or query string is not an integer within its bounds (answered 422)."""


def _at_most(bound: int) -> str:
    """Return a regex for the decimals 1..``bound`` without leading zeros (shorter ones, or digit by digit)."""
    digits = str(bound)
    options = [f"[1-9][0-9]{{0,{len(digits) - 2}}}"] if len(digits) > 1 else []
    for i, digit in enumerate(digits):
        low = "1" if i == 0 else "0"
        if digit > low:
            options.append(f"{digits[:i]}[{low}-{int(digit) - 1}][0-9]{{{len(digits) - i - 1}}}")
    return "(?:" + "|".join([*options, digits]) + ")"


class IdConverter(BaseConverter):
    """URL converter ``<id:name>``: a positive decimal id that fits a 64-bit column, else no match (404).

    The bound is in the regex itself: a value refused later, in ``to_python``, would make werkzeug answer 405
    for paths that other methods share.
    """

    regex = _at_most(MAX_ID)

    def to_python(self, value: str) -> int:
        """Return the id."""
        return int(value)

    def to_url(self, value: Any) -> str:
        """Return the id as it appears in a URL."""
        return str(int(value))


def _invalid(field: str, minimum: int, maximum: int) -> InvalidNumber:
    return InvalidNumber(NUMBER_MESSAGE, field=field, params={"field": field, "minimum": minimum, "maximum": maximum})


def bounded_int(value: object, field: str, *, minimum: int = 1, maximum: int = MAX_ID) -> int:
    """Return ``value`` if it is an integer (a JSON number, not a string or a boolean) in bounds, else InvalidNumber."""
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise _invalid(field, minimum, maximum)
    return value


def parsed_int(text: str, field: str, *, minimum: int = 1, maximum: int = MAX_ID) -> int:
    """Return a decimal string from a query or a form as a bounded integer, else InvalidNumber."""
    digits = text.strip()
    if not digits.isascii() or not digits.lstrip("+-").isdigit() or len(digits) > 20:
        raise _invalid(field, minimum, maximum)
    return bounded_int(int(digits), field, minimum=minimum, maximum=maximum)


def query_int(value: str | None, field: str, default: int, *, minimum: int = 1, maximum: int = MAX_ID) -> int:
    """Return a query argument as a bounded integer, ``default`` when absent or empty."""
    if value is None or not value.strip():
        return default
    return parsed_int(value, field, minimum=minimum, maximum=maximum)
