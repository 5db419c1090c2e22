"""Response headers every answer carries, shared by the app's after-request hook and the board fast lane."""

from __future__ import annotations

SECURITY_HEADERS: tuple[tuple[str, str], ...] = (
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
)
