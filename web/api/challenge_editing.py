"""Editing a challenge through the API (its organizers): pages, phase settings, scorer options, track fields,
adding and removing tracks and phases.

The same services as the console's pages; problems come in the bundle importer's words (error.problems).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from arena import publishing
from arena.errors import InvalidInput, NotFound
from arena.models import Phase, Track
from arena.permissions import Action, require
from arena.timestamps import rfc3339
from web import state
from web.api.requests import json_body, text_field
from web.auth.identity import api_user, required
from web.lookups import challenge_context

bp = Blueprint("challenge_editing", __name__)
PAGES = ("description", "rules", "data")
CONTROL = ("reason", "check_only")


def _managed(slug: str) -> Any:
    context = challenge_context(slug, required(api_user()))
    require(context.actor, Action.MANAGE_CHALLENGE, hide=True)
    return context


def _phase(phase_id: int) -> Phase:
    phase = state.session().get(Phase, phase_id)
    if phase is None:
        raise NotFound("no phase %(id)s", params={"id": phase_id})
    _managed(phase.track.challenge.slug)
    return phase


def _track(track_id: int) -> Track:
    track = state.session().get(Track, track_id)
    if track is None:
        raise NotFound("no track %(id)s", params={"id": track_id})
    _managed(track.challenge.slug)
    return track


def _plain(value: Any) -> Any:
    return rfc3339(value) if hasattr(value, "tzinfo") else value


def phase_settings(phase: Phase) -> dict[str, Any]:
    """The phase's editable settings as the API shows them (times in UTC)."""
    return {key: _plain(getattr(phase, publishing.COLUMNS.get(key, key))) for key in publishing.EDITABLE}


def _pages(data: dict[str, Any]) -> dict[str, dict[str, str]]:
    pages: dict[str, dict[str, str]] = {}
    for page in PAGES:
        value = data.get(page)
        if value is None:
            continue
        if not isinstance(value, dict) or not all(isinstance(value.get(lang, ""), str) for lang in ("en", "zh")):
            raise InvalidInput(f"'{page}' must be an object with 'en' and 'zh' Markdown texts", field=page)
        pages[page] = {"en": value.get("en", ""), "zh": value.get("zh", "")}
    unknown = sorted(set(data) - set(PAGES))
    if unknown:
        raise InvalidInput(f"unknown fields: {', '.join(unknown)}; send description, rules or data", field=unknown[0])
    return pages


@bp.patch("/challenges/<slug>/texts")
def edit_texts(slug: str) -> dict[str, Any]:
    """Replace the pages given (the others stay); ``{"data": {"en": "", "zh": ""}}`` removes the data page."""
    context = _managed(slug)
    session = state.session()
    challenge = context.challenge
    pages = {page: dict(langs) for page, langs in (challenge.text or {}).items()}
    pages.update(_pages(json_body()))
    changed = publishing.update_texts(session, challenge, pages, actor_id=required(api_user()).id)
    session.commit()
    return {"changed": changed, "text": challenge.text}


@bp.patch("/phases/<id:phase_id>")
def edit_phase(phase_id: int) -> dict[str, Any]:
    """Change a phase's settings (bundle keys; null clears an optional one); ``check_only`` just reports."""
    phase = _phase(phase_id)
    data = json_body()
    changes = {key: value for key, value in data.items() if key not in CONTROL}
    reason = text_field(data, "reason", required=False, max_length=2000)
    session = state.session()
    now = state.now()
    if data.get("check_only") is True:
        settings, problems = publishing.check_phase(phase, changes)
        unfair = publishing.unfair_changes(session, phase, settings, now) if settings and not problems else []
        return {"problems": [{"field": f, "message": m} for f, m in problems], "unfair": unfair}
    done = publishing.edit_phase(session, state.settings(), state.store(), phase, changes,
                                 actor_id=required(api_user()).id, reason=reason, now=now)  # fmt: skip
    return {
        "phase": {"id": phase.id, **phase_settings(phase)},
        "changed": {key: {"before": _plain(b), "after": _plain(a)} for key, (b, a) in done.changed.items()},
        "unfair": done.unfair,
        "rescore_run_id": done.rescore_run_id,
    }


