"""Errors raised by scorers; their messages are written to be shown to people."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class ScorerError(Exception):
    """Base class for scorer errors; ``message`` is safe to show to its audience.

    ``code`` names the problem in a stable, machine-readable way; ``template`` is the message with
    ``%(name)s`` placeholders for ``params``, so that the platform can show it translated; ``message`` is
    the template filled in (English).
    """

    default_code = "scorer_error"

    def __init__(self, template: str, *, code: str = "", **params: object) -> None:
        message = template % params if params else template
        super().__init__(message)
        self.message = message
        self.template = template
        self.params = params
        self.code = code or self.default_code


@dataclass(frozen=True)
class BadRow:
    """One offending row of a predictions file: its 1-based data row (header excluded), id, column and value.

    ``row`` is None when the problem is a row that is missing; ``value`` is the cell as written, shortened.
    """

    row: int | None
    id: str | None
    column: str | None = None
    value: str | None = None

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-safe dict."""
        return {"row": self.row, "id": self.id, "column": self.column, "value": self.value}


class PredictionFileError(ScorerError):
    """A participant's predictions file is invalid; the message says what to fix.

    ``code`` is a stable machine-readable name of the problem (``duplicate_ids``, ``label_not_allowed``…)
    and ``offending`` the first offending rows, for clients that point at them.
    """

    default_code = "invalid_file"

    def __init__(self, template: str, *, code: str = "", offending: Sequence[BadRow] = (), **params: object) -> None:
        super().__init__(template, code=code, **params)
        self.offending = tuple(offending)


class ScorerConfigError(ScorerError):
    """An organizer's scorer configuration or hidden key is invalid."""

    default_code = "invalid_scorer_config"
