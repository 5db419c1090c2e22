"""The mount points this process sees, read from /proc/self/mountinfo."""

from __future__ import annotations

from pathlib import Path


def mount_points() -> list[Path]:
    """Return every mount point in this process's mount namespace (empty when mountinfo cannot be read)."""
    try:
        lines = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        return []
    return [Path(_unescape(fields[4])) for fields in (line.split() for line in lines) if len(fields) > 4]


def _unescape(field: str) -> str:
    # mountinfo writes blanks, tabs, newlines and backslashes in paths as octal escapes.
    for code in ("\\040", "\\011", "\\012", "\\134"):
        field = field.replace(code, chr(int(code[1:], 8)))
    return field
