"""Tables of the mapping discipline: stored analysis runs (stress tests, structure reports).

A run keeps what it was asked (``parameters``), which state of the ecosystem it saw
(``ecosystem_version``: the ecosystem's ``updated_at`` and its entity counts), how far it got
(``status``, ``progress_done`` of ``progress_total``), and what it found: a small ``summary`` for
listings and the full report in ``results``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from podium.core.db import Base, utcnow

RUN_KINDS = ("stress_test", "structure")
"""What a run computes: the TTR/TTS stress test, or the structure report."""
RUN_STATUSES = ("queued", "running", "done", "failed")
"""A run's life: queued when asked for, running, then done or failed (with ``error``)."""


class AnalysisRun(Base):
    """One analysis of one stored ecosystem, with its parameters, progress and results."""

    __tablename__ = "analysis_runs"
    __table_args__ = (
        # Serves the listings (newest runs of one kind) and the foreign key's cascade.
        Index("ix_analysis_runs_ecosystem_kind", "ecosystem_id", "kind", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ecosystem_id: Mapped[int] = mapped_column(ForeignKey("ecosystems.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    ecosystem_version: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default="queued")
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    results: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    duration_seconds: Mapped[float | None] = mapped_column(Float)
