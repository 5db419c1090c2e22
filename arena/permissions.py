"""Authorization in one place: who may do which action on what.

``decide`` is a pure function of facts about the actor and the resource, so the whole
policy is testable as a role × action matrix; ``actor_for`` gathers the actor's facts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from arena.enums import ChallengeRoleKind, SiteRoleKind
from arena.errors import Forbidden, NotFound, Unauthenticated
from arena.models import ChallengeRole, Membership, Phase, SiteRole, Team, User


class Action(StrEnum):
    """Everything a user can ask to do that is not open to the whole world."""

    VIEW_CHALLENGE = "view_challenge"
    DOWNLOAD_PUBLIC_FILE = "download_public_file"
    ENTER_CHALLENGE = "enter_challenge"
    VIEW_TEAM_PRIVATE = "view_team_private"
    SUBMIT = "submit"
    VIEW_SUBMISSION = "view_submission"
    VIEW_SUBMISSION_LOGS = "view_submission_logs"
    VIEW_PRIVATE_SCORE = "view_private_score"
    VIEW_PUBLIC_LEADERBOARD = "view_public_leaderboard"
    VIEW_PRIVATE_LEADERBOARD = "view_private_leaderboard"
    VIEW_ALL_SUBMISSIONS = "view_all_submissions"
    EXPORT = "export"
    MANAGE_CHALLENGE = "manage_challenge"
    IMPORT_CHALLENGE = "import_challenge"
    MANAGE_USERS = "manage_users"
    REVIEW_INTEGRITY = "review_integrity"
    RESCORE = "rescore"
    SELECT_FINAL_SUBMISSIONS = "select_final_submissions"
    MODERATE = "moderate"
    VIEW_LIVE_LEADERBOARD = "view_live_leaderboard"
    MANAGE_TEAM = "manage_team"
    LEAVE_TEAM = "leave_team"
    RESPOND_INVITATION = "respond_invitation"
    MANAGE_PHASE_ENTRIES = "manage_phase_entries"
    MANAGE_FINAL = "manage_final"
    JUDGE_FINAL = "judge_final"
    VIEW_FINALIST_PACKET = "view_finalist_packet"
    SCORE_FINALIST = "score_finalist"
    VIEW_FINALIST_RECORD = "view_finalist_record"
    VIEW_FINAL_RESULT = "view_final_result"
    FILE_APPEAL = "file_appeal"
    CREATE_CHALLENGE = "create_challenge"
    BUILD_BUNDLE = "build_bundle"


@dataclass(frozen=True)
class Actor:
    """What the policy needs to know about the caller, for one challenge."""

    user_id: int | None = None
    is_admin: bool = False
    roles: frozenset[ChallengeRoleKind] = frozenset()
    team_id: int | None = None
    is_captain: bool = False
    # A site-level fact, gathered only for site-level questions (no challenge): may create challenges.
    is_creator: bool = False

    @property
    def is_authenticated(self) -> bool:
        """Whether the caller is logged in."""
        return self.user_id is not None

    @property
    def is_organizer(self) -> bool:
        """Whether the caller runs this challenge (organizer or site admin)."""
        return self.is_admin or ChallengeRoleKind.ORGANIZER in self.roles


ANONYMOUS = Actor()


@dataclass(frozen=True)
class Resource:
    """What the policy needs to know about the object acted on."""

    challenge_exists: bool = True
    challenge_published: bool = True
    owner_team_id: int | None = None
    phase_ended: bool = False
    logs_hidden: bool = False
    file_available: bool = True
    invitee_id: int | None = None
    team_admitted: bool = True
    # A final and one of its finalists: who judges the final, who is conflicted with or assigned the finalist
    # (None: every judge is assigned), and whether the result is revealed.
    final_judge_ids: frozenset[int] = frozenset()
    conflicted_judge_ids: frozenset[int] = frozenset()
    assigned_judge_ids: frozenset[int] | None = None
    final_revealed: bool = False

    @classmethod
    def of_phase(
        cls,
        *,
        challenge_published: bool,
        closes_at: datetime,
        hide_logs: bool,
        now: datetime,
        owner_team_id: int | None = None,
    ) -> Resource:
        """Describe a phase at ``now`` (and optionally an owning team) from its facts."""
        return cls(
            challenge_published=challenge_published,
            owner_team_id=owner_team_id,
            phase_ended=now >= closes_at,
            logs_hidden=hide_logs,
        )


def decide(actor: Actor, action: Action, resource: Resource = Resource()) -> bool:  # noqa: B008
    """Return whether ``actor`` may perform ``action`` on ``resource``."""
    staff = actor.is_organizer
    visible = resource.challenge_published or staff or ChallengeRoleKind.JUDGE in actor.roles
    own = actor.team_id is not None and actor.team_id == resource.owner_team_id
    match action:
        case Action.MANAGE_USERS:
            return actor.is_admin
        case Action.IMPORT_CHALLENGE:
            # A new challenge may come from a creator; an existing one only from its organizers.
            return actor.is_admin or (staff if resource.challenge_exists else actor.is_creator)
        case Action.CREATE_CHALLENGE:
            return actor.is_admin or actor.is_creator
        case Action.BUILD_BUNDLE:
            # A bundle's build step runs on the server itself, outside any sandbox.
            return actor.is_admin
        case Action.VIEW_CHALLENGE | Action.VIEW_PUBLIC_LEADERBOARD:
            return visible
        case Action.DOWNLOAD_PUBLIC_FILE:
            return visible and (resource.file_available or staff)
        case Action.ENTER_CHALLENGE:
            return actor.is_authenticated and resource.challenge_published
        case Action.VIEW_TEAM_PRIVATE | Action.VIEW_SUBMISSION:
            return staff or own
        case Action.SUBMIT:
            return actor.is_authenticated and own and resource.challenge_published and resource.team_admitted
        case Action.MANAGE_TEAM:
            return own and actor.is_captain
        case Action.LEAVE_TEAM:
            return own
        case Action.RESPOND_INVITATION:
            return actor.is_authenticated and actor.user_id == resource.invitee_id
        case Action.VIEW_SUBMISSION_LOGS:
            return staff or (own and not resource.logs_hidden)
        case Action.VIEW_PRIVATE_SCORE | Action.VIEW_PRIVATE_LEADERBOARD:
            return staff or (visible and resource.phase_ended)
        case Action.VIEW_ALL_SUBMISSIONS | Action.EXPORT | Action.MANAGE_CHALLENGE | Action.MANAGE_PHASE_ENTRIES:
            return staff
        case Action.REVIEW_INTEGRITY | Action.RESCORE:
            return staff
        case Action.SELECT_FINAL_SUBMISSIONS:
            return actor.is_authenticated and own
        case Action.MODERATE | Action.VIEW_LIVE_LEADERBOARD | Action.MANAGE_FINAL:
            return staff
        case Action.JUDGE_FINAL:
            return staff or actor.user_id in resource.final_judge_ids
        case Action.VIEW_FINALIST_PACKET:
            return staff or _may_score(actor, resource)
        case Action.SCORE_FINALIST:
            # Organizers see every packet but score only where they were invited as judges.
            return _may_score(actor, resource)
        case Action.VIEW_FINALIST_RECORD:
            return staff or own
        case Action.VIEW_FINAL_RESULT:
            return staff or (visible and resource.final_revealed)
        case Action.FILE_APPEAL:
            return actor.is_authenticated and own
    return False


def _may_score(actor: Actor, resource: Resource) -> bool:
    """Whether the actor judges the final, is assigned the finalist and has no conflict with it."""
    if actor.user_id is None or actor.user_id not in resource.final_judge_ids:
        return False
    if actor.user_id in resource.conflicted_judge_ids:
        return False
    return resource.assigned_judge_ids is None or actor.user_id in resource.assigned_judge_ids


def actor_for(session: Session, user: User | None, challenge_id: int | None) -> Actor:
    """Collect the facts about ``user`` that matter within ``challenge_id``."""
    if user is None:
        return ANONYMOUS
    if challenge_id is None:
        creator = session.scalar(
            select(SiteRole.id).where(SiteRole.user_id == user.id, SiteRole.role == SiteRoleKind.CREATOR.value)
        )
        return Actor(user_id=user.id, is_admin=user.is_admin, is_creator=creator is not None)
    row = session.execute(
        select(Membership.team_id, Team.captain_id)
        .join(Team, Team.id == Membership.team_id)
        .where(Membership.user_id == user.id, Membership.challenge_id == challenge_id)
    ).first()
    return Actor(
        user_id=user.id,
        is_admin=user.is_admin,
        roles=roles_in(session, user.id, challenge_id),
        team_id=row.team_id if row else None,
        is_captain=row is not None and row.captain_id == user.id,
    )


# Actions open to anonymous readers where allowed: a refusal is not a request to log in.
PUBLIC_ACTIONS = frozenset({Action.VIEW_CHALLENGE, Action.VIEW_PUBLIC_LEADERBOARD, Action.VIEW_FINAL_RESULT})


def require(actor: Actor, action: Action, resource: Resource = Resource(), *, hide: bool = False) -> None:  # noqa: B008
    """Raise unless allowed: Unauthenticated for anonymous callers, else Forbidden (or NotFound if ``hide``)."""
    if decide(actor, action, resource):
        return
    if not actor.is_authenticated and action not in PUBLIC_ACTIONS:
        raise Unauthenticated("log in first")
    if hide:
        raise NotFound("not found")
    raise Forbidden("you are not allowed to do this")


def roles_in(session: Session, user_id: int, challenge_id: int) -> frozenset[ChallengeRoleKind]:
    """Return the roles a user holds in a challenge."""
    values = session.scalars(
        select(ChallengeRole.role).where(ChallengeRole.user_id == user_id, ChallengeRole.challenge_id == challenge_id)
    ).all()
    return frozenset(ChallengeRoleKind(v) for v in values)


def phase_resource(phase: Phase, now: datetime, owner_team_id: int | None = None) -> Resource:
    """Describe a phase (and optionally an owning team) for the permission policy."""
    return Resource.of_phase(
        challenge_published=phase.track.challenge.is_published,
        closes_at=phase.closes_at,
        hide_logs=phase.hide_logs,
        now=now,
        owner_team_id=owner_team_id,
    )
