"""An organizer's data files: public files with titles, and each phase's hidden key, checked at once.

The hidden key is stored like every blob (content-addressed) but is never a ``ChallengeFile``, so no
download route can reach it. A new key is checked against the track's scorer before anything changes; a
refused key leaves the old one in place. Replacing the key of a phase that has started needs a reason, is
audited and starts a rescore through the ordinary rescoring path.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath
from typing import BinaryIO

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import scorers
from arena import audit
from arena import evaluation as evaluation_service
from arena.challenges import resolved_targets
from arena.errors import Conflict, FileTooLarge, InvalidInput, NotFound
from arena.models import Challenge, ChallengeFile, Phase, RescoreRun, Submission, Track
from arena.publishing.phase_edits import tell_participants
from arena.settings import Settings
from arena.storage import BlobStore, TooLarge, sha256_bytes

FILENAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$")
SAMPLE_NAME = "sample_submission.csv"
MAX_TITLE = 200
SHOWN_ROWS = 5


class KeyRefused(InvalidInput):
    """A hidden key that the track's scorer cannot use; the message names the first offending rows."""

    code = "key_refused"


@dataclass(frozen=True)
class KeyCheck:
    """A key that passed: how many rows it has and its columns."""

    rows: int
    columns: list[str]


@dataclass(frozen=True)
class KeyReplacement:
    """What replacing a key did."""

    phase_id: int
    rows: int
    rescore_run_id: int | None


def check_key(track: Track, data: bytes) -> KeyCheck:
    """Check a hidden key against the track: ids unique, columns present, truth values within declared targets."""
    if track.scorer != "program":
        try:
            scorers.get_scorer(track.scorer, track.scorer_options)
        except scorers.ScorerConfigError as exc:
            raise KeyRefused(
                "the track's scorer is misconfigured: %(reason)s", params={"reason": exc.message}
            ) from None
    try:
        targets = resolved_targets(track, track.targets)
        key = scorers.check_key(data, id_column=track.id_column, target_columns=track.target_columns, targets=targets)
    except scorers.ScorerConfigError as exc:
        rows = offending_rows(data, track.id_column, track.target_columns)
        raise KeyRefused(
            "the hidden key was refused and the previous key is kept: %(reason)s %(rows)s",
            params={"reason": exc.message, "rows": rows},
        ) from None
    if len(key) < 2:
        raise KeyRefused("the hidden key needs at least two rows so that it can be split into public and private parts")
    return KeyCheck(rows=len(key), columns=[track.id_column, *key.columns])


def offending_rows(data: bytes, id_column: str, target_columns: list[str]) -> str:
    """Describe the first rows with a repeated or empty id or an empty target (line numbers count the header)."""
    try:
        frame = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError):
        return ""
    if id_column not in frame.columns:
        return f"(header: {','.join(map(str, frame.columns))})"
    ids = frame[id_column].str.strip()
    parts = []
    repeated = ids[ids.duplicated(keep=False) & (ids != "")]
    if len(repeated):
        rows = [int(i) for i in repeated.index[:SHOWN_ROWS]]  # a RangeIndex: row positions
        shown = ", ".join(f"line {i + 2} ({ids.iloc[i]!r})" for i in rows)
        parts.append(f"repeated ids at {shown}")
    blank = [i for i in range(len(frame)) if not ids.iloc[i]]
    for column in target_columns:
        if column in frame.columns:
            blank += [i for i, v in enumerate(frame[column].str.strip()) if not v]
    if blank:
        parts.append("empty values at " + ", ".join(f"line {i + 2}" for i in sorted(set(blank))[:SHOWN_ROWS]))
    return f"(first offending rows: {'; '.join(parts)})" if parts else ""


def _started(phase: Phase, now: datetime) -> bool:
    return now >= phase.opens_at


def key_needs_reason(phase: Phase, now: datetime) -> bool:
    """Whether replacing this phase's key needs a reason (the phase has opened)."""
    return _started(phase, now)


