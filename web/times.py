"""Showing UTC timestamps in the viewer's zone and in UTC side by side."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app
from flask_login import current_user
from markupsafe import Markup

from arena.timestamps import rfc3339

FORMAT = "%Y-%m-%d %H:%M"


def viewer_zone_name() -> str:
    """Return the viewer's time zone name: their setting, else the site default."""
    if current_user and current_user.is_authenticated and current_user.user.timezone:
        return str(current_user.user.timezone)
    return str(current_app.config["ARENA_TIMEZONE"])


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def iso_utc(moment: datetime | None) -> str | None:
    """Return the RFC 3339 UTC form every API field and ``<time datetime>`` uses (or None)."""
    return rfc3339(moment)


def dual_time(moment: datetime | None) -> Markup:
    """Render a timestamp as ``<local> (<zone>) · <utc> UTC`` in a ``<time>`` element (tables put UTC below)."""
    if moment is None:
        return Markup("—")
    zone_name = viewer_zone_name()
    local = moment.astimezone(_zone(zone_name)).strftime(FORMAT)
    utc = moment.astimezone(UTC).strftime(FORMAT)
    if zone_name == "UTC":
        return Markup('<time datetime="{}">{} UTC</time>').format(iso_utc(moment), utc)
    return Markup('<time datetime="{}">{} ({}) <span class="utc">· {} UTC</span></time>').format(
        iso_utc(moment), local, zone_name, utc
    )
