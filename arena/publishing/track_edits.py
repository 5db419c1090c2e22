"""Editing a track's fields from the console: titles, kind, scorer and options, columns and declared targets.

Every field is checked by the bundle importer's own functions (same messages), and every hidden key already
stored must still pass the key check with the new fields, else the edit is refused naming the phase. A change
that alters scores (scorer, options, direction, columns, targets) after a phase of the track opened needs a
reason; it is audited with before and after, announced to the participants, and every phase with submissions
is rescored under a new score version. A title change is audited and needs no reason.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import scorers
from arena import audit
from arena import evaluation as evaluation_service
from arena.challenges import (
    PROGRAM_SCORER,
    InvalidKey,
    Problems,
    read_kind,
    read_scoring,
    read_target_columns,
    read_targets,
    resolved_targets,
)
from arena.challenges import check_key as check_key_targets
from arena.errors import ArenaError, BundleError, InvalidInput
from arena.models import Phase, Submission, Track
from arena.publishing.datafiles import check_key
from arena.publishing.phase_edits import tell_participants
from arena.settings import Settings
from arena.storage import BlobStore

TRACK_FIELDS = ("title", "kind", "scorer", "scorer_options", "direction", "id_column", "target_columns", "targets")
# The fields whose change alters participants' scores.
SCORING = ("scorer", "scorer_options", "direction", "id_column", "target_columns", "targets")
PROGRAM_NEEDS_BUNDLE = "a scoring program comes with its files in a bundle: import the bundle again to use one"
KIND_LOCKED = "cannot change once the track has submissions"
INPUTS_NEEDED = "is required for a track of kind 'code': import the bundle with this phase's inputs folder"
LABEL_FILE = "give the labels as a list here; taking them from a file needs a bundle import"
_KEY_FIELD = re.compile(r"^\.?phases\[(\d+)\]\.labels$")


@dataclass(frozen=True)
class TrackFields:
    """A track's checked editable fields, in their stored form (``targets`` resolved as the importer stores them)."""

    title: dict[str, str]
    kind: str
    scorer: str
    scorer_options: dict[str, Any]
    direction: str
    id_column: str
    target_columns: list[str]
    targets: dict[str, Any]


@dataclass(frozen=True)
class TrackEdit:
    """What a track edit did: the changed fields (before, after) and the rescores it started."""

    track_id: int
    changed: dict[str, tuple[Any, Any]]
    rescore_run_ids: list[int]


def parse_mapping(raw: Any, field: str) -> dict[str, Any]:
    """Read a mapping given as such or as YAML text (empty text: none); BundleError naming ``field`` otherwise."""
    if isinstance(raw, str):
        if not raw.strip():
            return {}
        try:
            raw = yaml.safe_load(raw)
        except yaml.YAMLError as exc:
            raise BundleError([(field, f"is not valid YAML: {exc}")]) from None
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise BundleError([(field, "must be a mapping")])
    return raw


def declared_targets(targets: dict[str, Any] | None) -> dict[str, Any]:
    """A track's stored targets as a bundle declares them (``truth`` is the scorer's own, never declared)."""
    return {column: {k: v for k, v in spec.items() if k != "truth"} for column, spec in (targets or {}).items()}


def track_entry(track: Track) -> dict[str, Any]:
    """The track's editable fields as a bundle track entry (the shape the importer reads)."""
    return {
        "title": dict(track.title),
        "kind": track.kind,
        "scorer": track.scorer,
        "scorer_options": dict(track.scorer_options or {}),
        "direction": track.direction,
        "id_column": track.id_column,
        "target_columns": list(track.target_columns),
        "targets": declared_targets(track.targets),
    }


def _stored(track: Track) -> dict[str, Any]:
    """The track's fields as stored, its targets over the scorer's defaults (as the importer stores them)."""
    try:
        targets = scorers.targets_dict(resolved_targets(track, track.targets))
    except scorers.ScorerConfigError:
        targets = dict(track.targets or {})
    return {**track_entry(track), "targets": targets}


