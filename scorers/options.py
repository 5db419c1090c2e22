"""Typed access to a scorer's options, with errors that name the bad option."""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from scorers.errors import ScorerConfigError

COMMON_OPTIONS = frozenset({"cluster_column"})


def shown_option(value: object) -> str:
    """Quote an option value for a message as the organizer wrote it (``5``, not ``np.int64(5)``)."""
    return repr(value.item() if isinstance(value, np.generic) else value)


def _is_bool(value: object) -> bool:
    return isinstance(value, bool | np.bool_)


class Options:
    """Reads options for one scorer; rejects unknown names and wrong types."""

    def __init__(self, scorer: str, raw: Mapping[str, Any] | None, known: Iterable[str]) -> None:
        self.scorer = scorer
        self.raw: Mapping[str, Any] = dict(raw or {})
        allowed = set(known) | COMMON_OPTIONS
        unknown = sorted(str(name) for name in self.raw if name not in allowed)
        if unknown:
            raise ScorerConfigError(
                f"Scorer '{scorer}' has no option {', '.join(repr(u) for u in unknown)}; "
                f"known options: {', '.join(sorted(allowed))}."
            )

    def _fail(self, name: str, expected: str) -> ScorerConfigError:
        return ScorerConfigError(
            f"Option '{name}' of scorer '{self.scorer}' must be {expected}, got {shown_option(self.raw[name])}."
        )

    def text(self, name: str, default: str) -> str:
        """Return a non-empty string option."""
        value = self.optional_text(name)
        return default if value is None else value

    def optional_text(self, name: str) -> str | None:
        """Return a non-empty string option, or None when it is not set."""
        if self.raw.get(name) is None:
            return None
        value = self.raw[name]
        if not isinstance(value, str) or not value.strip():
            raise self._fail(name, "a non-empty string")
        return value.strip()

    def integer(self, name: str, default: int, minimum: int, maximum: int) -> int:
        """Return an integer option within [minimum, maximum]."""
        value = self.raw.get(name, default)
        if _is_bool(value) or not isinstance(value, numbers.Integral) or not minimum <= int(value) <= maximum:
            raise self._fail(name, f"an integer from {minimum} to {maximum}")
        return int(value)

    def number(self, name: str, default: float, minimum: float, maximum: float) -> float:
        """Return a finite number option within [minimum, maximum]."""
        value = self.raw.get(name, default)
        if _is_bool(value) or not isinstance(value, numbers.Real):
            raise self._fail(name, f"a number from {minimum} to {maximum}")
        number = float(value)
        if not math.isfinite(number) or not minimum <= number <= maximum:
            raise self._fail(name, f"a number from {minimum} to {maximum}")
        return number

    def text_list(self, name: str) -> tuple[str, ...] | None:
        """Return a list of distinct non-empty strings, or None when it is not set."""
        if self.raw.get(name) is None:
            return None
        value = self.raw[name]
        if isinstance(value, str) or not isinstance(value, Iterable):
            raise self._fail(name, "a list of strings")
        items = [item.strip() if isinstance(item, str) else item for item in value]
        if not items or not all(isinstance(item, str) and item for item in items):
            raise self._fail(name, "a non-empty list of non-empty strings")
        if len(set(items)) != len(items):
            raise self._fail(name, "a list without repeated entries")
        return tuple(items)

    def value(self, name: str) -> Any:
        """Return an option as given (None when unset), for options with structured values."""
        return self.raw.get(name)
