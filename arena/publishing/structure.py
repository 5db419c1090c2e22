"""Adding and removing a challenge's tracks and phases from the console, checked as the bundle importer checks.

A new track is of kind ``result``; a new phase comes last in its track (an ``advancement`` may only name an
earlier phase, as in a bundle) with its hidden key now or later on the data page (now, once the challenge is
published). A track or phase is removed only while it has no submissions and nothing else depends on it.
"""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from arena import audit, boards
from arena.challenges import SETTING_KEYS, Problems, read_advancement, read_phase_settings
from arena.errors import ArenaError, BundleError, Conflict
from arena.models import Challenge, ChallengeFile, Final, Phase, Submission, Track
from arena.publishing.datafiles import check_key
from arena.publishing.track_edits import TRACK_FIELDS, key_target_problem, read_fields
from arena.storage import BlobStore, sha256_bytes

NEW_TRACK_KEYS = {"slug", *TRACK_FIELDS}
NEW_PHASE_KEYS = {"slug", "title", "advancement", *SETTING_KEYS}
NEW_TRACK_KIND = "a new track is of kind 'result'; a code track needs a runner and hidden inputs: import a bundle"
KEY_NOW = "is required: the challenge is published, so a new phase needs its hidden key now"


def _finish(p: Problems) -> None:
    if p:
        raise BundleError(p.items)


def check_new_track(challenge: Challenge, store: BlobStore, entry: dict[str, Any]) -> list[tuple[str, str]]:
    """The importer's problems with a new track entry (slug, title, scorer and options, columns, targets)."""
    return _read_new_track(challenge, store, entry)[1].items


def _read_new_track(challenge: Challenge, store: BlobStore, entry: dict[str, Any]) -> tuple[Any, Problems]:
    p = Problems()
    p.unknown_keys(entry, NEW_TRACK_KEYS, "")
    slug = p.slug(entry, "slug", "")
    if slug and any(track.slug == slug for track in challenge.tracks):
        p.add("slug", f"{slug!r} is used by another track")
    if entry.get("kind", "result") == "code":
        p.add("kind", NEW_TRACK_KIND)
    fields = read_fields(p, {"kind": "result", **entry}, store, [], program_kept=False)
    return (slug, fields), p


def add_track(
    session: Session, store: BlobStore, challenge: Challenge, entry: dict[str, Any], *, actor_id: int | None
) -> Track:
    """Add a result track at the end of the challenge (its phases come next); commits. BundleError lists problems."""
    (slug, fields), p = _read_new_track(challenge, store, entry)
    _finish(p)
    track = Track(
        challenge_id=challenge.id,
        slug=slug,
        kind="result",
        title=fields.title,
        scorer=fields.scorer,
        scorer_options=fields.scorer_options,
        direction=fields.direction,
        id_column=fields.id_column,
        target_columns=fields.target_columns,
        targets=fields.targets,
        runner={},
        position=len(challenge.tracks),
    )
    challenge.tracks.append(track)
    session.flush()
    audit.record(
        session,
        "track.added",
        actor_id=actor_id,
        challenge_id=challenge.id,
        target_type="track",
        target_id=track.id,
        slug=slug,
        title=fields.title,
        scorer=fields.scorer,
        scorer_options=fields.scorer_options,
    )
    session.commit()
    return track


def _key_problems(p: Problems, session: Session, track: Track, key: bytes | None, published: bool) -> None:
    if key is None:
        if published:
            p.add("labels", KEY_NOW)
        return
    try:
        check_key(track, key)
    except ArenaError as error:
        p.add("labels", error.message)
        return
    wrong = key_target_problem(track, key)
    if wrong:
        p.add("labels", wrong)
    public = session.scalar(
        select(ChallengeFile.path).where(
            ChallengeFile.challenge_id == track.challenge_id, ChallengeFile.sha256 == sha256_bytes(key)
        )
    )
    if public is not None:
        p.add("labels", f"has the same content as the public file {public}")


def check_new_phase(
    session: Session, track: Track, entry: dict[str, Any], key: bytes | None
) -> tuple[Any, list[tuple[str, str]]]:
    """Check a new phase entry (slug, title, settings, advancement) and its key as the importer would."""
    p = Problems()
    p.unknown_keys(entry, NEW_PHASE_KEYS, "")
    slug = p.slug(entry, "slug", "")
    if slug and any(phase.slug == slug for phase in track.phases):
        p.add("slug", f"{slug!r} is used by another phase of this track")
    settings = read_phase_settings(p, entry, "")
    title = p.translated(entry, "title", "")
    advancement = read_advancement(p, entry, "", [phase.slug for phase in track.phases])
    _key_problems(p, session, track, key, track.challenge.is_published)
    return (slug, title, settings, advancement), p.items