def _phase_name(phase: Phase) -> str:
    return f"{phase.title.get('en') or phase.slug} ({phase.slug})"


def _refused_key(phase: Phase, message: str) -> tuple[str, str]:
    return f"phases.{phase.slug}.labels", f"the hidden key of phase {_phase_name(phase)} would be refused: {message}"


def read_fields(
    p: Problems, entry: dict[str, Any], store: BlobStore, phases: list[Phase], *, program_kept: bool
) -> TrackFields | None:
    """Check a track entry's fields with the importer's checks, then every stored key of ``phases`` against them.

    ``program_kept`` says the track already has its scoring program (the console cannot upload one).
    """
    # The importer names a track's fields after "tracks[i]"; here they stand alone.
    q = Problems()
    title = q.translated(entry, "title", "")
    kind = read_kind(q, entry, "")
    scorer, options, direction = read_scoring(q, entry, "")
    target_columns = read_target_columns(q, entry, "")
    id_column = q.string(entry, "id_column", "")
    for field, message in q.items:
        p.add(field.lstrip("."), message)
    if scorer == PROGRAM_SCORER and not program_kept:
        p.add("scorer", PROGRAM_NEEDS_BUNDLE)
    declared = entry.get("targets") or {}
    if isinstance(declared, dict):
        for column, spec in declared.items():
            if isinstance(spec, dict) and isinstance(spec.get("labels"), dict):
                p.add(f"targets.{column}.labels", LABEL_FILE)
    if p:
        return None
    candidate = Track(scorer=scorer, scorer_options=options, id_column=id_column, target_columns=target_columns)
    keyed = [phase for phase in phases if phase.labels_sha256]
    for phase in keyed:
        try:
            check_key(candidate, store.read_bytes(phase.labels_sha256))
        except ArenaError as error:
            p.add(*_refused_key(phase, error.message))
    if p:
        return None
    checked = Problems()
    item = {**entry, "scorer": scorer, "scorer_options": options}
    paths = [store.path_for(phase.labels_sha256) for phase in keyed]
    targets = read_targets(
        checked, item, "", store.root, id_column=id_column, target_columns=target_columns, keys=paths
    )
    for field, message in checked.items:
        found = _KEY_FIELD.match(field)
        if found:
            p.add(*_refused_key(keyed[int(found.group(1))], message))
        else:
            p.add(field.lstrip("."), message)
    if p:
        return None
    return TrackFields(
        title=title,
        kind=str(kind),
        scorer=scorer,
        scorer_options=dict(options),
        direction=direction,
        id_column=id_column,
        target_columns=target_columns,
        targets=targets,
    )


def changed_fields(track: Track, fields: TrackFields) -> dict[str, tuple[Any, Any]]:
    """The fields that ``fields`` would change, with their values before and after."""
    before, after = _stored(track), asdict(fields)
    return {key: (before[key], after[key]) for key in TRACK_FIELDS if before[key] != after[key]}


def scoring_changes(track: Track, fields: TrackFields) -> list[str]:
    """The changed fields that alter scores (these need a reason once a phase of the track has opened)."""
    changed = changed_fields(track, fields)
    return [key for key in SCORING if key in changed]


def submission_count(session: Session, track: Track, phase: Phase | None = None) -> int:
    """How many submissions the track's phases (or only ``phase``) hold."""
    ids = [phase.id] if phase is not None else [ph.id for ph in track.phases]
    if not ids:
        return 0
    return session.scalar(select(func.count(Submission.id)).where(Submission.phase_id.in_(ids))) or 0


def merged_entry(track: Track, changes: dict[str, Any]) -> dict[str, Any]:
    """The track's entry with ``changes`` over it.

    A new scorer brings its own direction and its own targets (derived again from the keys) unless given.
    """
    entry = track_entry(track)
    if changes.get("scorer", track.scorer) != track.scorer:
        for key in ("direction", "targets"):
            if key not in changes:
                entry.pop(key)
    entry.update({key: value for key, value in changes.items() if key in TRACK_FIELDS})
    return entry


