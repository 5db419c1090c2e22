"""Shared pieces of the respondents' and sponsors' demand pages: form values, problems per field, choices."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import request
from flask_babel import lazy_gettext as _l

from arena.errors import ArenaError, FormErrors
from web.i18n import localized, localized_message

Problems = list[tuple[str, str, dict[str, object]]]

RESPONDENT_KINDS = {
    "university": _l("University"),
    "institute": _l("Research institute"),
    "company": _l("Company"),
    "individual": _l("Individual (with an organization)"),
}
DEAL_KINDS = {
    "development": _l("Technology development (技术开发)"),
    "transfer": _l("Technology transfer (技术转让)"),
    "license": _l("Technology licence (技术许可)"),
    "service": _l("Technical service (技术服务)"),
}
RESPONSE_STATES = {
    "draft": _l("draft"),
    "submitted": _l("submitted"),
    "shortlisted": _l("shortlisted"),
    "selected": _l("selected"),
    "not_selected": _l("not selected"),
    "withdrawn": _l("withdrawn"),
}


def raw_form(names: Iterable[str] | None = None) -> dict[str, str]:
    """The posted form as plain strings (only ``names`` when given)."""
    if names is None:
        return {key: request.form.get(key, "") for key in request.form}
    return {name: request.form.get(name, "") for name in names if name in request.form}


def by_field(problems: Problems) -> dict[str, list[str]]:
    """Each field's problems, translated into the viewer's language."""
    found: dict[str, list[str]] = {}
    for field, template, params in problems:
        found.setdefault(field, []).append(
            localized_message(template, params, template % params if params else template)
        )
    return found


def problems_of(error: ArenaError) -> Problems:
    """The problems of a domain error, each on its field ('' for the whole form)."""
    if isinstance(error, FormErrors):
        return error.problems
    return [(error.field or "", error.template, error.params)]


def message_of(error: ArenaError) -> str:
    """A domain error in the viewer's language."""
    return localized(error)


def checked_ids(prefix: str) -> list[int]:
    """The ids of the checkboxes named ``<prefix><id>`` that are ticked."""
    found = []
    for key in request.form:
        if key.startswith(prefix) and key[len(prefix) :].isdigit() and request.form.get(key):
            found.append(int(key[len(prefix) :]))
    return sorted(found)


def labels(choices: dict[str, Any]) -> dict[str, str]:
    """The choices with their labels as strings in the viewer's language."""
    return {code: str(label) for code, label in choices.items()}
