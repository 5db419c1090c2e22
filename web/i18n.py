"""Locale choice, translated-field lookup and compiling the message catalogues."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import current_app, request
from flask_babel import gettext
from flask_login import current_user

from arena.accounts import LOCALES
from arena.errors import ArenaError

SUPPORTED_LOCALES = LOCALES
LOCALE_COOKIE = "arena_lang"
TRANSLATIONS_DIR = Path(__file__).parent / "translations"
LANGUAGE_NAMES = {"zh_CN": "中文", "en": "English"}


def normalize_locale(value: str | None) -> str | None:
    """Map spellings like ``zh-CN``, ``zh`` or ``en_US`` onto a supported locale, else None."""
    if not value:
        return None
    value = value.strip().replace("-", "_")
    lowered = value.lower()
    if lowered.startswith("zh"):
        return "zh_CN"
    if lowered.startswith("en"):
        return "en"
    return None


def select_locale() -> str:
    """Choose the locale: ``?lang=``, then the cookie, the user's setting, Accept-Language, the default."""
    for candidate in (request.args.get("lang"), request.cookies.get(LOCALE_COOKIE)):
        chosen = normalize_locale(candidate)
        if chosen:
            return chosen
    if current_user and current_user.is_authenticated:
        chosen = normalize_locale(current_user.user.locale)
        if chosen:
            return chosen
    best = request.accept_languages.best_match(["zh-CN", "zh", "en"])
    return normalize_locale(best) or str(current_app.config["BABEL_DEFAULT_LOCALE"])


def language_of(locale: str) -> str:
    """Return the key used in translated fields (``zh`` or ``en``) for a locale."""
    return "zh" if locale.startswith("zh") else "en"


def pick(field: Mapping[str, str] | str | None, locale: str) -> str:
    """Return the text of a translated field in ``locale``, falling back to any other language."""
    if field is None:
        return ""
    if isinstance(field, str):
        return field
    lang = language_of(locale)
    for key in (lang, "en", "zh"):
        if field.get(key):
            return field[key]
    return next(iter(field.values()), "")


def compile_catalogs(root: Path = TRANSLATIONS_DIR) -> list[Path]:
    """Compile every ``messages.po`` under ``root`` whose ``.mo`` is missing or older; return those written."""
    written = []
    for po_path in sorted(root.glob("*/LC_MESSAGES/messages.po")):
        name = po_path.parent.parent.name
        # Babel parses "zh_CN" as "zh_Hans_CN" and looks for that folder, so compile there too.
        targets = {po_path.with_suffix(".mo"), root / str(Locale.parse(name)) / "LC_MESSAGES" / "messages.mo"}
        stale = [mo for mo in sorted(targets) if not mo.exists() or mo.stat().st_mtime < po_path.stat().st_mtime]
        if not stale:
            continue
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=name)
        for mo_path in stale:
            mo_path.parent.mkdir(parents=True, exist_ok=True)
            tmp = mo_path.with_suffix(".mo.tmp")
            with tmp.open("wb") as out:
                write_mo(out, catalog)
            tmp.replace(mo_path)
            written.append(mo_path)
    return written


_WORD_PARAMS = frozenset({"what", "status", "current", "new"})


def localized_message(template: str, params: Mapping[str, object], fallback: str) -> str:
    """Return a stored message in the viewer's language: ``template`` filled with ``params`` if given."""
    if template and params:
        # These parameters hold words from the catalogue (the file a scorer read, "joining a team", a status
        # such as "disqualified"): they are translated too.
        params = {
            name: str(gettext(value)) if name in _WORD_PARAMS and isinstance(value, str) and value else value
            for name, value in params.items()
        }
        try:
            return str(gettext(template, **params))
        except (KeyError, TypeError, ValueError):  # a translation that does not fit its parameters
            return fallback
    return str(gettext(fallback)) if fallback else fallback


def localized(error: ArenaError) -> str:
    """Return a domain error's message in the viewer's language (the English template when untranslated)."""
    return localized_message(error.template, error.params, error.message)
