"""Tables of Learn: KPI targets, joint initiatives, reviews (the learning log) and the finance
inputs of the working-capital KPIs.

A target's ``scope`` is ``"ecosystem"`` (the whole ecosystem's value) or a partner actor key.
Changes are recorded in the audit log (``podium.core.audit``) with before/after snapshots, so the
tables hold the current state only.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from podium.core.db import Base, utcnow

KEY = String(200)


def _ecosystem() -> Mapped[int]:
    return mapped_column(ForeignKey("ecosystems.id", ondelete="CASCADE"), index=True)


class KpiTarget(Base):
    """A KPI's target for the ecosystem or one partner, with warning and breach thresholds.

    The thresholds are in the KPI's unit; ``better`` repeats the catalogue's direction
    (higher, lower, zero) so a stored target reads on its own.
    """

    __tablename__ = "kpi_targets"
    __table_args__ = (UniqueConstraint("ecosystem_id", "kpi", "scope"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ecosystem_id: Mapped[int] = _ecosystem()
    kpi: Mapped[str] = mapped_column(String(60))
    scope: Mapped[str] = mapped_column(KEY)
    target: Mapped[float] = mapped_column(Float)
    warning: Mapped[float | None] = mapped_column(Float)
    breach: Mapped[float] = mapped_column(Float)
    better: Mapped[str] = mapped_column(String(10))
    note: Mapped[str | None] = mapped_column(Text)
    updated_by: Mapped[str | None] = mapped_column(String(120))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class Initiative(Base):
    """A joint initiative with partners: start, milestones, launch and the value it created.

    ``partners``: actor keys. ``milestones``: ``[{"name", "due", "done_on"}]`` (ISO dates,
    ``done_on`` null until done). Money is in ``currency``.
    """

    __tablename__ = "initiatives"
    __table_args__ = (UniqueConstraint("ecosystem_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ecosystem_id: Mapped[int] = _ecosystem()
    key: Mapped[str] = mapped_column(KEY)
    title: Mapped[str] = mapped_column(Text)
    partners: Mapped[list[str]] = mapped_column(JSON, default=list)
    started_on: Mapped[date] = mapped_column(Date)
    milestones: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    launched_on: Mapped[date | None] = mapped_column(Date)
    value_created: Mapped[float] = mapped_column(Float, default=0.0)
    cost_reduction: Mapped[float] = mapped_column(Float, default=0.0)
    revenue_enabled: Mapped[float] = mapped_column(Float, default=0.0)
    cost: Mapped[float] = mapped_column(Float, default=0.0)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class Review(Base):
    """A learning-log entry set for a period (``kind="period"``) or an incident.

    ``entries``: ``[{"kind": value_created | incentive_failed | risk_missed |
    mechanism_worked, "text", "partners": [actor keys], "links": [{"kind", "id"}]}]``.
    """

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ecosystem_id: Mapped[int] = _ecosystem()
    kind: Mapped[str] = mapped_column(String(20))
    period: Mapped[str | None] = mapped_column(String(20))
    incident: Mapped[str | None] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(Text)
    entries: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    author: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class FinanceInput(Base):
    """Days sales outstanding and days payables outstanding of a period (days), for the
    cash-to-cash cycle."""

    __tablename__ = "finance_inputs"
    __table_args__ = (UniqueConstraint("ecosystem_id", "period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ecosystem_id: Mapped[int] = _ecosystem()
    period: Mapped[str] = mapped_column(String(20))
    dso_days: Mapped[float] = mapped_column(Float)
    dpo_days: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