def replace_key(  # noqa: PLR0913
    session: Session,
    settings: Settings,
    store: BlobStore,
    phase: Phase,
    data: bytes,
    *,
    actor_id: int | None,
    reason: str,
    now: datetime,
) -> KeyReplacement:
    """Check and install a new hidden key for ``phase``; once it has opened: a reason, a rescore and a notice.

    Commits. A refused key raises before anything changes.
    """
    checked = check_key(phase.track, data)
    sha = sha256_bytes(data)
    if sha == phase.labels_sha256:
        raise InvalidInput("this file is already the phase's hidden key; nothing changed")
    public = session.scalar(
        select(ChallengeFile.path).where(
            ChallengeFile.challenge_id == phase.track.challenge_id, ChallengeFile.sha256 == sha
        )
    )
    if public is not None:
        raise KeyRefused("the hidden key has the same content as the public file %(path)s", params={"path": public})
    reason = reason.strip()
    started = _started(phase, now)
    if started and not reason:
        raise InvalidInput(
            "this phase has opened: say why its hidden key changes (participants' scores will change)", field="reason"
        )
    store.put_bytes(data)
    old = phase.labels_sha256
    phase.labels_sha256, phase.labels_rows = sha, checked.rows
    audit.record(
        session,
        "phase.key_replaced",
        actor_id=actor_id,
        challenge_id=phase.track.challenge_id,
        target_type="phase",
        target_id=phase.id,
        old_sha256=old,
        new_sha256=sha,
        rows=checked.rows,
        reason=reason,
    )
    session.flush()
    if started:
        # A new key changes scores the participants have seen: they are told why.
        tell_participants(session, phase, ["key"], reason)
    submitted = session.scalar(select(func.count(Submission.id)).where(Submission.phase_id == phase.id)) or 0
    run: RescoreRun | None = None
    if started or submitted:
        run = evaluation_service.rescore_phase(
            session, settings, phase, reason=reason or "hidden key replaced", requested_by_id=actor_id
        )
    session.commit()
    return KeyReplacement(phase_id=phase.id, rows=checked.rows, rescore_run_id=run.id if run else None)


def _hidden_hashes(challenge: Challenge) -> set[str]:
    return {phase.labels_sha256 for track in challenge.tracks for phase in track.phases}


def _clean_titles(title_en: str, title_zh: str) -> dict[str, str]:
    titles = {"en": title_en.strip(), "zh": title_zh.strip()}
    for lang, text in titles.items():
        if not text:
            raise InvalidInput("give the file a title in English and in Chinese", field=f"title_{lang}")
        if len(text) > MAX_TITLE:
            raise InvalidInput(
                "a title may have at most %(n)s characters", field=f"title_{lang}", params={"n": MAX_TITLE}
            )
    return titles


def put_public_file(  # noqa: PLR0913
    session: Session,
    store: BlobStore,
    challenge: Challenge,
    stream: BinaryIO,
    *,
    filename: str,
    title_en: str,
    title_zh: str,
    max_bytes: int,
    actor_id: int | None,
    replace_id: int | None = None,
) -> ChallengeFile:
    """Upload a public file (or a new version of ``replace_id``) with its titles; the caller commits."""
    titles = _clean_titles(title_en, title_zh)
    existing = get_public_file(session, challenge, replace_id) if replace_id is not None else None
    if existing is None:
        name = PurePosixPath(filename.replace("\\", "/")).name.strip()
        if not FILENAME_RE.match(name):
            raise InvalidInput(
                "name the file with letters, digits, '.', '_' or '-' only (for example train.csv)", field="file"
            )
        path = f"public/{name}"
        if any(f.path == path for f in challenge.files):
            raise Conflict("a public file named %(name)s exists already; replace it instead", params={"name": name})
    else:
        path = existing.path
    try:
        staged = store.stage(stream, max_bytes)
    except TooLarge:
        raise FileTooLarge("the file is larger than %(limit)s bytes", params={"limit": max_bytes}) from None
    with staged:
        if staged.size == 0:
            raise InvalidInput("the file is empty", field="file")
        if staged.sha256 in _hidden_hashes(challenge):
            raise InvalidInput("this file has the same content as a hidden key; it can never be public", field="file")
        sha = staged.keep()
    row = existing or ChallengeFile(challenge_id=challenge.id, path=path, position=len(challenge.files))
    row.sha256, row.size, row.title = sha, staged.size, titles
    if existing is None:
        challenge.files.append(row)
    session.flush()
    audit.record(
        session,
        "challenge.file_replaced" if existing else "challenge.file_added",
        actor_id=actor_id,
        challenge_id=challenge.id,
        target_type="challenge_file",
        target_id=row.id,
        path=path,
        sha256=sha,
        size=staged.size,
    )
    return row


def get_public_file(session: Session, challenge: Challenge, file_id: int | None) -> ChallengeFile:
    """Return a public file of ``challenge`` or raise NotFound."""
    row = session.get(ChallengeFile, file_id) if file_id is not None else None
    if row is None or row.challenge_id != challenge.id:
        raise NotFound("no such file")
    return row


def remove_public_file(session: Session, challenge: Challenge, file_id: int, *, actor_id: int | None) -> str:
    """Remove a public file (never the last sample submission); return its path. The caller commits."""
    row = get_public_file(session, challenge, file_id)
    samples = [f for f in challenge.files if PurePosixPath(f.path).name == SAMPLE_NAME]
    if PurePosixPath(row.path).name == SAMPLE_NAME and len(samples) == 1:
        raise Conflict("participants need a sample_submission.csv; upload a new version instead of removing it")
    challenge.files.remove(row)
    for position, other in enumerate(challenge.files):
        other.position = position
    audit.record(
        session,
        "challenge.file_removed",
        actor_id=actor_id,
        challenge_id=challenge.id,
        target_type="challenge_file",
        target_id=file_id,
        path=row.path,
        sha256=row.sha256,
    )
    session.flush()
    return row.path
