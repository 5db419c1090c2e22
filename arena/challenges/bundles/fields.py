"""Typed reading of YAML values that records every problem with the field it concerns."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,63}$")
_MISSING = object()


class Problems:
    """Collects (field, message) pairs while a bundle is read."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []

    def add(self, field: str, message: str) -> None:
        """Record one problem."""
        self.items.append((field, message))

    def __bool__(self) -> bool:
        return bool(self.items)

    def mapping(self, data: Any, where: str) -> dict[str, Any]:
        """Return ``data`` as a mapping, or record a problem and return an empty one."""
        if isinstance(data, dict):
            return data
        self.add(where, "must be a mapping of keys to values")
        return {}

    def unknown_keys(self, data: dict[str, Any], allowed: set[str], where: str) -> None:
        """Record keys that the format does not know (typos would otherwise be silently ignored)."""
        for key in sorted(set(data) - allowed, key=str):
            prefix = f"{where}." if where else ""
            self.add(f"{prefix}{key}", f"unknown key; allowed keys are {', '.join(sorted(allowed))}")

    def string(self, data: dict[str, Any], key: str, where: str, *, default: Any = _MISSING) -> str:
        """Read a non-empty string."""
        value = data.get(key, default)
        if value is _MISSING:
            self.add(_join(where, key), "is required")
            return ""
        if value is None and default is None:
            return ""
        if not isinstance(value, str) or not value.strip():
            self.add(_join(where, key), "must be a non-empty text")
            return ""
        return value.strip()

    def slug(self, data: dict[str, Any], key: str, where: str) -> str:
        """Read a slug: 2–64 lower-case letters, digits and dashes."""
        value = self.string(data, key, where)
        if value and not SLUG_RE.match(value):
            self.add(_join(where, key), f"{value!r} must be 2–64 lower-case letters, digits or '-'")
        return value

    def translated(self, data: dict[str, Any], key: str, where: str, *, required: bool = True) -> dict[str, str]:
        """Read a {en, zh} text; both languages are required unless ``required`` is false."""
        value = data.get(key)
        if value is None:
            if required:
                self.add(_join(where, key), "is required, with an 'en' and a 'zh' text")
            return {}
        if isinstance(value, str):
            self.add(_join(where, key), "must give both languages, e.g. {en: ..., zh: ...}")
            return {}
        value = self.mapping(value, _join(where, key))
        result: dict[str, str] = {}
        for lang in ("en", "zh"):
            text = value.get(lang)
            if isinstance(text, str) and text.strip():
                result[lang] = text.strip()
            elif required or text is not None:
                self.add(_join(where, key, lang), "must be a non-empty text")
        self.unknown_keys(value, {"en", "zh"}, _join(where, key))
        return result

    def integer(
        self, data: dict[str, Any], key: str, where: str, *, low: int, high: int, default: Any = _MISSING
    ) -> int | None:
        """Read an integer in [low, high]."""
        value = data.get(key, default)
        if value is _MISSING:
            self.add(_join(where, key), "is required")
            return None
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.add(_join(where, key), f"must be a whole number from {low} to {high}, got {value!r}")
            return None
        return value

    def number(self, data: dict[str, Any], key: str, where: str, *, low: float, high: float) -> float | None:
        """Read a number strictly between ``low`` and ``high``."""
        value = data.get(key, _MISSING)
        if value is _MISSING:
            self.add(_join(where, key), "is required")
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or not low < value < high:
            self.add(_join(where, key), f"must be a number between {low} and {high} (exclusive), got {value!r}")
            return None
        return float(value)

    def boolean(self, data: dict[str, Any], key: str, where: str, default: bool) -> bool:
        """Read true/false."""
        value = data.get(key, default)
        if not isinstance(value, bool):
            self.add(_join(where, key), f"must be true or false, got {value!r}")
            return default
        return value

    def timestamp(self, data: dict[str, Any], key: str, where: str, *, required: bool = True) -> datetime | None:
        """Read a UTC time written as ISO 8601 with 'Z' or an offset."""
        value = data.get(key)
        if value is None:
            if required:
                self.add(_join(where, key), "is required, as an ISO 8601 UTC time like 2027-01-31T23:59:59Z")
            return None
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value.strip())
            except ValueError:
                self.add(_join(where, key), f"{value!r} is not an ISO 8601 time like 2027-01-31T23:59:59Z")
                return None
        if not isinstance(value, datetime):
            self.add(_join(where, key), f"must be a time like 2027-01-31T23:59:59Z, got {value!r}")
            return None
        if value.tzinfo is None:
            self.add(_join(where, key), "must say its time zone; write UTC times with a trailing 'Z'")
            return None
        return value.astimezone(UTC)

    def relative_path(
        self, data: dict[str, Any], key: str, where: str, root: Path, *, kind: str = "file"
    ) -> Path | None:
        """Read a path inside ``root`` that must exist as a file (or a folder with ``kind='dir'``)."""
        raw = self.string(data, key, where)
        if not raw:
            return None
        pure = PurePosixPath(raw)
        if pure.is_absolute() or ".." in pure.parts or "\\" in raw:
            self.add(_join(where, key), f"{raw!r} must be a relative path inside the bundle, without '..'")
            return None
        path = root / pure
        resolved_root = root.resolve()
        if path.is_symlink() or not path.resolve().is_relative_to(resolved_root):
            self.add(_join(where, key), f"{raw!r} must not be a link or lead outside the bundle")
            return None
        if kind == "dir" and not path.is_dir():
            self.add(_join(where, key), f"the folder {raw!r} does not exist")
            return None
        if kind == "file" and not path.is_file():
            self.add(_join(where, key), f"the file {raw!r} does not exist")
            return None
        return path


def _join(*parts: str) -> str:
    return ".".join(p for p in parts if p)
