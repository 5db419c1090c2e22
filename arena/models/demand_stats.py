"""Roll-ups of the demand statistics, kept in step with every change of a demand, response, match or deal."""

from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from arena.db import Base


class DemandStatMonth(Base):
    """The additive figures of one month (UTC) for one field and region."""

    __tablename__ = "demand_stat_month"

    month: Mapped[date] = mapped_column(Date, primary_key=True)
    field: Mapped[str] = mapped_column(String(32), primary_key=True)
    region: Mapped[str] = mapped_column(String(64), primary_key=True)
    demands_filed: Mapped[int] = mapped_column(Integer, default=0)
    demands_approved: Mapped[int] = mapped_column(Integer, default=0)
    demands_published: Mapped[int] = mapped_column(Integer, default=0)
    intended_investment: Mapped[int] = mapped_column(BigInteger, default=0)
    solutions: Mapped[int] = mapped_column(Integer, default=0)
    matches: Mapped[int] = mapped_column(Integer, default=0)
    deals: Mapped[int] = mapped_column(Integer, default=0)
    contract_value: Mapped[int] = mapped_column(BigInteger, default=0)


class DemandStatPresence(Base):
    """An organization that filed (kind "sponsor") or answered ("respondent") within one bucket of time.

    A bucket is a month, quarter or year (its first day) or all time (``grain`` "all"); ``dim`` is "" (the
    programme), "field" or "region" with ``value`` naming which. ``refs`` counts the demands or responses behind
    the row, which exists only while that is above zero, so a distinct count is a count of rows.
    """

    __tablename__ = "demand_stat_presence"

    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    grain: Mapped[str] = mapped_column(String(8), primary_key=True)
    dim: Mapped[str] = mapped_column(String(8), primary_key=True)
    bucket: Mapped[date] = mapped_column(Date, primary_key=True)
    value: Mapped[str] = mapped_column(String(64), primary_key=True)
    organization_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    refs: Mapped[int] = mapped_column(Integer, default=0)
