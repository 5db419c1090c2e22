"""A challenge whose phase has closed, four ranked teams, an organizer, and a final ready to name finalists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from arena import finals
from arena.accounts import users as accounts
from arena.boards import public_mask
from arena.db import utcnow
from arena.enums import ChallengeRoleKind
from arena.evaluation.pipeline import evaluate_submission
from arena.models import Challenge, Final, Phase, Submission, Team, User
from arena.settings import Settings
from arena.storage import BlobStore
from tests.factories import PASSWORD, answers, first_phase, make_challenge, make_team, upload

TRUTH = ["a" if i % 3 else "b" for i in range(20)]
FORMULA = {"weights": {"online": 0.6, "judges": 0.3, "reproduction": 0.1}, "tie_break": ["online", "judges"]}


@dataclass
class World:
    """Everything a finals test starts from."""

    challenge: Challenge
    phase: Phase
    organizer: User
    captains: list[User]
    teams: list[Team]
    submissions: list[Submission]
    final: Final


def person(session: Session, name: str, *, email: str | None = None, institution: str = "") -> User:
    """Create a user with an email and institution."""
    user = accounts.create_user(session, name, PASSWORD, email=email, institution=institution)
    session.commit()
    return user


def build(session: Session, settings: Settings, store: BlobStore, tmp_path: Path) -> World:
    """Four teams scored for real (private scores 1.0, 0.8, 0.6, 0.4), the phase closed, an announced final."""
    challenge = make_challenge(session, store, tmp_path / "bundle", labels=TRUTH)
    phase = first_phase(challenge)
    organizer = person(session, "org", email="org@sponsor.example")
    accounts.grant_role(session, challenge.id, organizer, ChallengeRoleKind.ORGANIZER)
    institutions = ["Tianjin University", "Nankai University", "Peking University", "Zhejiang University"]
    domains = ["tju.edu.cn", "nankai.edu.cn", "pku.edu.cn", "zju.edu.cn"]
    mask = public_mask([f"r{j}" for j in range(len(TRUTH))], phase.split_seed, phase.public_fraction)
    private = [j for j in range(len(TRUTH)) if not mask[j]]
    captains, teams, submitted = [], [], []
    for i in range(4):
        captain = person(session, f"cap{i}", email=f"cap{i}@{domains[i]}", institution=institutions[i])
        team = make_team(session, captain, challenge, f"team{i}")
        team.institution = institutions[i]
        # Team i gets 2·i private rows wrong: private scores 1.0, 0.8, 0.6, 0.4 whatever the split.
        wrong = set(private[: 2 * i])
        values = [("a" if v == "b" else "b") if j in wrong else v for j, v in enumerate(TRUTH)]
        submission = upload(session, store, captain, phase, answers(values))
        evaluate_submission(session, settings, store, submission.id)
        captains.append(captain)
        teams.append(team)
        submitted.append(submission)
    phase.closes_at = utcnow() - timedelta(minutes=1)
    session.commit()
    final = finals.create_final(
        session,
        organizer,
        challenge,
        {"en": "Final", "zh": "总决赛"},
        source_phase_ids=[phase.id],
        formula=FORMULA,
        appeal_deadline=utcnow() + timedelta(days=3),
        tolerance=1e-9,
    )
    finals.set_rubric(session, organizer, final.id, finals.rubric_template())
    finals.announce_final(session, organizer, final.id)
    session.commit()
    return World(challenge, phase, organizer, captains, teams, submitted, final)
