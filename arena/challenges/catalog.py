"""Reading challenges, phases and their public files."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from arena.errors import NotFound
from arena.models import Challenge, ChallengeFile, Phase, Track
from arena.permissions import Action, Actor, Resource, decide
from arena.storage import BlobStore


class PhaseState(StrEnum):
    """Where a phase stands in time."""

    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED = "closed"


def phase_state(phase: Phase, now: datetime) -> PhaseState:
    """Return whether ``phase`` is upcoming, open or closed at ``now``."""
    if now < phase.opens_at:
        return PhaseState.UPCOMING
    if now < phase.closes_at:
        return PhaseState.OPEN
    return PhaseState.CLOSED


def list_challenges(session: Session, actor: Actor | None = None) -> list[Challenge]:
    """Return the challenges the actor may see, newest first."""
    rows = session.scalars(select(Challenge).order_by(Challenge.created_at.desc(), Challenge.id.desc())).all()
    if actor is not None and actor.is_admin:
        return list(rows)
    return [c for c in rows if c.is_published]


def get_challenge(session: Session, slug: str) -> Challenge:
    """Return a challenge by slug or raise NotFound."""
    challenge = session.scalar(select(Challenge).where(Challenge.slug == slug))
    if challenge is None:
        raise NotFound("no challenge %(slug)s", params={"slug": repr(slug)})
    return challenge


def get_challenge_by_id(session: Session, challenge_id: int) -> Challenge:
    """Return a challenge by id or raise NotFound."""
    challenge = session.get(Challenge, challenge_id)
    if challenge is None:
        raise NotFound("no such challenge")
    return challenge


def get_phase(session: Session, phase_id: int) -> Phase:
    """Return a phase by id or raise NotFound."""
    phase = session.get(Phase, phase_id)
    if phase is None:
        raise NotFound("no phase %(id)s", params={"id": phase_id})
    return phase


def get_track(session: Session, track_id: int) -> Track:
    """Return a track by id or raise NotFound."""
    track = session.get(Track, track_id)
    if track is None:
        raise NotFound("no track %(id)s", params={"id": track_id})
    return track


def challenge_of_phase(phase: Phase) -> Challenge:
    """Return the challenge a phase belongs to."""
    return phase.track.challenge


def file_is_available(file: ChallengeFile, now: datetime) -> bool:
    """Whether a public file may be served at ``now``."""
    return file.available_from is None or file.available_from <= now


def visible_files(challenge: Challenge, actor: Actor, now: datetime) -> list[ChallengeFile]:
    """Return the public files the actor may download now."""
    return [
        f
        for f in challenge.files
        if decide(
            actor,
            Action.DOWNLOAD_PUBLIC_FILE,
            Resource(challenge_published=challenge.is_published, file_available=file_is_available(f, now)),
        )
    ]


@dataclass(frozen=True)
class Download:
    """A file ready to be sent: where it is and what to call it."""

    path: Path
    name: str
    size: int
    sha256: str = ""


def public_file_download(
    session: Session, store: BlobStore, challenge: Challenge, file_id: int, actor: Actor, now: datetime
) -> Download:
    """Return a public file of ``challenge`` the actor may download, or raise NotFound."""
    file = session.get(ChallengeFile, file_id)
    if file is None or file.challenge_id != challenge.id or file not in visible_files(challenge, actor, now):
        raise NotFound("no such file")
    return Download(path=store.path_for(file.sha256), name=Path(file.path).name, size=file.size, sha256=file.sha256)
