"""Tables of the coordination layer: submissions, the partner datasets, EPCIS events and capture
jobs, data-sharing agreements and exceptions.

Every dataset row belongs to a submission and a provider (the partner actor whose data it is).
A record is identified within its provider and dataset by ``record_key`` (a digest of the
dataset's key fields); a new submission of the same key makes the older row not ``current``, so
the history of every record (a forecast as it was at each submission) stays readable.
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


class Submission(Base):
    """One accepted batch of one dataset from one provider (all-or-nothing)."""

    __tablename__ = "partner_submissions"
    __table_args__ = (
        UniqueConstraint("ecosystem_id", "provider", "dataset", "idempotency_key"),
        Index("ix_partner_submissions_provider", "ecosystem_id", "provider", "dataset"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ecosystem_id: Mapped[int] = mapped_column(ForeignKey("ecosystems.id", ondelete="CASCADE"))
    provider: Mapped[str] = mapped_column(KEY)
    dataset: Mapped[str] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(20))  # api, upload, cli
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    user_id: Mapped[int | None] = mapped_column(Integer)
    request_id: Mapped[str] = mapped_column(String(64))
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    request_digest: Mapped[str] = mapped_column(String(64))
    record_count: Mapped[int] = mapped_column(Integer)
    quality: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class _Observation:
    """Columns every dataset row has."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ecosystem_id: Mapped[int] = mapped_column(ForeignKey("ecosystems.id", ondelete="CASCADE"))
    provider: Mapped[str] = mapped_column(KEY)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("partner_submissions.id", ondelete="CASCADE"), index=True
    )
    record_key: Mapped[str] = mapped_column(String(40))
    current: Mapped[bool] = mapped_column(Boolean, default=True)


def _observation_indexes(table: str, time_column: str) -> tuple[Index, Index]:
    """Index for superseding a record (by key) and for reading the current rows by time."""
    return (
        Index(f"ix_{table}_key", "ecosystem_id", "provider", "record_key"),
        Index(f"ix_{table}_read", "ecosystem_id", "current", "provider", time_column),
    )


class Forecast(_Observation, Base):
    """A demand forecast for an item at a location and period (units per period)."""

    __tablename__ = "forecasts"
    __table_args__ = _observation_indexes("forecasts", "period_start")

    item: Mapped[str] = mapped_column(KEY)
    location: Mapped[str] = mapped_column(KEY)
    period_start: Mapped[date] = mapped_column(Date)
    bucket: Mapped[str] = mapped_column(String(10))
    quantity: Mapped[float] = mapped_column(Float)
    horizon_days: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)


class CapacityCommitment(_Observation, Base):
    """Capacity of an item or capacity group at a site for a period (units per period)."""

    __tablename__ = "capacity_commitments"
    __table_args__ = _observation_indexes("capacity_commitments", "period_start")

    capacity_group: Mapped[str | None] = mapped_column(KEY)
    item: Mapped[str | None] = mapped_column(KEY)
    site: Mapped[str] = mapped_column(KEY)
    period_start: Mapped[date] = mapped_column(Date)
    bucket: Mapped[str] = mapped_column(String(10))
    actual: Mapped[float] = mapped_column(Float)
    maximum: Mapped[float] = mapped_column(Float)
    agreed: Mapped[float | None] = mapped_column(Float)


class InventoryReport(_Observation, Base):
    """Stock a partner reports of an item at a site on a day (units)."""

    __tablename__ = "inventory_reports"
    __table_args__ = _observation_indexes("inventory_reports", "as_of")

    site: Mapped[str] = mapped_column(KEY)
    item: Mapped[str] = mapped_column(KEY)
    as_of: Mapped[date] = mapped_column(Date)
    on_hand: Mapped[float] = mapped_column(Float)
    in_transit: Mapped[float] = mapped_column(Float, default=0.0)
    days_of_supply: Mapped[float | None] = mapped_column(Float)


class Delivery(_Observation, Base):
    """An order line: promised date and quantity against delivered date and quantity."""

    __tablename__ = "deliveries"
    __table_args__ = _observation_indexes("deliveries", "promised_date")

    order_id: Mapped[str] = mapped_column(String(120))
    line: Mapped[int] = mapped_column(Integer, default=1)
    item: Mapped[str] = mapped_column(KEY)
    ship_to: Mapped[str | None] = mapped_column(KEY)
    ordered_date: Mapped[date | None] = mapped_column(Date)
    promised_date: Mapped[date] = mapped_column(Date)
    promised_quantity: Mapped[float] = mapped_column(Float)
    delivered_date: Mapped[date | None] = mapped_column(Date)
    delivered_quantity: Mapped[float | None] = mapped_column(Float)


