"""Arena's ORM models, re-exported so one import registers them all."""

from arena.models import notify as notify  # noqa: F401 - registers the PostgreSQL change triggers
from arena.models.audit import AuditEvent
from arena.models.board import LeaderboardEntry
from arena.models.challenge import Challenge, ChallengeFile, Phase, PhaseEntry, Track
from arena.models.demand import (
    Deal,
    Demand,
    DemandAttachment,
    DemandMatch,
    DemandResponse,
    DemandReview,
    Milestone,
    Organization,
    OrganizationMember,
    RespondentProfile,
    ResponseMessage,
    SiteRole,
    TermsAcceptance,
)
from arena.models.demand_stats import DemandStatMonth, DemandStatPresence
from arena.models.final import (
    Appeal,
    ConflictOfInterest,
    Final,
    Finalist,
    FinalJudge,
    FinalSealedSet,
    JudgeScore,
    PanelAssignment,
    RubricCriterion,
)
from arena.models.integrity import IntegritySignal, Rerun, RescoreRun
from arena.models.notification import Notification
from arena.models.publishing import DryRun
from arena.models.submission import Score, Submission
from arena.models.team import Membership, MergeRequest, Team, TeamInvitation
from arena.models.user import ApiToken, ChallengeRole, User

__all__ = [
    "Deal",
    "Demand",
    "DemandAttachment",
    "DemandMatch",
    "DemandResponse",
    "DemandReview",
    "DemandStatMonth",
    "DemandStatPresence",
    "Milestone",
    "Organization",
    "OrganizationMember",
    "RespondentProfile",
    "ResponseMessage",
    "SiteRole",
    "TermsAcceptance",
    "ApiToken",
    "Appeal",
    "AuditEvent",
    "Challenge",
    "ChallengeFile",
    "ChallengeRole",
    "ConflictOfInterest",
    "Final",
    "FinalJudge",
    "FinalSealedSet",
    "IntegritySignal",
    "LeaderboardEntry",
    "MergeRequest",
    "PanelAssignment",
    "PhaseEntry",
    "RescoreRun",
    "Rerun",
    "TeamInvitation",
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
    "DryRun",
    "Notification",
]
