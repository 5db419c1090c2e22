"""Loading the objects a request is about, together with the caller's permissions on them."""

from __future__ import annotations

from dataclasses import dataclass

from arena import challenges as challenge_service
from arena import teams as team_service
from arena.challenges import QuotaStatus, quota_status
from arena.enums import Split
from arena.errors import InvalidInput
from arena.models import Challenge, Phase, Team, User
from arena.permissions import Action, Actor, Resource, actor_for, phase_resource, require
from web import state


@dataclass(frozen=True)
class ChallengeContext:
    """A challenge the caller may see, and the caller's facts within it."""

    challenge: Challenge
    actor: Actor
    user: User | None


@dataclass(frozen=True)
class PhaseContext:
    """A phase the caller may see, with its challenge and the caller's team."""

    phase: Phase
    challenge: Challenge
    actor: Actor
    user: User | None
    team: Team | None

    def resource(self, owner_team_id: int | None = None) -> Resource:
        """Describe the phase for the permission policy."""
        return phase_resource(self.phase, state.now(), owner_team_id=owner_team_id)

    def quota(self) -> QuotaStatus | None:
        """Return the caller's team quota in this phase, if the caller has a team."""
        if self.team is None:
            return None
        user_id = self.user.id if self.user else None
        return quota_status(state.session(), self.team.id, self.phase, state.now(), user_id=user_id)

    def admitted(self) -> bool:
        """Whether the caller's team may submit to this phase as far as staging goes (False without a team)."""
        return self.team is not None and challenge_service.is_admitted(state.session(), self.phase, self.team.id)


def _challenge_resource(challenge: Challenge) -> Resource:
    return Resource(challenge_published=challenge.is_published)


def challenge_context(slug: str, user: User | None) -> ChallengeContext:
    """Load a challenge by slug; NotFound unless the caller may see it."""
    session = state.session()
    challenge = challenge_service.get_challenge(session, slug)
    actor = actor_for(session, user, challenge.id)
    require(actor, Action.VIEW_CHALLENGE, _challenge_resource(challenge), hide=True)
    return ChallengeContext(challenge=challenge, actor=actor, user=user)


def challenge_context_for_id(challenge_id: int, user: User | None) -> ChallengeContext:
    """Load a challenge by id; NotFound unless the caller may see it."""
    slug = challenge_service.get_challenge_by_id(state.session(), challenge_id).slug
    return challenge_context(slug, user)


def phase_context(phase_id: int, user: User | None) -> PhaseContext:
    """Load a phase by id; NotFound unless the caller may see its challenge."""
    session = state.session()
    phase = challenge_service.get_phase(session, phase_id)
    challenge = phase.track.challenge
    actor = actor_for(session, user, challenge.id)
    require(actor, Action.VIEW_CHALLENGE, _challenge_resource(challenge), hide=True)
    team = team_service.team_of(session, user.id, challenge.id) if user else None
    return PhaseContext(phase=phase, challenge=challenge, actor=actor, user=user, team=team)


def parse_split(value: str | None) -> Split:
    """Return the leaderboard split named in a request (default public), or raise InvalidInput."""
    try:
        return Split((value or "public").strip().lower())
    except ValueError:
        raise InvalidInput("split must be 'public' or 'private'", field="split") from None


def leaderboard_action(split: Split) -> Action:
    """Return the permission needed to see a split's leaderboard."""
    return Action.VIEW_PRIVATE_LEADERBOARD if split == Split.PRIVATE else Action.VIEW_PUBLIC_LEADERBOARD
