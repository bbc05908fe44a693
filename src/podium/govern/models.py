"""Tables of governance: decision rights, forums and meetings, decisions, escalations, disputes,
platform-dependency assessments, certification schemes, certifications and trainings.

A *party* (who holds a right, sits in a forum, owns an escalation) is a string: ``actor:<key>``
for a partner organisation of the ecosystem, or ``person:<name>`` for a named person (usually at
the orchestrator); :mod:`podium.govern.rights` parses and checks them.
Decision rights are versioned: editing one adds a version and leaves the older ones readable.
Escalation and dispute deadlines are stored (``due_at``), so the sweep that acts on them survives
a restart.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
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


class DecisionRight(Base):
    """Who decides one type of decision (RACI) and the path its escalations climb (one version).

    ``raci`` maps a party to one of ``R``, ``A``, ``C``, ``I``. ``path`` lists the levels an
    escalation of this type climbs, lowest first: ``{"level": "operational", "owner": party,
    "forum": forum key or null, "sla_hours": float}``.
    """

    __tablename__ = "decision_rights"
    __table_args__ = (UniqueConstraint("ecosystem_id", "decision_type", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ecosystem_id: Mapped[int] = _ecosystem()
    decision_type: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(Text)
    strategic: Mapped[bool] = mapped_column(Boolean, default=False)
    raci: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    path: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    version: Mapped[int] = mapped_column(Integer, default=1)
    current: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str | None] = mapped_column(Text)
    changed_by: Mapped[str | None] = mapped_column(String(120))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Forum(Base):
    """A body that meets on a cadence (iCalendar RRULE) and decides: steering committee, review.

    ``members``: ``[{"party": party, "role": "chair" | "member" | "secretary"}]``.
    """

    __tablename__ = "forums"
    __table_args__ = (UniqueConstraint("ecosystem_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ecosystem_id: Mapped[int] = _ecosystem()
    key: Mapped[str] = mapped_column(KEY)
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(40))
    level: Mapped[str] = mapped_column(String(20))
    rrule: Mapped[str] = mapped_column(Text)
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    duration_minutes: Mapped[int] = mapped_column(Integer, default=60)
    timezone: Mapped[str] = mapped_column(String(60), default="UTC")
    location: Mapped[str | None] = mapped_column(Text)
    members: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Meeting(Base):
    """One held (or prepared) occurrence of a forum: its agenda as frozen, and its minutes."""

    __tablename__ = "forum_meetings"
    __table_args__ = (UniqueConstraint("forum_id", "scheduled_for"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forums.id", ondelete="CASCADE"), index=True)
    scheduled_for: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    agenda: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    minutes: Mapped[str | None] = mapped_column(Text)
    attendees: Mapped[list[str]] = mapped_column(JSON, default=list)
    recorded_by: Mapped[str | None] = mapped_column(String(120))
    recorded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Decision(Base):
    """A decision a forum (or an owner) took, linked to what it decided.

    ``links``: ``[{"kind": "escalation" | "exception" | "dispute" | "kpi" | ..., "id": str}]``.
    """

    __tablename__ = "governance_decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ecosystem_id: Mapped[int] = _ecosystem()
    forum_id: Mapped[int | None] = mapped_column(ForeignKey("forums.id", ondelete="SET NULL"))
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("forum_meetings.id", ondelete="SET NULL")
    )
    decision_type: Mapped[str | None] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    links: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    decided_by: Mapped[str | None] = mapped_column(String(120))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Escalation(Base):
    """An issue routed to the owner and forum its decision right names, with an SLA clock.

    ``source_key`` (e.g. ``exception:42``) makes raising from the same source twice a no-op.
    ``due_at`` is the deadline of the current level; the sweep escalates past it.
    """

    __tablename__ = "escalations"
    __table_args__ = (
        UniqueConstraint("ecosystem_id", "source_key"),
        Index("ix_escalations_due", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ecosystem_id: Mapped[int] = _ecosystem()
    title: Mapped[str] = mapped_column(Text)
    detail: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(60))
    severity: Mapped[str] = mapped_column(String(20))
    customer_impact: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(20))  # exception, risk_signal, kpi, person, partner
    source_key: Mapped[str | None] = mapped_column(String(200))
    parties: Mapped[list[str]] = mapped_column(JSON, default=list)
    raised_by: Mapped[str | None] = mapped_column(String(120))
    level_index: Mapped[int] = mapped_column(Integer, default=0)
    level: Mapped[str] = mapped_column(String(20))
    owner: Mapped[str] = mapped_column(KEY)
    forum_key: Mapped[str | None] = mapped_column(KEY)
    decision_right_version: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="open")
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    level_started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolution: Mapped[str | None] = mapped_column(Text)
    decision_id: Mapped[int | None] = mapped_column(
        ForeignKey("governance_decisions.id", ondelete="SET NULL")
    )


class EscalationEvent(Base):
    """One transition or response of an escalation (raised, escalated, responded, resolved ...)."""

    __tablename__ = "escalation_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    escalation_id: Mapped[int] = mapped_column(
        ForeignKey("escalations.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    kind: Mapped[str] = mapped_column(String(30))
    by: Mapped[str | None] = mapped_column(String(120))
    from_level: Mapped[str | None] = mapped_column(String(20))
    to_level: Mapped[str | None] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text, default="")


class Dispute(Base):
    """A dispute between the orchestrator and a partner, or between partners.

    ``mechanism``: the agreed steps, ``[{"step": "negotiation" | "mediation" | "arbitration",
    "days": int}]``; ``step_index`` is the current one and ``due_at`` its deadline.
    """

    __tablename__ = "disputes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ecosystem_id: Mapped[int] = _ecosystem()
    title: Mapped[str] = mapped_column(Text)
    subject: Mapped[str] = mapped_column(
        String(30)
    )  # agreement, delivery, data_use, cost_allocation
    subject_ref: Mapped[str | None] = mapped_column(Text)
    parties: Mapped[list[str]] = mapped_column(JSON, default=list)
    raised_by: Mapped[str | None] = mapped_column(String(120))
    mechanism: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    step_index: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20), default="open")
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[str | None] = mapped_column(Text)


class DisputeEntry(Base):
    """Evidence, a statement, a step change or the outcome of a dispute.

    ``links``: records and audit entries the entry points to, ``[{"kind": str, "id": str}]``.
    """

    __tablename__ = "dispute_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dispute_id: Mapped[int] = mapped_column(
        ForeignKey("disputes.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    kind: Mapped[str] = mapped_column(String(20))
    by: Mapped[str | None] = mapped_column(String(120))
    party: Mapped[str | None] = mapped_column(KEY)
    text: Mapped[str] = mapped_column(Text, default="")
    links: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class PlatformAssessment(Base):
    """The orchestrator's answers about one platform partner (one version per assessment).

    ``answers``: ``{question key: {"score": 0..4, "note": str}}`` (4 = most dependent).
    """

    __tablename__ = "platform_assessments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ecosystem_id: Mapped[int] = _ecosystem()
    platform: Mapped[str] = mapped_column(KEY)
    category: Mapped[str] = mapped_column(String(40))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    current: Mapped[bool] = mapped_column(Boolean, default=True)
    assessed_by: Mapped[str | None] = mapped_column(String(120))
    assessed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CertificationScheme(Base):
    """A programme that trains and certifies partners for a process (e.g. cleanroom assembly)."""

    __tablename__ = "certification_schemes"
    __table_args__ = (UniqueConstraint("ecosystem_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ecosystem_id: Mapped[int] = _ecosystem()
    key: Mapped[str] = mapped_column(KEY)
    name: Mapped[str] = mapped_column(Text)
    process: Mapped[str] = mapped_column(KEY)
    levels: Mapped[list[str]] = mapped_column(JSON, default=list)
    validity_days: Mapped[int] = mapped_column(Integer, default=365)
    issuer: Mapped[str | None] = mapped_column(KEY)


class Certification(Base):
    """A partner's (or one of its sites') certification in a scheme, at a level, until expiry."""

    __tablename__ = "certifications"
    __table_args__ = (Index("ix_certifications_actor", "ecosystem_id", "actor"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ecosystem_id: Mapped[int] = _ecosystem()
    scheme_id: Mapped[int] = mapped_column(
        ForeignKey("certification_schemes.id", ondelete="CASCADE"), index=True
    )
    actor: Mapped[str] = mapped_column(KEY)
    site: Mapped[str | None] = mapped_column(KEY)
    level: Mapped[str] = mapped_column(String(60))
    issued_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="active")  # active, revoked
    evidence: Mapped[str | None] = mapped_column(Text)


class Training(Base):
    """A training a partner's person completed."""

    __tablename__ = "trainings"
    __table_args__ = (Index("ix_trainings_actor", "ecosystem_id", "actor"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ecosystem_id: Mapped[int] = _ecosystem()
    actor: Mapped[str] = mapped_column(KEY)
    person: Mapped[str] = mapped_column(Text)
    course: Mapped[str] = mapped_column(Text)
    scheme_id: Mapped[int | None] = mapped_column(
        ForeignKey("certification_schemes.id", ondelete="SET NULL")
    )
    completed_on: Mapped[date] = mapped_column(Date)
    hours: Mapped[float | None] = mapped_column(Float)
