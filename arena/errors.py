"""Domain errors. The web layer maps each class to an HTTP status in one place."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime


class ArenaError(Exception):
    """Base of every error Arena reports to a user; ``message`` is safe to show.

    A message may be a template with ``%(name)s`` placeholders filled from ``params``; the web layer
    translates ``template`` and fills in the same ``params``, so pages show it in the viewer's language.
    """

    code = "error"

    def __init__(self, message: str, *, field: str | None = None, params: Mapping[str, object] | None = None) -> None:
        self.template = message
        self.params = dict(params or {})
        self.message = message % self.params if self.params else message
        super().__init__(self.message)
        self.field = field


class NotFound(ArenaError):
    """The object does not exist, or the caller may not know that it does."""

    code = "not_found"


class Unauthenticated(ArenaError):
    """The caller must log in or present a valid token."""

    code = "unauthenticated"


class Forbidden(ArenaError):
    """The caller is known but may not do this."""

    code = "forbidden"


class InvalidInput(ArenaError):
    """The request or an uploaded file is wrong in a way the caller can fix."""

    code = "invalid_input"


class FileTooLarge(InvalidInput):
    """An upload is larger than the limit that applies to it."""

    code = "file_too_large"


class InvalidArchive(InvalidInput):
    """An uploaded code archive is refused (unsafe, too big unpacked, damaged, nothing to run)."""

    code = "invalid_archive"


class Conflict(ArenaError):
    """The request clashes with the current state (a duplicate name, a second team)."""

    code = "conflict"


class PhaseClosed(ArenaError):
    """The phase does not accept submissions now."""

    code = "phase_closed"


class QuotaExceeded(ArenaError):
    """The team used up a submission quota; ``retry_at`` says when the next one is allowed."""

    code = "quota_exceeded"

    def __init__(self, message: str, *, retry_at: datetime | None, params: Mapping[str, object] | None = None) -> None:
        super().__init__(message, params=params)
        self.retry_at = retry_at


class BundleError(ArenaError):
    """A challenge bundle is invalid; ``problems`` lists every problem with its field."""

    code = "invalid_bundle"

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        lines = [f"{field}: {message}" for field, message in problems]
        super().__init__("the challenge bundle has problems:\n" + "\n".join(lines))
        self.problems = problems


class InvalidTransition(ArenaError):
    """A lifecycle change that the state machine does not allow."""

    code = "invalid_transition"


class FormErrors(InvalidInput):
    """Several fields of one form are wrong; ``problems`` holds (field, message template, params) for each."""

    code = "invalid_input"

    def __init__(self, problems: list[tuple[str, str, dict[str, object]]]) -> None:
        field, template, params = problems[0]
        super().__init__(template, field=field, params=params)
        self.problems = problems


class StorageUnavailable(ArenaError):
    """The file store cannot be reached now; nothing was stored, and the same request may succeed later."""

    code = "storage_unavailable"
    retry_seconds = 30

    def __init__(self, *, detail: str = "") -> None:
        super().__init__(
            "the file storage cannot be reached at the moment and nothing was saved; try again in %(seconds)s seconds",
            params={"seconds": self.retry_seconds},
        )
        self.detail = detail


class StorageFull(ArenaError):
    """The file store has too little free space to accept an upload; nothing was stored."""

    code = "storage_full"

    def __init__(self) -> None:
        super().__init__("the file storage is nearly full, so uploads are refused for now; nothing was saved")
