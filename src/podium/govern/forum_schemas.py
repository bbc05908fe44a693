"""API shapes of decision rights, forums, agendas, meetings and decisions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from podium.govern.forum_minutes import DecisionDraft
from podium.govern.rights import PathStep


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


Utc = Annotated[datetime, AfterValidator(_utc)]
"""A time as stored, always given back in UTC with its offset."""


class DecisionRightIn(BaseModel):
    """A decision right to save as the type's next version."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200)
    strategic: bool = False
    raci: dict[str, str] = Field(description="party (actor:<key> or person:<name>) -> R, A, C, I")
    path: list[PathStep] = Field(description="levels an escalation climbs, lowest first")
    note: str | None = Field(default=None, max_length=2000, description="why it changed")


class DecisionRightRead(BaseModel):
    """One version of a decision right."""

    model_config = ConfigDict(from_attributes=True)

    decision_type: str
    title: str
    strategic: bool
    raci: dict[str, str]
    path: list[PathStep]
    version: int
    current: bool
    note: str | None
    changed_by: str | None
    changed_at: Utc


class RightVersionRead(DecisionRightRead):
    """A version with what it changed from the one before (JSON pointers)."""

    changes: list[dict[str, Any]]


class MemberRead(BaseModel):
    """A member of a forum."""

    party: str
    role: str


class ForumRead(BaseModel):
    """A forum with its cadence in words and its next meetings (UTC)."""

    model_config = ConfigDict(from_attributes=True)

    key: str
    name: str
    kind: str
    level: str
    rrule: str
    starts_at: Utc
    duration_minutes: int
    timezone: str
    location: str | None
    members: list[MemberRead]
    active: bool
    cadence: str
    next: list[Utc]


class AgendaItemRead(BaseModel):
    """An agenda item and why it is there."""

    kind: str
    ref: str
    title: str
    severity: str
    strategic: bool
    level: str | None
    parties: list[str]
    opened_at: Utc
    due_at: Utc | None
    age_hours: float
    reason: str


class AgendaRead(BaseModel):
    """The agenda of a forum's next meeting (``hidden``: items not involving a partner caller)."""

    forum: str
    occurrence: Utc | None
    items: list[AgendaItemRead]
    hidden: int


class MeetingRead(BaseModel):
    """A prepared or held meeting: its frozen agenda and its minutes."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    scheduled_for: Utc
    agenda: list[AgendaItemRead]
    minutes: str | None
    attendees: list[str]
    recorded_by: str | None
    recorded_at: Utc | None


class MinutesIn(BaseModel):
    """The minutes of a meeting and the decisions taken (all recorded, or none)."""

    model_config = ConfigDict(extra="forbid")

    attendees: list[str] = Field(default_factory=list, description="parties present")
    minutes: str = Field(min_length=1)
    decisions: list[DecisionDraft] = Field(default_factory=list)


class DecisionRead(BaseModel):
    """A recorded decision and what it decided."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    forum: str | None
    meeting_id: int | None
    decision_type: str | None
    title: str
    text: str
    links: list[dict[str, str]]
    decided_by: str | None
    decided_at: Utc
