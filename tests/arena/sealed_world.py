"""A code track whose closed phase feeds an announced final, and sealed test sets to give it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from arena import accounts, finals
from arena.db import utcnow
from arena.enums import ChallengeRoleKind
from arena.models import Challenge, Final, Finalist, Phase, User
from arena.storage import BlobStore
from tests.arena.finals_world import FORMULA, person
from tests.factories import accepted_unchecked, first_phase, make_challenge, make_team, mark_scored, zip_bytes

SEALED_IDS = [f"s{i}" for i in range(6)]


@dataclass
class CodeFinal:
    """A code track's closed phase feeding an announced final, with its organizer and one team's captain."""

    challenge: Challenge
    phase: Phase
    organizer: User
    captain: User
    final: Final


def code_final(session: Session, store: BlobStore, root: Path, *, kind: str = "code") -> CodeFinal:
    """Import a toy bundle of ``kind`` and create its announced final with an organizer and a team's captain."""
    challenge = make_challenge(session, store, root / "bundle", kind=kind)
    phase = first_phase(challenge)
    organizer = person(session, "org", email="org@sponsor.example")
    accounts.grant_role(session, challenge.id, organizer, ChallengeRoleKind.ORGANIZER)
    captain = person(session, "cap", email="cap@tju.edu.cn")
    make_team(session, captain, challenge, "team")
    final = finals.create_final(
        session, organizer, challenge, {"en": "Final", "zh": "总决赛"}, source_phase_ids=[phase.id], formula=FORMULA
    )
    finals.set_rubric(session, organizer, final.id, finals.rubric_template())
    finals.announce_final(session, organizer, final.id)
    session.commit()
    return CodeFinal(challenge, phase, organizer, captain, final)


def sealed_inputs(root: Path, ids: list[str] = SEALED_IDS) -> Path:
    """Write a sealed inputs folder (``ids.txt``) under ``root`` and return it."""
    folder = root / "sealed-inputs"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ids.txt").write_text("".join(f"{i}\n" for i in ids), encoding="utf-8")
    return folder


def key_of(rows: list[tuple[str, str]]) -> bytes:
    """Return a key file with the given (id, label) rows."""
    return ("id,label\n" + "".join(f"{i},{v}\n" for i, v in rows)).encode()


GOOD_KEY = key_of([(i, "a" if n % 2 else "b") for n, i in enumerate(SEALED_IDS)])


def finalist_with_code(session: Session, store: BlobStore, world: CodeFinal) -> Finalist:
    """Name the team a finalist (online score 0.8) with a scored code submission chosen; commit."""
    submission = accepted_unchecked(session, store, world.captain, world.phase, zip_bytes({"main.py": "print(1)"}))
    mark_scored(session, submission, 0.75, 0.8)
    world.phase.closes_at = utcnow()
    finalist = finals.add_finalist(session, world.organizer, world.final.id, submission.team_id, "the only team")
    finals.choose_code_submission(session, world.captain, finalist.id, submission.id)
    finalist.online_score = 0.8
    session.commit()
    return finalist
