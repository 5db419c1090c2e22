"""From demand to challenge: a demand with a bounty (悬赏) seeds a draft challenge, and each shows the other."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from arena import accounts, audit
from arena.demands.access import is_reviewer, is_sponsor_of, visible_demand
from arena.demands.forms import FieldReader
from arena.enums import ChallengeRoleKind, DemandStatus
from arena.errors import FormErrors, InvalidInput, NotFound
from arena.models import Challenge, Demand, User
from arena.permissions import roles_in

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$")
CONVERTIBLE = {
    DemandStatus.APPROVED,
    DemandStatus.PUBLISHED,
    DemandStatus.RESPONSES_CLOSED,
    DemandStatus.SELECTED,
}


def _convertible(session: Session, user: User, demand_id: int) -> Demand:
    demand = visible_demand(session, user, demand_id)
    if not (is_sponsor_of(session, user, demand) or is_reviewer(session, user)):
        raise NotFound("no such demand")
    if DemandStatus(demand.status) not in CONVERTIBLE:
        raise InvalidInput("only an approved or published demand can become a challenge")
    if demand.challenge_id is not None:
        raise InvalidInput("the demand already has a challenge")
    return demand


def _bounty(raw: dict[str, str]) -> tuple[int, list[int], FieldReader]:
    reader = FieldReader(raw)
    bounty = reader.money("bounty", required=True) or 0
    split: list[int] = []
    for piece in (raw.get("prize_split") or "").replace("，", ",").split(","):
        if piece.strip():
            if not piece.strip().isdigit():
                reader.problems.append(
                    ("prize_split", "list the prizes in yuan separated by commas, e.g. 50000, 30000", {})
                )
                break
            split.append(int(piece.strip()))
    if split and bounty and sum(split) != bounty:
        reader.problems.append(
            (
                "prize_split",
                "the prizes add up to %(sum)s yuan, not the bounty of %(bounty)s",
                {"sum": sum(split), "bounty": bounty},
            )
        )
    return bounty, split, reader


def to_challenge(session: Session, user: User, demand_id: int, raw: dict[str, str]) -> Challenge:
    """Create a draft challenge seeded with the demand's texts and its bounty; the user becomes its organizer."""
    demand = _convertible(session, user, demand_id)
    bounty, split, reader = _bounty(raw)
    slug = (raw.get("slug") or "").strip().lower()
    if not SLUG.match(slug):
        reader.problems.append(("slug", "use 3 to 64 lower-case letters, digits and hyphens", {}))
    elif session.scalar(select(Challenge.id).where(Challenge.slug == slug)) is not None:
        reader.problems.append(("slug", "a challenge with this slug exists", {}))
    if reader.problems:
        raise FormErrors(reader.problems)
    description = "\n\n".join(part for part in (demand.problem, demand.current_state, demand.indicators) if part)
    challenge = Challenge(
        slug=slug,
        title={"en": demand.title, "zh": demand.title},
        summary={"en": demand.summary, "zh": demand.summary},
        text={"description": {"en": description, "zh": description}},
        is_published=False,
    )
    session.add(challenge)
    session.flush()
    accounts.grant_role(session, challenge.id, user, ChallengeRoleKind.ORGANIZER, actor_id=user.id)
    _link(session, user, demand, challenge, bounty, split)
    return challenge


def link_challenge(session: Session, user: User, demand_id: int, slug: str, raw: dict[str, str]) -> Challenge:
    """Link an existing challenge (one the user organizes, or any for a site admin) to the demand, with its bounty."""
    demand = _convertible(session, user, demand_id)
    challenge = session.scalar(select(Challenge).where(Challenge.slug == slug.strip()))
    if challenge is None or not (
        user.is_admin or ChallengeRoleKind.ORGANIZER in roles_in(session, user.id, challenge.id)
    ):
        raise InvalidInput("no challenge you organize has this slug", field="slug")
    bounty, split, reader = _bounty(raw)
    reader.raise_if_any()
    _link(session, user, demand, challenge, bounty, split)
    return challenge


def _link(session: Session, user: User, demand: Demand, challenge: Challenge, bounty: int, split: list[int]) -> None:
    demand.challenge_id, demand.bounty, demand.prize_split = challenge.id, bounty, split
    audit.record(
        session,
        "demand.challenge_linked",
        actor_id=user.id,
        challenge_id=challenge.id,
        target_type="demand",
        target_id=demand.id,
        bounty=bounty,
        prize_split=split,
    )


def demand_of_challenge(session: Session, challenge_id: int) -> Demand | None:
    """The demand a challenge was created for, if any."""
    return session.scalar(select(Demand).where(Demand.challenge_id == challenge_id))
