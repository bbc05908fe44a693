"""Tables of Align: the commercial agreements declared with the ecosystem's partners.

An agreement is versioned like a decision right: saving a changed one adds a version, marks the
older one not ``current`` and leaves it readable. ``partner`` is an actor key of the ecosystem
(checked by :mod:`podium.align.service`, not by a foreign key, so that re-importing the map does
not delete the commercial history).
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


class CommercialAgreement(Base):
    """One version of a commercial agreement with a partner.

    ``contract_type``: one of :data:`podium.align.incentives.CONTRACT_TYPES`. ``metrics``: what the
    partner is rewarded on (:data:`podium.align.incentives.METRICS`). ``terms``: the contract's
    numbers (``wholesale`` price, ``buyback`` price, ``share`` of revenue ... in the ecosystem's
    currency per unit, plus the newsvendor inputs ``price``, ``cost``, ``salvage`` and
    ``demand`` where known). ``volume_commitment``: units per year the buyer commits to.
    """

    __tablename__ = "commercial_agreements"
    __table_args__ = (
        UniqueConstraint("ecosystem_id", "key", "version"),
        Index("ix_commercial_agreements_partner", "ecosystem_id", "partner"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ecosystem_id: Mapped[int] = mapped_column(
        ForeignKey("ecosystems.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(KEY)
    partner: Mapped[str] = mapped_column(KEY)
    contract_type: Mapped[str] = mapped_column(String(40))
    metrics: Mapped[list[str]] = mapped_column(JSON, default=list)
    terms: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    term_months: Mapped[int | None] = mapped_column(Integer)
    volume_commitment: Mapped[float | None] = mapped_column(Float)
    data_access: Mapped[bool] = mapped_column(Boolean, default=False)
    preferred: Mapped[bool] = mapped_column(Boolean, default=False)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    current: Mapped[bool] = mapped_column(Boolean, default=True)
    changed_by: Mapped[str | None] = mapped_column(String(120))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
