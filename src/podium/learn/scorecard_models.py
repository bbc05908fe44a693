"""Table of stored scorecard definitions: one row per version of a definition.

Saving a definition adds a version (numbered from 1 per key) and makes it the current one; the
older versions stay readable, so a scorecard of a past period can name what it was scored by.
``definition`` holds the checked :class:`podium.learn.scorecards.Definition` as JSON.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from podium.core.db import Base, utcnow


class ScorecardDefinition(Base):
    """One version of a scorecard definition of an ecosystem."""

    __tablename__ = "scorecard_definitions"
    __table_args__ = (UniqueConstraint("ecosystem_id", "key", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ecosystem_id: Mapped[int] = mapped_column(
        ForeignKey("ecosystems.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(Text)
    definition: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(Integer, default=1)
    current: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