class RiskSignal(_Observation, Base):
    """A risk observed about an actor or site (severity 1..5)."""

    __tablename__ = "risk_signals"
    __table_args__ = _observation_indexes("risk_signals", "observed_at")

    subject: Mapped[str] = mapped_column(KEY)
    category: Mapped[str] = mapped_column(String(40))
    severity: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(Text)
    observed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    description: Mapped[str | None] = mapped_column(Text)


class Disruption(_Observation, Base):
    """A disruption of an actor or site: when it started and when it recovered."""

    __tablename__ = "disruptions"
    __table_args__ = _observation_indexes("disruptions", "started_at")

    subject: Mapped[str] = mapped_column(KEY)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recovered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cause: Mapped[str | None] = mapped_column(Text)
    affected_items: Mapped[list[str]] = mapped_column(JSON, default=list)


DATASET_TABLES: dict[str, type[Base]] = {
    "forecasts": Forecast,
    "capacity": CapacityCommitment,
    "inventory": InventoryReport,
    "deliveries": Delivery,
    "risk_signals": RiskSignal,
    "disruptions": Disruption,
}


class CaptureJob(Base):
    """An EPCIS capture job (GS1 REST binding ``/capture/{captureID}``)."""

    __tablename__ = "epcis_capture_jobs"
    __table_args__ = (UniqueConstraint("ecosystem_id", "provider", "idempotency_key"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    ecosystem_id: Mapped[int] = mapped_column(
        ForeignKey("ecosystems.id", ondelete="CASCADE"), index=True
    )
    provider: Mapped[str] = mapped_column(KEY)
    user_id: Mapped[int | None] = mapped_column(Integer)
    request_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    running: Mapped[bool] = mapped_column(Boolean, default=True)
    success: Mapped[bool] = mapped_column(Boolean, default=True)
    error_behaviour: Mapped[str] = mapped_column(String(20), default="rollback")
    event_count: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    request_digest: Mapped[str] = mapped_column(String(64))


class EpcisEventRow(Base):
    """One captured EPCIS event: its query fields as columns, the event as submitted."""

    __tablename__ = "epcis_events"
    __table_args__ = (
        Index("ix_epcis_events_time", "ecosystem_id", "event_time"),
        Index("ix_epcis_events_provider", "ecosystem_id", "provider"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ecosystem_id: Mapped[int] = mapped_column(ForeignKey("ecosystems.id", ondelete="CASCADE"))
    provider: Mapped[str] = mapped_column(KEY)
    capture_id: Mapped[str] = mapped_column(
        ForeignKey("epcis_capture_jobs.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[str | None] = mapped_column(Text)
    event_type: Mapped[str] = mapped_column(String(40))
    event_time: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    event_time_zone_offset: Mapped[str] = mapped_column(String(6))
    action: Mapped[str | None] = mapped_column(String(10))
    biz_step: Mapped[str | None] = mapped_column(Text)
    disposition: Mapped[str | None] = mapped_column(Text)
    read_point: Mapped[str | None] = mapped_column(Text)
    biz_location: Mapped[str | None] = mapped_column(Text)
    epcs: Mapped[str] = mapped_column(Text, default="")  # "|epc|epc|" for MATCH_epc
    body: Mapped[dict[str, Any]] = mapped_column(JSON)


EVENT_FILTERS = ("event_type", "action", "biz_step", "disposition", "read_point", "biz_location")
"""Event fields an agreement may filter shared events by (text columns of the event table)."""


class SharingAgreementRow(Base):
    """A stored data-sharing agreement (see :class:`podium.integrate.policy.SharingAgreement`)."""

    __tablename__ = "sharing_agreements"
    __table_args__ = (UniqueConstraint("ecosystem_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ecosystem_id: Mapped[int] = mapped_column(
        ForeignKey("ecosystems.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(KEY)
    provider: Mapped[str] = mapped_column(KEY)
    dataset: Mapped[str] = mapped_column(String(40))
    odrl: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[int | None] = mapped_column(Integer)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class DataException(Base):
    """An exception raised by a rule over incoming data, for the governance layer to route."""

    __tablename__ = "data_exceptions"
    __table_args__ = (UniqueConstraint("ecosystem_id", "rule", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ecosystem_id: Mapped[int] = mapped_column(
        ForeignKey("ecosystems.id", ondelete="CASCADE"), index=True
    )
    rule: Mapped[str] = mapped_column(String(60))
    key: Mapped[str] = mapped_column(String(400))
    severity: Mapped[str] = mapped_column(String(20))
    owner: Mapped[str] = mapped_column(KEY)
    subject: Mapped[str] = mapped_column(Text)
    detail: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="open")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
