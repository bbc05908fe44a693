"""API schemas of Learn: KPI tables and series, targets and their checks, joint initiatives and
reviews (the learning log)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from podium.ecosystem.spec import Identifier
from podium.learn.periods import parse_period

ENTRY_KINDS = ("value_created", "incentive_failed", "risk_missed", "mechanism_worked")
LINK_KINDS = ("kpi", "escalation", "decision", "exception", "initiative")
Money = float
_STRICT = ConfigDict(extra="forbid", str_strip_whitespace=True)


class KpiRow(BaseModel):
    """One KPI's value for one group (``groups`` names it; empty: the whole ecosystem)."""

    kpi: str
    title: str
    unit: str = Field(description="share (0..1), days, hours, currency, ...")
    groups: dict[str, str | None]
    value: float | None = Field(description="null: no data (no value, never 100%)")
    basis: int = Field(description="how many units (lines, points, events) it rests on")


class KpiTableRead(BaseModel):
    """The KPIs of a period."""

    ecosystem: str
    period: str
    by: list[str]
    rows: list[KpiRow]


class SeriesPoint(BaseModel):
    """A KPI's value in one period (and group)."""

    period: str
    groups: dict[str, str | None]
    value: float | None
    basis: int


class SeriesRead(BaseModel):
    """A KPI over consecutive periods, oldest first."""

    kpi: str
    title: str
    unit: str
    better: str
    by: list[str]
    points: list[SeriesPoint]


class TargetIn(BaseModel):
    """A KPI's target for the ecosystem or a partner; thresholds in the KPI's unit."""

    model_config = _STRICT

    kpi: str
    scope: str = Field(default="ecosystem", description="'ecosystem' or a partner actor key")
    target: float
    warning: float | None = None
    breach: float
    note: str | None = Field(default=None, max_length=2000)


class TargetsIn(BaseModel):
    """Targets to set (each created or changed; others stay)."""

    model_config = _STRICT

    targets: list[TargetIn] = Field(min_length=1, max_length=500)


class TargetRead(BaseModel):
    """A stored target."""

    model_config = ConfigDict(from_attributes=True)

    kpi: str
    scope: str
    target: float
    warning: float | None
    breach: float
    better: str
    note: str | None
    updated_by: str | None
    updated_at: datetime


class TargetCheckRead(BaseModel):
    """A target checked against a period: ok, warning, breach or no_data."""

    kpi: str
    scope: str
    period: str
    value: float | None
    basis: int
    status: str
    severity: str | None
    target: float
    breach: float


class Milestone(BaseModel):
    """A milestone of an initiative (``done_on`` null until done)."""

    model_config = _STRICT

    name: str = Field(min_length=1, max_length=200)
    due: date | None = None
    done_on: date | None = None


class _InitiativeFields(BaseModel):
    model_config = _STRICT

    title: str = Field(min_length=1, max_length=400)
    partners: list[Identifier] = Field(min_length=1, max_length=200, description="actor keys")
    started_on: date
    milestones: list[Milestone] = Field(default_factory=list, max_length=200)
    launched_on: date | None = None
    value_created: Money = Field(default=0.0, ge=0, description="currency")
    cost_reduction: Money = Field(default=0.0, ge=0, description="currency")
    revenue_enabled: Money = Field(default=0.0, ge=0, description="currency")
    cost: Money = Field(default=0.0, ge=0, description="currency")
    currency: str = Field(default="EUR", pattern=r"^[A-Z]{3}$")

    @model_validator(mode="after")
    def _launch_after_start(self) -> _InitiativeFields:
        if self.launched_on is not None and self.launched_on < self.started_on:
            raise ValueError("launched_on must not be before started_on")
        return self


class InitiativeIn(_InitiativeFields):
    """A new joint initiative."""

    key: Identifier


class InitiativeUpdate(BaseModel):
    """Changes to an initiative (fields left out stay as they are)."""

    model_config = _STRICT

    title: str | None = Field(default=None, min_length=1, max_length=400)
    partners: list[Identifier] | None = Field(default=None, min_length=1, max_length=200)
    started_on: date | None = None
    milestones: list[Milestone] | None = Field(default=None, max_length=200)
    launched_on: date | None = None
    value_created: Money | None = Field(default=None, ge=0)
    cost_reduction: Money | None = Field(default=None, ge=0)
    revenue_enabled: Money | None = Field(default=None, ge=0)
    cost: Money | None = Field(default=None, ge=0)
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")


class InitiativeRead(InitiativeIn):
    """A stored initiative."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    updated_at: datetime


class ReviewLink(BaseModel):
    """What an entry refers to: a KPI key, an escalation, decision or exception id, or an
    initiative key."""

    model_config = _STRICT

    kind: Literal["kpi", "escalation", "decision", "exception", "initiative"]
    id: str = Field(min_length=1, max_length=200)


class ReviewEntry(BaseModel):
    """One lesson: which partners created value, which incentive failed, which risk was
    missed, which coordination mechanism worked."""

    model_config = _STRICT

    kind: Literal["value_created", "incentive_failed", "risk_missed", "mechanism_worked"]
    text: str = Field(min_length=1, max_length=4000)
    partners: list[Identifier] = Field(default_factory=list, max_length=200)
    links: list[ReviewLink] = Field(default_factory=list, max_length=200)


class ReviewIn(BaseModel):
    """A review of a period (``period``, e.g. 2026-Q3) or of an incident (``incident``)."""

    model_config = _STRICT

    kind: Literal["period", "incident"]
    period: str | None = None
    incident: str | None = Field(default=None, min_length=1, max_length=200)
    title: str = Field(min_length=1, max_length=400)
    entries: list[ReviewEntry] = Field(min_length=1, max_length=500)

    @field_validator("period")
    @classmethod
    def _period(cls, value: str | None) -> str | None:
        return None if value is None else parse_period(value).label

    @model_validator(mode="after")
    def _subject(self) -> ReviewIn:
        if self.kind == "period" and self.period is None:
            raise ValueError("a period review names its period (e.g. 2026-Q3)")
        if self.kind == "incident" and self.incident is None:
            raise ValueError("an incident review names its incident")
        return self


class ReviewRead(BaseModel):
    """A stored review; a partner sees only the entries that name it."""

    id: int
    kind: str
    period: str | None
    incident: str | None
    title: str
    entries: list[dict[str, Any]]
    author: str | None
    created_at: datetime
    updated_at: datetime
