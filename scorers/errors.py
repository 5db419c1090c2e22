"""Errors raised by scorers; their messages are written to be shown to people."""

from __future__ import annotations


class ScorerError(Exception):
    """Base class for scorer errors; ``message`` is safe to show to its audience.

    ``template`` is the message with ``%(name)s`` placeholders for ``params``, so that the platform can
    show it translated; ``message`` is the template filled in (English).
    """

    def __init__(self, template: str, **params: object) -> None:
        message = template % params if params else template
        super().__init__(message)
        self.message = message
        self.template = template
        self.params = params


class PredictionFileError(ScorerError):
    """A participant's predictions file is invalid; the message says what to fix."""


class ScorerConfigError(ScorerError):
    """An organizer's scorer configuration or hidden key is invalid."""
