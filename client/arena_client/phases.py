"""Naming a phase on the command line: its id (``3``) or its path (``digits/classify/open``, or ``digits/open``)."""

from __future__ import annotations

from typing import Any

from arena_client.api import Api, ClientError

USAGE = "give a phase as its id (e.g. 3) or as CHALLENGE/TRACK/PHASE (e.g. digits/classify/open)"


def phase_rows(challenge: dict[str, Any]) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """Return ``(path, track, phase)`` for every phase of a challenge, in order."""
    return [
        (f"{challenge['slug']}/{track['slug']}/{phase['slug']}", track, phase)
        for track in challenge.get("tracks") or []
        for phase in track.get("phases") or []
    ]


def resolve_phase(api: Api, text: str) -> int:
    """Return the id of the phase ``text`` names, or raise ClientError listing the phases there are."""
    cleaned = text.strip().strip("/")
    if cleaned.isdigit():
        return int(cleaned)
    parts = cleaned.split("/")
    if len(parts) not in (2, 3) or not all(parts):
        raise ClientError(f"'{text}' is not a phase: {USAGE}")
    challenge = api.get(f"/challenges/{parts[0]}")
    rows = phase_rows(challenge)
    track = parts[1] if len(parts) == 3 else None
    found = [p for _, t, p in rows if p["slug"] == parts[-1] and (track is None or t["slug"] == track)]
    if len(found) == 1:
        return int(found[0]["id"])
    known = ", ".join(f"{path} (id {p['id']})" for path, _, p in rows) or "none"
    if found:
        raise ClientError(f"'{text}' names phases on several tracks; name the track: {known}")
    raise ClientError(f"no phase '{text}'; {parts[0]} has: {known}")