def add_phase(  # noqa: PLR0913
    session: Session,
    store: BlobStore,
    track: Track,
    entry: dict[str, Any],
    key: bytes | None,
    *,
    actor_id: int | None,
) -> Phase:
    """Add a phase at the end of the track, with its hidden key if given; commits. BundleError lists problems."""
    (slug, title, settings, advancement), problems = check_new_phase(session, track, entry, key)
    if problems or settings is None:
        raise BundleError(problems)
    source = next((ph for ph in track.phases if advancement and ph.slug == advancement.get("from")), None)
    rows = check_key(track, key).rows if key is not None else 0
    phase = Phase(
        track_id=track.id,
        slug=slug,
        title=title,
        opens_at=settings.opens,
        closes_at=settings.closes,
        daily_quota=settings.daily_quota,
        total_quota=settings.total_quota,
        concurrent_quota=settings.concurrent_quota,
        public_fraction=settings.public_fraction,
        split_seed=settings.split_seed or secrets.token_hex(16),
        labels_sha256=store.put_bytes(key) if key is not None else "",
        labels_rows=rows,
        hide_logs=settings.hide_logs,
        count_participant_failures=settings.count_participant_failures,
        freeze_at=settings.freeze_at,
        final_selection_max=settings.final_selection_max,
        use_ladder=settings.use_ladder,
        advancement=dict(advancement),
        previous_phase_id=source.id if source is not None else None,
        position=len(track.phases),
    )
    track.phases.append(phase)
    session.flush()
    if (phase.freeze_at, phase.final_selection_max, phase.use_ladder) != (None, None, False):
        boards.rebuild_phases(session, store, [phase])  # as the importer does for a new phase with board rules
    audit.record(
        session,
        "phase.added",
        actor_id=actor_id,
        challenge_id=track.challenge_id,
        target_type="phase",
        target_id=phase.id,
        track=track.slug,
        slug=slug,
        title=title,
        with_key=key is not None,
    )
    session.commit()
    return phase


def _final_sources(session: Session, challenge: Challenge) -> set[int]:
    finals = session.scalars(select(Final).where(Final.challenge_id == challenge.id))
    return {phase_id for final in finals for phase_id in final.source_phase_ids}


Why = tuple[str, dict[str, object]]


def _removal_problems(session: Session, phase: Phase, leaving: set[int]) -> list[Why]:
    """Why ``phase`` cannot go (other phases leaving with it, ``leaving``, do not count as dependents)."""
    why: list[Why] = []
    submitted = session.scalar(select(func.count(Submission.id)).where(Submission.phase_id == phase.id)) or 0
    if submitted:
        why.append(
            ("phase %(phase)s has %(n)s submissions and cannot be removed", {"phase": phase.slug, "n": submitted})
        )
    for other in phase.track.phases:
        if other.id not in leaving and (other.advancement or {}).get("from") == phase.slug:
            why.append(
                (
                    "phase %(other)s admits teams from phase %(phase)s: remove %(other)s first",
                    {"other": other.slug, "phase": phase.slug},
                )
            )
    if phase.id in _final_sources(session, phase.track.challenge):
        template = "the final takes its finalists from phase %(phase)s: change the final's sources first"
        why.append((template, {"phase": phase.slug}))
    return why


def _refuse(why: list[Why]) -> None:
    if why:
        template, params = why[0]
        raise Conflict(template, params=params)


def remove_phase(session: Session, phase: Phase, *, actor_id: int | None) -> str:
    """Remove a phase without submissions or dependents; return its slug; commits. Conflict says why not."""
    track = phase.track
    why = _removal_problems(session, phase, {phase.id})
    if track.challenge.is_published and len(track.phases) == 1:
        why.append(("a track of a published challenge keeps at least one phase: remove the track instead", {}))
    _refuse(why)
    slug, phase_id = phase.slug, phase.id
    track.phases.remove(phase)
    for position, other in enumerate(track.phases):
        other.position = position
    audit.record(
        session,
        "phase.removed",
        actor_id=actor_id,
        challenge_id=track.challenge_id,
        target_type="phase",
        target_id=phase_id,
        track=track.slug,
        slug=slug,
        title=dict(phase.title),
    )
    session.commit()
    return slug


def remove_track(session: Session, track: Track, *, actor_id: int | None) -> str:
    """Remove a track whose phases have no submissions; never the last of a published challenge; commits."""
    challenge = track.challenge
    leaving = {phase.id for phase in track.phases}
    why = [reason for phase in track.phases for reason in _removal_problems(session, phase, leaving)]
    if challenge.is_published and len(challenge.tracks) == 1:
        why.append(("a published challenge keeps at least one track", {}))
    _refuse(why)
    slug, track_id = track.slug, track.id
    phases = sorted(phase.slug for phase in track.phases)
    challenge.tracks.remove(track)
    for position, other in enumerate(challenge.tracks):
        other.position = position
    audit.record(
        session,
        "track.removed",
        actor_id=actor_id,
        challenge_id=challenge.id,
        target_type="track",
        target_id=track_id,
        slug=slug,
        title=dict(track.title),
        phases=phases,
    )
    session.commit()
    return slug


def structure_problems(challenge: Challenge) -> list[tuple[str, dict[str, object]]]:
    """What added tracks and phases still lack before publishing (message templates with parameters)."""
    problems: list[tuple[str, dict[str, object]]] = []
    if not challenge.tracks:
        problems.append(("the challenge has no track yet; add one", {}))
    for track in challenge.tracks:
        if not track.phases:
            problems.append(("track %(track)s has no phase yet; add one", {"track": track.slug}))
        for phase in track.phases:
            if not phase.labels_sha256:
                problems.append(
                    (
                        "phase %(phase)s has no hidden key yet; upload it on the data page",
                        {"phase": f"{track.slug}/{phase.slug}"},
                    )
                )
    return problems
