"""Profile edits and token listing for the account pages.

Stand-ins until ``arena.services.accounts`` offers ``update_profile`` and ``list_tokens``; they only
validate presentation choices (a known zone name, a shipped language) and set the user's own fields.
"""

from __future__ import annotations

from zoneinfo import available_timezones

from sqlalchemy import select
from sqlalchemy.orm import Session

from arena.errors import InvalidInput
from arena.models import ApiToken, User
from web.i18n import SUPPORTED_LOCALES


def update_profile(
    session: Session, user: User, *, display_name: str, institution: str, timezone: str, locale: str
) -> None:
    """Set the user's display name, institution, time zone and language after checking them."""
    timezone = timezone.strip()
    if timezone and timezone not in available_timezones():
        raise InvalidInput(f"unknown time zone {timezone!r}; use a name like Asia/Shanghai", field="timezone")
    if locale and locale not in SUPPORTED_LOCALES:
        raise InvalidInput(f"unsupported language {locale!r}", field="locale")
    user.display_name = display_name.strip()[:128] or user.username
    user.institution = institution.strip()[:200]
    user.timezone = timezone
    user.locale = locale


def list_tokens(session: Session, user: User) -> list[ApiToken]:
    """Return the user's tokens, newest first (only prefixes and dates are shown)."""
    query = select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc())
    return list(session.scalars(query))
