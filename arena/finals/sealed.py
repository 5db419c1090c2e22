"""A final's sealed test sets: hidden inputs and a key, per source phase, that reproduction runs and scores on.

A sealed set belongs to a code track that feeds the final. Its key is checked at once against the track's
scorer as a phase's hidden key is (ids unique, labels within the declared set); inputs and key are kept in
the blob store by their hashes and are never served to anyone. Providing or removing a set clears the
reproductions already made of that phase's finalists, because they ran on other data.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from arena import audit
from arena.challenges import check_key
from arena.enums import FinalStatus, TrackKind
from arena.errors import Conflict, FileTooLarge, InvalidArchive, InvalidInput, NotFound
from arena.finals.access import check, get_final
from arena.models import Final, Finalist, FinalSealedSet, Phase, User
from arena.permissions import Action
from arena.storage import BlobStore, TooLarge
from sandbox.archives import ArchiveError, extract_archive

MAX_INPUTS_BYTES = 2 * 1024 * 1024 * 1024
MAX_INPUTS_FILES = 200_000
MAX_LABELS_BYTES = 200 * 1024 * 1024


def sealed_sets(session: Session, final_id: int) -> list[FinalSealedSet]:
    """The final's sealed test sets, in the order of its source phases."""
    final = get_final(session, final_id)
    rows = {
        row.phase_id: row for row in session.scalars(select(FinalSealedSet).where(FinalSealedSet.final_id == final_id))
    }
    return [rows[phase_id] for phase_id in final.source_phase_ids if phase_id in rows]


def sealed_set_for(session: Session, final_id: int, phase_id: int | None) -> FinalSealedSet | None:
    """The sealed test set of one source phase of the final, or None."""
    if phase_id is None:
        return None
    query = select(FinalSealedSet).where(FinalSealedSet.final_id == final_id, FinalSealedSet.phase_id == phase_id)
    return session.scalar(query)


def _source_phase(session: Session, final: Final, phase_id: int) -> Phase:
    phase = session.get(Phase, phase_id) if phase_id in final.source_phase_ids else None
    if phase is None:
        raise InvalidInput("choose a phase that feeds the final", field="phase_id")
    if phase.track.kind != TrackKind.CODE:
        raise InvalidInput("a sealed test set is for a code track, whose code runs on its inputs", field="phase_id")
    if phase.track.scoring_program_sha256:
        raise InvalidInput(
            "a sealed test set is scored by a built-in scorer; this track has its own scoring program",
            field="phase_id",
        )
    return phase


def _changeable(final: Final) -> None:
    if final.status in (FinalStatus.LOCKED, FinalStatus.REVEALED):
        raise Conflict("the final is locked; its sealed test sets can no longer change")


def _clear_reproductions(session: Session, final: Final, phase_id: int) -> list[int]:
    """Forget the reproductions of the phase's finalists (they ran on other data); return their ids."""
    query = select(Finalist).where(Finalist.final_id == final.id, Finalist.online_phase_id == phase_id)
    cleared = []
    for finalist in session.scalars(query):
        if finalist.rerun_id is not None or finalist.reproduction_status != "none":
            finalist.reproduction_status, finalist.reproduction_result, finalist.rerun_id = "none", {}, None
            cleared.append(finalist.id)
    return cleared


def check_sealed_key(phase: Phase, labels: bytes) -> int:
    """Check a sealed key against the phase's track like a hidden key; return its number of rows."""
    key = check_key(labels, phase.track)
    if len(key) < 1:
        raise InvalidInput("the sealed key has no rows", field="labels")
    return len(key)


def provide_sealed_set(
    session: Session,
    store: BlobStore,
    user: User,
    final_id: int,
    phase_id: int,
    inputs: Path,
    labels: bytes,
) -> FinalSealedSet:
    """Check and store a sealed test set for a source phase, replacing any earlier one (organizers; audited)."""
    final = get_final(session, final_id)
    check(session, user, Action.MANAGE_FINAL, final)
    _changeable(final)
    phase = _source_phase(session, final, phase_id)
    if not inputs.is_dir() or not any(inputs.iterdir()):
        raise InvalidInput("the sealed inputs folder is empty", field="inputs")
    cases = check_sealed_key(phase, labels)
    inputs_sha, labels_sha = store.put_tree(inputs), store.put_bytes(labels)
    row = sealed_set_for(session, final.id, phase.id)
    if row is None:
        row = FinalSealedSet(final_id=final.id, phase_id=phase.id, inputs_sha256=inputs_sha, labels_sha256=labels_sha)
        session.add(row)
    elif (row.inputs_sha256, row.labels_sha256) == (inputs_sha, labels_sha):
        return row
    row.inputs_sha256, row.labels_sha256, row.cases = inputs_sha, labels_sha, cases
    row.source, row.provided_by_id = "upload", user.id
    cleared = _clear_reproductions(session, final, phase.id)
    session.flush()
    audit.record(
        session,
        "final.sealed_set_provided",
        actor_id=user.id,
        challenge_id=final.challenge_id,
        target_type="final",
        target_id=final.id,
        phase_id=phase.id,
        cases=cases,
        inputs_sha256=inputs_sha,
        labels_sha256=labels_sha,
        source="upload",
        reproductions_cleared=cleared,
    )
    return row


def upload_sealed_set(  # noqa: PLR0913
    session: Session,
    store: BlobStore,
    user: User,
    final_id: int,
    phase_id: int,
    inputs_archive: BinaryIO,
    labels: BinaryIO,
) -> FinalSealedSet:
    """Provide a sealed set from an uploaded archive of the inputs folder (zip or tar.gz) and a key file."""
    check(session, user, Action.MANAGE_FINAL, get_final(session, final_id))
    key = labels.read(MAX_LABELS_BYTES + 1)
    if len(key) > MAX_LABELS_BYTES:
        raise FileTooLarge("the sealed key is larger than %(bytes)s bytes", params={"bytes": MAX_LABELS_BYTES})
    try:
        staged = store.stage(inputs_archive, MAX_INPUTS_BYTES)
    except TooLarge:
        raise FileTooLarge(
            "the archive of sealed inputs is larger than %(bytes)s bytes", params={"bytes": MAX_INPUTS_BYTES}
        ) from None
    with staged, tempfile.TemporaryDirectory(dir=staged.path.parent, prefix="sealed-") as folder:
        try:
            extract_archive(
                staged.path,
                Path(folder) / "inputs",
                max_files=MAX_INPUTS_FILES,
                max_total_bytes=MAX_INPUTS_BYTES,
                max_file_bytes=MAX_INPUTS_BYTES,
            )
        except ArchiveError as exc:
            raise InvalidArchive(exc.template, field="inputs", params=exc.params) from None
        return provide_sealed_set(session, store, user, final_id, phase_id, Path(folder) / "inputs", key)


def remove_sealed_set(session: Session, user: User, final_id: int, phase_id: int) -> None:
    """Remove a source phase's sealed set: reproduction runs on the phase's own hidden data again (audited)."""
    final = get_final(session, final_id)
    check(session, user, Action.MANAGE_FINAL, final)
    _changeable(final)
    row = sealed_set_for(session, final.id, phase_id)
    if row is None:
        raise NotFound("this phase has no sealed test set")
    session.delete(row)
    cleared = _clear_reproductions(session, final, phase_id)
    audit.record(
        session,
        "final.sealed_set_removed",
        actor_id=user.id,
        challenge_id=final.challenge_id,
        target_type="final",
        target_id=final.id,
        phase_id=phase_id,
        reproductions_cleared=cleared,
    )
