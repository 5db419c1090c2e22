"""Arena's ORM models, re-exported so one import registers them all."""

from arena.models.audit import AuditEvent
from arena.models.challenge import Challenge, ChallengeFile, Phase, Track
from arena.models.final import ConflictOfInterest, Final, Finalist, JudgeScore, RubricCriterion
from arena.models.submission import Score, Submission
from arena.models.team import Membership, Team
from arena.models.user import ApiToken, ChallengeRole, User

__all__ = [
    "ApiToken",
    "AuditEvent",
    "Challenge",
    "ChallengeFile",
    "ChallengeRole",
    "ConflictOfInterest",
    "Final",
    "Finalist",
    "JudgeScore",
    "Membership",
    "Phase",
    "RubricCriterion",
    "Score",
    "Submission",
    "Team",
    "Track",
    "User",
]
