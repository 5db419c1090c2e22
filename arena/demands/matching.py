"""Pushing a published demand to the respondents most likely to solve it: field match plus TF-IDF text similarity.

Texts are cut into words by jieba (Chinese) and kept whole otherwise, so one vocabulary serves both languages.
A respondent is described by its profile (fields, capabilities, track record) and the approaches of its past
responses; a demand by its title, summary, problem, current state and indicators.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import linear_kernel
from sqlalchemy import select
from sqlalchemy.orm import Session

from arena import notifications
from arena.db import utcnow
from arena.demands.access import organizations_of
from arena.demands.vocabulary import FIELDS
from arena.enums import DemandStatus, OrganizationKind
from arena.models import (
    Demand,
    DemandMatch,
    DemandResponse,
    Organization,
    OrganizationMember,
    RespondentProfile,
    User,
)

# What a matched respondent's members read in their inbox (and by e-mail where configured).
MATCHED = "A new demand matches your organization: %(title)s"
MATCHED_BODY = "Published in the field %(field)s; answers are taken until %(deadline)s."

FIELD_WEIGHT = 0.35
MIN_SCORE = 0.08
_WORD = re.compile(r"\w", re.UNICODE)


@cache
def _jieba() -> object:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def words(text: str) -> list[str]:
    """Cut a text into lower-case words: jieba for Chinese, whole words otherwise; punctuation dropped."""
    jieba = _jieba()
    cut = jieba.lcut(text.lower())  # type: ignore[attr-defined]
    return [w for w in (piece.strip() for piece in cut) if w and _WORD.search(w)]


@dataclass(frozen=True)
class Candidate:
    """A respondent as the matcher sees it."""

    organization_id: int
    fields: tuple[str, ...]
    text: str


@dataclass(frozen=True)
class Ranked:
    """A respondent's match score for one demand."""

    organization_id: int
    score: float


def demand_text(demand: Demand) -> str:
    """The words of a demand the matcher compares (the confidential details included: matching is internal)."""
    return "\n".join([demand.title, demand.summary, demand.problem, demand.current_state, demand.indicators])


def rank(field: str, text: str, candidates: Sequence[Candidate]) -> list[Ranked]:
    """Score each candidate for a demand: FIELD_WEIGHT for a shared field plus the cosine of their TF-IDF vectors."""
    if not candidates:
        return []
    vectorizer = TfidfVectorizer(tokenizer=words, lowercase=False, token_pattern=None, sublinear_tf=True)
    matrix = vectorizer.fit_transform([text, *(c.text or " " for c in candidates)])
    similarity = linear_kernel(matrix[0:1], matrix[1:]).ravel()
    scored = [
        Ranked(c.organization_id, round(float(similarity[i]) + (FIELD_WEIGHT if field in c.fields else 0.0), 6))
        for i, c in enumerate(candidates)
    ]
    return sorted(scored, key=lambda r: (-r.score, r.organization_id))


def candidates(session: Session, *, exclude: int | None = None) -> list[Candidate]:
    """Every respondent organization with a profile, described by its profile and its past responses."""
    rows = session.execute(
        select(
            Organization.id, RespondentProfile.fields, RespondentProfile.capabilities, RespondentProfile.track_record
        )
        .join(RespondentProfile, RespondentProfile.organization_id == Organization.id)
        .where(Organization.kind != OrganizationKind.ENTERPRISE.value)
        .order_by(Organization.id)
    ).all()
    past: dict[int, list[str]] = {}
    for respondent_id, approach in session.execute(
        select(DemandResponse.respondent_id, DemandResponse.approach).where(DemandResponse.status != "draft")
    ):
        past.setdefault(respondent_id, []).append(approach)
    found = []
    for organization_id, fields, capabilities, track_record in rows:
        if organization_id == exclude:
            continue
        names = " ".join(FIELDS.get(code, "") for code in fields)
        text = "\n".join([names, capabilities, track_record, *past.get(organization_id, [])])
        found.append(Candidate(organization_id, tuple(fields), text))
    return found


def push_matches(session: Session, demand_id: int, *, limit: int = 10, now: datetime | None = None) -> list[Ranked]:
    """Match a published demand to its best respondents and record the matches (their inbox); returns them."""
    demand = session.get(Demand, demand_id)
    if demand is None or demand.status != DemandStatus.PUBLISHED:
        return []
    ranked = [r for r in rank(demand.field, demand_text(demand), candidates(session, exclude=demand.sponsor_id))]
    chosen = [r for r in ranked if r.score >= MIN_SCORE][:limit]
    known = set(session.scalars(select(DemandMatch.respondent_id).where(DemandMatch.demand_id == demand.id)))
    fresh = [match for match in chosen if match.organization_id not in known]
    for match in fresh:
        session.add(
            DemandMatch(demand_id=demand.id, respondent_id=match.organization_id, score=match.score, at=now or utcnow())
        )
    session.flush()
    _tell(session, demand, [match.organization_id for match in fresh])
    return chosen


def _tell(session: Session, demand: Demand, organization_ids: list[int]) -> None:
    """Put the demand in the inbox of every member of the newly matched organizations."""
    if not organization_ids:
        return
    members = session.scalars(
        select(User)
        .join(OrganizationMember, OrganizationMember.user_id == User.id)
        .where(OrganizationMember.organization_id.in_(organization_ids))
    )
    deadline = demand.deadline.strftime("%Y-%m-%d %H:%M UTC") if demand.deadline else "—"
    notifications.notify(
        session,
        members,
        "demand.matched",
        MATCHED,
        body=MATCHED_BODY,
        params={"title": demand.title, "field": FIELDS.get(demand.field, demand.field), "deadline": deadline},
        link=f"/demands/{demand.id}",
    )


def inbox(session: Session, user: User) -> list[tuple[DemandMatch, Demand]]:
    """The demands pushed to the user's organizations that still take responses, newest first."""
    ids = [organization.id for organization in organizations_of(session, user.id)]
    if not ids:
        return []
    rows = session.execute(
        select(DemandMatch, Demand)
        .join(Demand, Demand.id == DemandMatch.demand_id)
        .where(DemandMatch.respondent_id.in_(ids), Demand.status == DemandStatus.PUBLISHED.value)
        .order_by(DemandMatch.at.desc(), DemandMatch.score.desc())
    ).all()
    return [(match, demand) for match, demand in rows]
