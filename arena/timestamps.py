"""The one text form of a moment that Arena writes into JSON, exports and messages: RFC 3339 in UTC.

``2026-12-03T11:50:35Z``: always UTC with a ``Z``, whole seconds (fractions are dropped), so every field and
message shows a moment the same way and clients can compare the strings.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import overload

FORMAT = "%Y-%m-%dT%H:%M:%SZ"


@overload
def rfc3339(moment: datetime) -> str: ...
@overload
def rfc3339(moment: None) -> None: ...
@overload
def rfc3339(moment: datetime | None) -> str | None: ...
def rfc3339(moment: datetime | None) -> str | None:
    """Return ``moment`` as ``YYYY-MM-DDTHH:MM:SSZ`` in UTC (naive moments are taken as UTC), or None."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime(FORMAT)
