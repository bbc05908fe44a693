"""Tables of the ecosystem model; columns carry the spec's field names (``id`` -> ``key``).

References inside an ecosystem are the author's keys, with composite foreign keys
``(ecosystem_id, key)`` so that the database itself refuses a dangling reference.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from podium.core.db import Base, utcnow

KEY = String(200)


class Ecosystem(Base):
    """One stored ecosystem."""

    __tablename__ = "ecosystems"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(KEY, unique=True)
    title: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    schema_version: Mapped[str] = mapped_column(String(20), default="1")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


def _ecosystem_fk() -> Mapped[int]:
    return mapped_column(ForeignKey("ecosystems.id", ondelete="CASCADE"), index=True)


def _ref(owner: str, table: str, column: str) -> tuple[ForeignKeyConstraint, Index]:
    """Composite foreign key (ecosystem_id, column) -> table(ecosystem_id, key), and its index.

    The index lets the database check the key on deletes of the referred rows without a scan.
    """
    constraint = ForeignKeyConstraint(
        ["ecosystem_id", column], [f"{table}.ecosystem_id", f"{table}.key"], ondelete="CASCADE"
    )
    return constraint, Index(f"ix_{owner}_{column}", "ecosystem_id", column)


class Actor(Base):
    """An organisation in an ecosystem."""

    __tablename__ = "actors"
    __table_args__ = (UniqueConstraint("ecosystem_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ecosystem_id: Mapped[int] = _ecosystem_fk()
    key: Mapped[str] = mapped_column(KEY)
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    ecosystem_role: Mapped[str] = mapped_column(String(40))
    country: Mapped[str | None] = mapped_column(String(80))
    region: Mapped[str | None] = mapped_column(String(120), index=True)
    description: Mapped[str | None] = mapped_column(Text)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Site(Base):
    """A facility of an actor."""

    __tablename__ = "sites"
    __table_args__ = (UniqueConstraint("ecosystem_id", "key"), *_ref("sites", "actors", "actor"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ecosystem_id: Mapped[int] = _ecosystem_fk()
    key: Mapped[str] = mapped_column(KEY)
    actor: Mapped[str] = mapped_column(KEY)
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    country: Mapped[str | None] = mapped_column(String(80))
    region: Mapped[str | None] = mapped_column(String(120), index=True)
    city: Mapped[str | None] = mapped_column(Text)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    produces: Mapped[list[str]] = mapped_column(JSON, default=list)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Item(Base):
    """A part, product, service, energy or data item."""

    __tablename__ = "items"
    __table_args__ = (UniqueConstraint("ecosystem_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ecosystem_id: Mapped[int] = _ecosystem_fk()
    key: Mapped[str] = mapped_column(KEY)
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    unit: Mapped[str] = mapped_column(String(40))
    family: Mapped[str | None] = mapped_column(Text)
    demand_per_day: Mapped[float | None] = mapped_column(Float)
    demand_std_per_day: Mapped[float | None] = mapped_column(Float)
    unit_price: Mapped[float | None] = mapped_column(Float)
    unit_cost: Mapped[float | None] = mapped_column(Float)
    unit_profit: Mapped[float | None] = mapped_column(Float)
    critical: Mapped[bool] = mapped_column(Boolean, default=False)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Link(Base):
    """A dependency between two actors or sites (source serves target)."""

    __tablename__ = "links"
    __table_args__ = (
        UniqueConstraint("ecosystem_id", "key"),
        *_ref("links", "items", "item"),
        Index("ix_links_source", "ecosystem_id", "source"),
        Index("ix_links_target", "ecosystem_id", "target"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ecosystem_id: Mapped[int] = _ecosystem_fk()
    key: Mapped[str] = mapped_column(KEY)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    source: Mapped[str] = mapped_column(KEY)
    target: Mapped[str] = mapped_column(KEY)
    item: Mapped[str | None] = mapped_column(KEY)
    share: Mapped[float | None] = mapped_column(Float)
    capacity_per_day: Mapped[float | None] = mapped_column(Float)
    lead_time_days: Mapped[float | None] = mapped_column(Float)
    ttr_days: Mapped[float | None] = mapped_column(Float)
    qualification_days: Mapped[float | None] = mapped_column(Float)
    alternates: Mapped[list[str]] = mapped_column(JSON, default=list)
    spend_per_year: Mapped[float | None] = mapped_column(Float)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class BomLine(Base):
    """``parent`` needs ``quantity`` of ``child`` per unit."""

    __tablename__ = "bom_lines"
    __table_args__ = (
        *_ref("bom_lines", "items", "parent"),
        *_ref("bom_lines", "items", "child"),
        *_ref("bom_lines", "sites", "site"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ecosystem_id: Mapped[int] = _ecosystem_fk()
    parent: Mapped[str] = mapped_column(KEY)
    child: Mapped[str] = mapped_column(KEY)
    quantity: Mapped[float] = mapped_column(Float)
    site: Mapped[str | None] = mapped_column(KEY)


class InventoryPosition(Base):
    """On-hand units of an item at a site."""

    __tablename__ = "inventory_positions"
    __table_args__ = (
        *_ref("inventory_positions", "sites", "site"),
        *_ref("inventory_positions", "items", "item"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ecosystem_id: Mapped[int] = _ecosystem_fk()
    site: Mapped[str] = mapped_column(KEY)
    item: Mapped[str] = mapped_column(KEY)
    on_hand: Mapped[float] = mapped_column(Float)
    safety_stock: Mapped[float | None] = mapped_column(Float)


class ValueFlow(Base):
    """Yearly value an actor or link creates, captures, bears as risk and invests."""

    __tablename__ = "value_flows"
    __table_args__ = (
        *_ref("value_flows", "actors", "actor"),
        *_ref("value_flows", "links", "link"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ecosystem_id: Mapped[int] = _ecosystem_fk()
    actor: Mapped[str | None] = mapped_column(KEY)
    link: Mapped[str | None] = mapped_column(KEY)
    created: Mapped[float] = mapped_column(Float)
    captured: Mapped[float] = mapped_column(Float)
    risk_borne: Mapped[float] = mapped_column(Float)
    invested: Mapped[float] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text)


ENTITY_TABLES: dict[str, Any] = {
    "actors": Actor,
    "sites": Site,
    "items": Item,
    "links": Link,
    "bom": BomLine,
    "inventory": InventoryPosition,
    "value_flows": ValueFlow,
}
"""Spec section -> table, in an order that satisfies the foreign keys on insert."""
