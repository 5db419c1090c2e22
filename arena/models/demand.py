"""Sponsors' technical demands: organizations, demands, reviews, respondents' responses, Q&A, deals and milestones."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from arena.db import Base, UTCDateTime, utcnow


class Organization(Base):
    """A sponsor (enterprise) or a respondent (lab, institute, company, individual with an organization)."""

    __tablename__ = "organization"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    region: Mapped[str] = mapped_column(String(64), default="", index=True)
    contact_name: Mapped[str] = mapped_column(String(100), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    # Set by a reviewer once the contact has been checked; only verified sponsors' demands can be submitted.
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class OrganizationMember(Base):
    """A user who acts for an organization."""

    __tablename__ = "organization_member"
    __table_args__ = (UniqueConstraint("organization_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SiteRole(Base):
    """A site-wide role outside any challenge: demand reviewer (技术经理人, expert) or technology broker."""

    __tablename__ = "site_role"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Demand(Base):
    """A technical problem a sponsor wants solved, from its draft to a signed contract."""

    __tablename__ = "demand"
    __table_args__ = (
        Index("ix_demand_status_published", "status", "published_at"),
        Index("ix_demand_field_status", "field", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sponsor_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"), index=True)
    filed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), default=None)
    # A technology broker who filed or mined the demand on the sponsor's behalf.
    broker_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), default=None)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    title: Mapped[str] = mapped_column(String(200), default="")
    field: Mapped[str] = mapped_column(String(32), default="")
    region: Mapped[str] = mapped_column(String(64), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    problem: Mapped[str] = mapped_column(Text, default="")
    current_state: Mapped[str] = mapped_column(Text, default="")
    indicators: Mapped[str] = mapped_column(Text, default="")
    # Money in whole yuan.
    budget_min: Mapped[int | None] = mapped_column(BigInteger, default=None)
    budget_max: Mapped[int | None] = mapped_column(BigInteger, default=None)
    intended_investment: Mapped[int | None] = mapped_column(BigInteger, default=None)
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    # Confidential demands show only the summary until a signed-in respondent accepts the terms.
    confidential: Mapped[bool] = mapped_column(Boolean, default=False)
    terms: Mapped[str] = mapped_column(Text, default="")
    challenge_id: Mapped[int | None] = mapped_column(ForeignKey("challenge.id", ondelete="SET NULL"), default=None)
    bounty: Mapped[int | None] = mapped_column(BigInteger, default=None)
    prize_split: Mapped[list[int]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class DemandAttachment(Base):
    """A file attached to a demand or a response, kept in the blob store by sha256."""

    __tablename__ = "demand_attachment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    demand_id: Mapped[int | None] = mapped_column(ForeignKey("demand.id", ondelete="CASCADE"), index=True)
    response_id: Mapped[int | None] = mapped_column(
        ForeignKey("demand_response.id", ondelete="CASCADE"), index=True, default=None
    )
    name: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    # Whether respondents see it before accepting a confidential demand's terms.
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class DemandReview(Base):
    """A reviewer's check of a demand against the checklist, with the decision and its comment."""

    __tablename__ = "demand_review"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    demand_id: Mapped[int] = mapped_column(ForeignKey("demand.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), default=None)
    checklist: Mapped[dict[str, bool]] = mapped_column(JSON, default=dict)
    decision: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class TermsAcceptance(Base):
    """A respondent's acceptance of a confidential demand's terms, which opens its details."""

    __tablename__ = "demand_terms_acceptance"
    __table_args__ = (UniqueConstraint("demand_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    demand_id: Mapped[int] = mapped_column(ForeignKey("demand.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RespondentProfile(Base):
    """What a respondent organization works on: its fields and capabilities, used to match demands to it."""

    __tablename__ = "respondent_profile"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"), unique=True)
    fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    capabilities: Mapped[str] = mapped_column(Text, default="")
    track_record: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class DemandResponse(Base):
    """A respondent's solution proposal (应答/揭榜) to a published demand."""

    __tablename__ = "demand_response"
    __table_args__ = (
        UniqueConstraint("demand_id", "respondent_id"),
        Index("ix_demand_response_status_submitted", "status", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    demand_id: Mapped[int] = mapped_column(ForeignKey("demand.id", ondelete="CASCADE"), index=True)
    respondent_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"), index=True)
    filed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), default=None)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    approach: Mapped[str] = mapped_column(Text, default="")
    team: Mapped[str] = mapped_column(Text, default="")
    track_record: Mapped[str] = mapped_column(Text, default="")
    schedule: Mapped[str] = mapped_column(Text, default="")
    price: Mapped[int | None] = mapped_column(BigInteger, default=None)
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class ResponseMessage(Base):
    """One message of the question-and-answer thread between a sponsor and a respondent about a response."""

    __tablename__ = "demand_response_message"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("demand_response.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), default=None)
    # "sponsor" or "respondent": which side wrote it, kept even if the author leaves the organization.
    side: Mapped[str] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class DemandMatch(Base):
    """A demand pushed to a respondent that matches it, with the score that ranked it."""

    __tablename__ = "demand_match"
    __table_args__ = (UniqueConstraint("demand_id", "respondent_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    demand_id: Mapped[int] = mapped_column(ForeignKey("demand.id", ondelete="CASCADE"), index=True)
    respondent_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"), index=True)
    score: Mapped[float] = mapped_column(Float)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class Deal(Base):
    """A contract signed after selection: value, date, parties, kind, and the broker who brokered it."""

    __tablename__ = "demand_deal"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    demand_id: Mapped[int] = mapped_column(ForeignKey("demand.id", ondelete="CASCADE"), index=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("demand_response.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[int] = mapped_column(BigInteger)
    signed_on: Mapped[date] = mapped_column(Date, index=True)
    parties: Mapped[str] = mapped_column(Text, default="")
    broker_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), default=None, index=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Milestone(Base):
    """A step of a deal with its due date, amount and when it was done."""

    __tablename__ = "demand_milestone"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("demand_deal.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date | None] = mapped_column(Date, default=None)
    amount: Mapped[int | None] = mapped_column(BigInteger, default=None)
    done_on: Mapped[date | None] = mapped_column(Date, default=None)
    position: Mapped[int] = mapped_column(Integer, default=0)
