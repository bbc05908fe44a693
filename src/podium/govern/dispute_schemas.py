"""API shapes of disputes and of certification (``XCreate`` in, ``XRead`` out)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Text = Field(default="", max_length=20_000)


class StepIn(BaseModel):
    """One step of a dispute's mechanism: its name and its days."""

    step: str = Field(max_length=40)
    days: int


class LinkIn(BaseModel):
    """Evidence an entry cites: ``audit`` (entry seq), ``record`` (``<dataset>:<id>``),
    ``delivery`` (order id) or ``agreement`` (key or uid)."""

    kind: str = Field(max_length=20)
    id: str = Field(max_length=400)


class DisputeCreate(BaseModel):
    """A dispute to open; a partner opening one is a party of it."""

    title: str = Field(max_length=500)
    subject: str = Field(max_length=30)
    subject_ref: str | None = Field(default=None, max_length=500)
    parties: list[str] = Field(default_factory=list, max_length=50)
    mechanism: list[StepIn] | None = Field(default=None, max_length=10)


class EntryCreate(BaseModel):
    """Evidence, a statement or a settlement proposal."""

    kind: Literal["evidence", "statement", "proposal"] = "evidence"
    text: str = Text
    links: list[LinkIn] = Field(default_factory=list, max_length=50)


class AdvanceIn(BaseModel):
    """Why the current step failed."""

    reason: str = Field(max_length=5_000)


class ResolveIn(BaseModel):
    """The outcome, and whether the parties agreed or the step's third party decided."""

    outcome: str = Field(max_length=20_000)
    resolution: Literal["agreement", "decision"] = "decision"


class WithdrawIn(BaseModel):
    """Why the raising party withdraws."""

    reason: str = Field(default="", max_length=5_000)


class EntryRead(BaseModel):
    """One entry of a dispute."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    kind: str
    by: str | None
    party: str | None
    text: str
    links: list[dict[str, str]]


class TimelineStepRead(BaseModel):
    """One step with its start and deadline (projected for pending steps)."""

    model_config = ConfigDict(from_attributes=True)

    step: str
    days: int
    started_at: datetime | None
    due_at: datetime | None
    state: str
    overdue: bool


class DisputeRead(BaseModel):
    """A dispute: where it stands and its current deadline."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    subject: str
    subject_ref: str | None
    parties: list[str]
    raised_by: str | None
    mechanism: list[StepIn]
    step_index: int
    step: str
    status: str
    opened_at: datetime
    due_at: datetime | None
    closed_at: datetime | None
    outcome: str | None
    overdue: bool


class DisputeDetail(DisputeRead):
    """A dispute with its timeline, entries and what the caller may do now."""

    timeline: list[TimelineStepRead]
    entries: list[EntryRead]
    actions: list[str]


# --- certification ------------------------------------------------------------------------------


class SchemeCreate(BaseModel):
    """A certification scheme: levels lowest first; certifications last ``validity_days``."""

    key: str = Field(max_length=200)
    name: str = Field(max_length=500)
    process: str = Field(max_length=200)
    levels: list[str] = Field(min_length=1, max_length=20)
    validity_days: int = 365
    issuer: str | None = Field(default=None, max_length=200)


class SchemeRead(SchemeCreate):
    """A stored scheme."""

    model_config = ConfigDict(from_attributes=True)

    id: int


class CertificationCreate(BaseModel):
    """A certification to grant (blank ``expires_on``: issue date plus the scheme's validity)."""

    scheme: str = Field(max_length=200)
    actor: str = Field(max_length=200)
    site: str | None = Field(default=None, max_length=200)
    level: str = Field(max_length=60)
    issued_on: date
    expires_on: date | None = None
    evidence: str | None = Field(default=None, max_length=5_000)


class CertificationRead(BaseModel):
    """A certification and its status on the day asked (``days_left`` to expiry)."""

    id: int
    scheme: str
    process: str
    actor: str
    site: str | None
    level: str
    issued_on: date
    expires_on: date
    status: str
    days_left: int
    evidence: str | None


class EligibleRead(BaseModel):
    """A partner (and site) certified for the process asked."""

    model_config = ConfigDict(from_attributes=True)

    actor: str
    site: str | None
    region: str | None
    scheme: str
    level: str
    expires_on: date
    certification_id: int


class TrainingCreate(BaseModel):
    """A training a partner's person completed (hours optional)."""

    actor: str = Field(max_length=200)
    person: str = Field(max_length=500)
    course: str = Field(max_length=500)
    completed_on: date
    scheme: str | None = Field(default=None, max_length=200)
    hours: float | None = None


class TrainingRead(BaseModel):
    """A recorded training."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    actor: str
    person: str
    course: str
    completed_on: date
    scheme_id: int | None
    hours: float | None


class ExpiryCheck(BaseModel):
    """How many exceptions the expiry check raised."""

    new_exceptions: int
    on: date
    warning_days: int
