"""Editing a challenge's pages (description, rules, data) in both languages, within the importer's limits."""

from __future__ import annotations

from sqlalchemy.orm import Session

from arena import audit
from arena.challenges import MAX_TEXT_BYTES, TEXT_PAGES
from arena.errors import BundleError
from arena.models import Challenge
from arena.storage import sha256_bytes

LANGS = ("en", "zh")
MAX_TEXT_KB = MAX_TEXT_BYTES // 1024
Pages = dict[str, dict[str, str]]


def text_problems(pages: Pages) -> list[tuple[str, str]]:
    """Every problem the importer would report for these pages, as (``text.page.lang``, message).

    Description and rules need both languages; the data page is optional but, when given, needs both too.
    """
    problems: list[tuple[str, str]] = []
    for page in TEXT_PAGES:
        langs = pages.get(page, {})
        given = [lang for lang in LANGS if langs.get(lang, "").strip()]
        if page == "data" and not given:
            continue
        for lang in LANGS:
            text = langs.get(lang, "")
            if not text.strip():
                problems.append((f"text.{page}.{lang}", "must be a non-empty text"))
            elif len(text.encode("utf-8")) > MAX_TEXT_BYTES:
                problems.append((f"text.{page}.{lang}", f"is larger than {MAX_TEXT_BYTES // 1024} KB"))
    return problems


def _cleaned(pages: Pages) -> Pages:
    out: Pages = {}
    for page in TEXT_PAGES:
        langs = {lang: pages.get(page, {}).get(lang, "").replace("\r\n", "\n") for lang in LANGS}
        if any(text.strip() for text in langs.values()):
            out[page] = langs
    return out


def update_texts(session: Session, challenge: Challenge, pages: Pages, *, actor_id: int | None) -> list[str]:
    """Replace the challenge's pages (BundleError lists every problem); return the pages that changed.

    The caller commits. The audit event holds each changed text's size and sha256 before and after.
    """
    problems = text_problems(pages)
    if problems:
        raise BundleError(problems)
    new = _cleaned(pages)
    old = challenge.text or {}
    changed = [page for page in TEXT_PAGES if old.get(page, {}) != new.get(page, {})]
    if not changed:
        return []
    challenge.text = new
    audit.record(
        session,
        "challenge.texts_changed",
        actor_id=actor_id,
        challenge_id=challenge.id,
        target_type="challenge",
        target_id=challenge.id,
        pages=changed,
        before={page: _digest(old.get(page, {})) for page in changed},
        after={page: _digest(new.get(page, {})) for page in changed},
    )
    session.flush()
    return changed


def _digest(langs: dict[str, str]) -> dict[str, str]:
    return {
        lang: f"{len(text.encode())} bytes, sha256 {sha256_bytes(text.encode())[:12]}" for lang, text in langs.items()
    }
