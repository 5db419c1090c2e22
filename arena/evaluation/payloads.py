"""Frozen payloads that cross the process boundary into rq jobs (ids, never ORM objects)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class EvaluateRequest:
    """Ask a worker to evaluate one submission."""

    submission_id: int

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-safe form rq stores."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EvaluateRequest:
        """Rebuild the request from its JSON form."""
        return cls(submission_id=int(data["submission_id"]))


@dataclass(frozen=True)
class RerunRequest:
    """Ask a worker to re-run one submission without touching its status or scores."""

    rerun_id: int

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-safe form rq stores."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RerunRequest:
        """Rebuild the request from its JSON form."""
        return cls(rerun_id=int(data["rerun_id"]))
