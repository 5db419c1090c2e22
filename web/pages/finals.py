"""A challenge's on-site final in public: the declared formula and schedule, the revealed ranking, the projector
page and the printable certificate list."""
# mypy: allow-untyped-decorators

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, render_template
from sqlalchemy import select

from arena import finals
from arena.enums import FinalStatus
from arena.errors import NotFound
from arena.models import Final, Phase
from arena.permissions import Action, decide
from web import state
from web.auth.identity import page_user
from web.lookups import ChallengeContext, challenge_context

bp = Blueprint("finals", __name__)


@dataclass(frozen=True)
class FinalContext:
    """A challenge's final the caller may see, with the caller's facts."""

    challenge: ChallengeContext
    final: Final
    can_manage: bool


def final_of(challenge_id: int) -> Final | None:
    """The challenge's final (the first, when there are several), or None."""
    query = select(Final).where(Final.challenge_id == challenge_id).order_by(Final.id).limit(1)
    return state.session().scalar(query)


def final_context(slug: str) -> FinalContext:
    """Load the challenge's final; NotFound unless it exists and is announced (or the caller manages it)."""
    context = challenge_context(slug, page_user())
    final = final_of(context.challenge.id)
    can_manage = decide(context.actor, Action.MANAGE_FINAL)
    if final is None or (final.status == FinalStatus.DRAFT and not can_manage):
        raise NotFound("no final for challenge %(slug)s", params={"slug": slug})
    return FinalContext(context, final, can_manage)


def _sources(final: Final) -> list[Phase]:
    session = state.session()
    return [phase for pid in final.source_phase_ids if (phase := session.get(Phase, pid)) is not None]


def _ordered(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The ranked rows first (best first), then those a gate kept out."""
    return [r for r in rows if r["rank"] is not None] + [r for r in rows if r["rank"] is None]


@bp.route("/c/<slug>/final")
def show(slug: str) -> str:
    """The final's declared formula, schedule and rubric; after reveal, the ranking with every component."""
    context = final_context(slug)
    final = context.final
    revealed = final.status == FinalStatus.REVEALED
    result = finals.public_result(state.session(), page_user(), final.id) if revealed else None
    return render_template(
        "finals/show.html",
        challenge=context.challenge.challenge,
        final=final,
        can_manage=context.can_manage,
        sources=_sources(final),
        criteria=finals.rubric(state.session(), final.id),
        rows=_ordered(result["rows"]) if result else [],
        revealed=revealed,
        changes=finals.formula_changes(state.session(), final.id),
    )


@bp.route("/c/<slug>/final/present")
def present(slug: str) -> str:
    """The projector page: the ranking from last to first, one place at a time (organizers before reveal)."""
    context = final_context(slug)
    result = finals.public_result(state.session(), page_user(), context.final.id)
    ranked = [r for r in result["rows"] if r["rank"] is not None]
    return render_template(
        "finals/present.html",
        challenge=context.challenge.challenge,
        final=context.final,
        rows=list(reversed(ranked)),
        revealed=result["revealed"],
    )


@bp.route("/c/<slug>/final/certificates")
def certificates(slug: str) -> str:
    """A printable list of certificates, one per ranked finalist, once the result is revealed."""
    context = final_context(slug)
    if context.final.status != FinalStatus.REVEALED:
        raise NotFound("the result of this final is not revealed yet")
    result = finals.public_result(state.session(), page_user(), context.final.id)
    return render_template(
        "finals/certificates.html",
        challenge=context.challenge.challenge,
        final=context.final,
        rows=[r for r in result["rows"] if r["rank"] is not None],
    )


@bp.app_template_global()
def announced_final(challenge_id: int) -> Final | None:
    """The challenge's final once it is announced (for the link on the challenge page), else None."""
    final = final_of(challenge_id)
    return final if final is not None and final.status != FinalStatus.DRAFT else None