@bp.patch("/tracks/<id:track_id>/scorer-options")
def edit_scorer_options(track_id: int) -> dict[str, Any]:
    """Replace a track's scorer options, checked by its scorer; a change rescores the phases with submissions."""
    track = _track(track_id)
    data = json_body()
    if "scorer_options" not in data:
        raise InvalidInput("'scorer_options' is required", field="scorer_options")
    reason = text_field(data, "reason", required=False, max_length=2000)
    done = publishing.edit_options(state.session(), state.settings(), track, data["scorer_options"],
                                   actor_id=required(api_user()).id, reason=reason, now=state.now())  # fmt: skip
    return {"track_id": track.id, "before": done.before, "after": done.after, "rescore_run_ids": done.rescore_run_ids}


def track_fields(track: Track) -> dict[str, Any]:
    """A track's editable fields as the API shows them (``targets`` as stored, with the scorer's defaults)."""
    return {"id": track.id, "slug": track.slug, **publishing.track_entry(track), "targets": track.targets}


def _phase_view(phase: Phase) -> dict[str, Any]:
    return {
        "id": phase.id,
        "slug": phase.slug,
        "title": dict(phase.title),
        "position": phase.position,
        "has_key": bool(phase.labels_sha256),
        "advancement": dict(phase.advancement or {}),
        **phase_settings(phase),
    }


def _listed(problems: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"field": f, "message": m} for f, m in problems]


@bp.patch("/tracks/<id:track_id>")
def edit_track(track_id: int) -> dict[str, Any]:
    """Change a track's fields (bundle keys); ``check_only`` reports problems and the changes needing a reason."""
    track = _track(track_id)
    data = json_body()
    changes = {key: value for key, value in data.items() if key not in CONTROL}
    reason = text_field(data, "reason", required=False, max_length=2000)
    session = state.session()
    if data.get("check_only") is True:
        fields, problems = publishing.check_track(session, state.store(), track, changes)
        scoring = publishing.scoring_changes(track, fields) if fields is not None else []
        return {"problems": _listed(problems), "scoring": scoring}
    done = publishing.edit_track(session, state.settings(), state.store(), track, changes,
                                 actor_id=required(api_user()).id, reason=reason, now=state.now())  # fmt: skip
    return {
        "track": track_fields(track),
        "changed": {key: {"before": b, "after": a} for key, (b, a) in done.changed.items()},
        "rescore_run_ids": done.rescore_run_ids,
    }


@bp.post("/challenges/<slug>/tracks")
def add_track(slug: str) -> tuple[dict[str, Any], int]:
    """Add a result track (slug, title, scorer and options, columns, targets); ``check_only`` just reports."""
    context = _managed(slug)
    data = json_body()
    entry = {key: value for key, value in data.items() if key != "check_only"}
    if data.get("check_only") is True:
        return {"problems": _listed(publishing.check_new_track(context.challenge, state.store(), entry))}, 200
    track = publishing.add_track(state.session(), state.store(), context.challenge, entry,
                                 actor_id=required(api_user()).id)  # fmt: skip
    return {"track": track_fields(track)}, 201


@bp.post("/tracks/<id:track_id>/phases")
def add_phase(track_id: int) -> tuple[dict[str, Any], int]:
    """Add a phase at the end of a track; ``labels_csv`` is its hidden key (required once published)."""
    track = _track(track_id)
    data = json_body()
    raw = data.get("labels_csv")
    if raw is not None and not isinstance(raw, str):
        raise InvalidInput("'labels_csv' must be the CSV file's text", field="labels_csv")
    key = raw.encode("utf-8") if raw else None
    entry = {key_: value for key_, value in data.items() if key_ not in ("check_only", "labels_csv")}
    session = state.session()
    if data.get("check_only") is True:
        _parts, problems = publishing.check_new_phase(session, track, entry, key)
        return {"problems": _listed(problems)}, 200
    phase = publishing.add_phase(session, state.store(), track, entry, key, actor_id=required(api_user()).id)
    return {"phase": _phase_view(phase)}, 201


@bp.delete("/tracks/<id:track_id>")
def remove_track(track_id: int) -> dict[str, Any]:
    """Remove a track whose phases have no submissions (never a published challenge's last track)."""
    track = _track(track_id)
    return {"removed": publishing.remove_track(state.session(), track, actor_id=required(api_user()).id)}


@bp.delete("/phases/<id:phase_id>")
def remove_phase(phase_id: int) -> dict[str, Any]:
    """Remove a phase without submissions and without phases admitting teams from it."""
    phase = _phase(phase_id)
    return {"removed": publishing.remove_phase(state.session(), phase, actor_id=required(api_user()).id)}