def check_track(
    session: Session, store: BlobStore, track: Track, changes: dict[str, Any]
) -> tuple[TrackFields | None, list[tuple[str, str]]]:
    """Merge ``changes`` (bundle keys) into the track and check it as the importer would, keys included."""
    p = Problems()
    p.unknown_keys(changes, set(TRACK_FIELDS), "")
    entry = merged_entry(track, changes)
    fields = read_fields(p, entry, store, list(track.phases), program_kept=track.scorer == PROGRAM_SCORER)
    if fields is not None and fields.kind != track.kind:
        if submission_count(session, track):
            p.add("kind", KIND_LOCKED)
        elif fields.kind == "code":
            for phase in track.phases:
                if not phase.inputs_sha256:
                    p.add(f"phases.{phase.slug}.inputs", INPUTS_NEEDED)
    return (None if p else fields), p.items


def _apply(track: Track, fields: TrackFields) -> None:
    if fields.kind != track.kind:
        # What one kind keeps for its phases the other cannot read: code inputs, archives as references.
        track.runner = {} if fields.kind == "result" else {"image": "", "runtime": "", "limits": {}}
        for phase in track.phases:
            if fields.kind == "result":
                phase.inputs_sha256 = ""
            phase.sample_sha256 = phase.baseline_sha256 = ""
    if track.scorer == PROGRAM_SCORER and fields.scorer != PROGRAM_SCORER:
        track.scoring_program_sha256 = ""
    for key, value in asdict(fields).items():
        setattr(track, key, value)


def edit_track(  # noqa: PLR0913
    session: Session,
    settings: Settings,
    store: BlobStore,
    track: Track,
    changes: dict[str, Any],
    *,
    actor_id: int | None,
    reason: str,
    now: datetime,
) -> TrackEdit:
    """Apply ``changes`` to the track or raise (BundleError with every problem; InvalidInput for a missing reason).

    Commits when something changed; a change to scoring rescores every phase with submissions.
    """
    fields, problems = check_track(session, store, track, changes)
    if problems or fields is None:
        raise BundleError(problems)
    changed = changed_fields(track, fields)
    if not changed:
        return TrackEdit(track_id=track.id, changed={}, rescore_run_ids=[])
    scoring = [key for key in SCORING if key in changed]
    started = [phase for phase in track.phases if now >= phase.opens_at]
    reason = reason.strip()[:2000]
    if scoring and started and not reason:
        raise InvalidInput(
            "a phase of this track has opened: say why %(fields)s change (participants' scores will change)",
            field="reason",
            params={"fields": ", ".join(scoring)},
        )
    _apply(track, fields)
    audit.record(
        session,
        "track.changed",
        actor_id=actor_id,
        challenge_id=track.challenge_id,
        target_type="track",
        target_id=track.id,
        before={key: b for key, (b, _a) in changed.items()},
        after={key: a for key, (_b, a) in changed.items()},
        reason=reason,
    )
    session.flush()
    if scoring and started:
        tell_participants(session, started[0], scoring, reason)
    session.commit()
    runs: list[int] = []
    if scoring:
        for phase in track.phases:
            submitted = session.scalar(select(func.count(Submission.id)).where(Submission.phase_id == phase.id))
            if submitted:
                run = evaluation_service.rescore_phase(
                    session, settings, phase, reason=reason or "the track's scoring changed", requested_by_id=actor_id
                )
                runs.append(run.id)
        session.commit()
    return TrackEdit(track_id=track.id, changed=changed, rescore_run_ids=runs)


def key_target_problem(track: Track, data: bytes) -> str | None:
    """Why a key does not fit the track's declared targets (labels outside the set, numbers out of range)."""
    try:
        check_key_targets(data, track)
    except InvalidKey as error:
        return error.message
    return None
