"""Reading a demand's or response's form values: text as given, money and dates parsed, each problem on its field."""

from __future__ import annotations

from datetime import UTC, datetime

from arena.errors import FormErrors

MAX_MONEY = 10**13  # ten trillion yuan: anything above is a typing mistake


class FieldReader:
    """Collects typed values from raw form strings and the problems found on the way."""

    def __init__(self, raw: dict[str, str]) -> None:
        self.raw = raw
        self.problems: list[tuple[str, str, dict[str, object]]] = []

    def text(self, name: str, *, limit: int, required: bool = False) -> str:
        """The trimmed text of a field, checked against a length limit."""
        value = (self.raw.get(name) or "").strip()
        if required and not value:
            self.problems.append((name, "this field is required", {}))
        elif len(value) > limit:
            self.problems.append((name, "at most %(limit)s characters", {"limit": limit}))
        return value

    def money(self, name: str, *, required: bool = False) -> int | None:
        """A whole number of yuan (spaces, commas and a trailing 元 allowed), or None when empty."""
        value = (self.raw.get(name) or "").strip().replace(",", "").replace(" ", "").removesuffix("元")
        if not value:
            if required:
                self.problems.append((name, "this field is required", {}))
            return None
        try:
            amount = int(value)
        except ValueError:
            self.problems.append((name, "enter an amount in yuan as a whole number, e.g. 500000", {}))
            return None
        if amount < 0 or amount > MAX_MONEY:
            self.problems.append((name, "enter an amount between 0 and %(max)s yuan", {"max": MAX_MONEY}))
            return None
        return amount

    def moment(self, name: str, *, required: bool = False, after: datetime | None = None) -> datetime | None:
        """A date or date-time (ISO 8601; a date means its end, 23:59:59 UTC); None when empty."""
        value = (self.raw.get(name) or "").strip()
        if not value:
            if required:
                self.problems.append((name, "this field is required", {}))
            return None
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            self.problems.append((name, "enter a date like 2027-06-30", {}))
            return None
        if len(value) == 10:
            parsed = parsed.replace(hour=23, minute=59, second=59)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        if after is not None and parsed <= after:
            self.problems.append((name, "the date must be in the future", {}))
        return parsed

    def choice(self, name: str, choices: dict[str, str] | set[str], *, required: bool = False) -> str:
        """One of the allowed codes, or '' when empty and not required."""
        value = (self.raw.get(name) or "").strip()
        if not value:
            if required:
                self.problems.append((name, "this field is required", {}))
            return ""
        if value not in choices:
            self.problems.append((name, "choose one of the listed values", {}))
            return ""
        return value

    def flag(self, name: str) -> bool:
        """A checkbox: on for 'on', 'true', '1' or 'yes'."""
        return (self.raw.get(name) or "").strip().lower() in {"on", "true", "1", "yes"}

    def require(self, name: str, present: bool) -> None:
        """Note a missing required value that the caller checked itself."""
        if not present:
            self.problems.append((name, "this field is required", {}))

    def raise_if_any(self) -> None:
        """Raise FormErrors with every problem found, if there were any."""
        if self.problems:
            raise FormErrors(self.problems)
