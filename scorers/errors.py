"""Errors raised by scorers; their messages are written to be shown to people."""

from __future__ import annotations


class ScorerError(Exception):
    """Base class for scorer errors; ``message`` is safe to show to its audience."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PredictionFileError(ScorerError):
    """A participant's predictions file is invalid; the message says what to fix."""


class ScorerConfigError(ScorerError):
    """An organizer's scorer configuration or hidden key is invalid."""
