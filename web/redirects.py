"""Redirect targets a user may choose (``next=``): only paths on this site, never another host."""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

MAX_TARGET_CHARS = 2000
# Control, format and line/paragraph separator characters: browsers drop some of them (so "/\t/evil" becomes
# "//evil") and a header cannot hold CR or LF at all.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})


def is_local_path(target: object) -> bool:
    """Whether ``target`` is a path on this site: no scheme, no host, no ``//``, backslash or control character."""
    if not isinstance(target, str) or not target.startswith("/") or len(target) > MAX_TARGET_CHARS:
        return False
    if target.startswith("//") or "\\" in target:
        return False
    if any(unicodedata.category(char) in _REFUSED_CATEGORIES for char in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def local_target(target: object, default: str) -> str:
    """Return ``target`` when it is a path on this site, else ``default``."""
    return target if isinstance(target, str) and is_local_path(target) else default
