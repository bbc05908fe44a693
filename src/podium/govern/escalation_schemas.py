"""API schemas of escalations: raise, read (with the history), the actions, the board."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, computed_field

from podium.govern.escalation import ACTIVE, aware

Moment = Annotated[datetime, AfterValidator(aware)]
"""A time in UTC, with its zone (SQLite gives stored times back without it)."""
Severity = Literal["low", "medium", "high", "critical"]
Text = Annotated[str, Field(max_length=10_000)]


class EscalationCreate(BaseModel):
    """An issue to escalate; a partner's own actor is added to the parties."""

    title: str = Field(min_length=1, max_length=500, description="what the issue is, in a line")
    detail: Text = Field(default="", description="what happened and what is at stake")
    category: str = Field(
        min_length=1, max_length=60, description="a decision type with a decision right"
    )
    severity: Severity = Field(description="low, medium, high or critical")
    customer_impact: bool = Field(default=False, description="whether customers are affected")
    parties: list[str] = Field(
        default_factory=list,
        max_length=50,
        description="involved parties: actor:<key>, person:<name>",
    )


class EscalationRead(BaseModel):
    """An escalation: where it stands on its path, its owner and forum, and its SLA clock."""

    id: int
    title: str
    detail: str
    category: str
    severity: str
    customer_impact: bool
    source: str
    source_key: str | None
    parties: list[str]
    raised_by: str | None
    level: str
    level_index: int
    owner: str
    forum_key: str | None
    decision_right_version: int | None
    status: str
    opened_at: Moment
    level_started_at: Moment
    due_at: Moment | None = Field(
        description="the deadline of the current level; none once breached"
    )
    closed_at: Moment | None
    resolution: str | None
    decision_id: int | None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def breached(self) -> bool:
        """Whether the SLA ran out at the top of the path (active, no deadline left)."""
        return self.status in ACTIVE and self.due_at is None


class EscalationEventRead(BaseModel):
    """One transition or response in an escalation's history."""

    at: Moment
    kind: str
    by: str | None
    from_level: str | None
    to_level: str | None
    text: str


class EscalationDetail(EscalationRead):
    """An escalation with its history, oldest first."""

    events: list[EscalationEventRead]


class AcknowledgeIn(BaseModel):
    """Acknowledge: the owner is on it."""

    note: Text = ""


class RespondIn(BaseModel):
    """A response of an involved party."""

    text: Text = Field(min_length=1)


class ReasonIn(BaseModel):
    """Why an escalation is escalated by hand or reopened."""

    reason: Text = Field(min_length=1)


class ResolveIn(BaseModel):
    """How an escalation was resolved, and the decision that resolved it."""

    resolution: Text = Field(min_length=1)
    decision_id: int | None = Field(default=None, ge=1)


class SweepRead(BaseModel):
    """The escalations a sweep moved."""

    moved: list[int]


class BoardRead(BaseModel):
    """Active escalations by level and age, and those at risk or overdue."""

    active: int
    by_level: dict[str, int]
    by_age: dict[str, int]
    at_risk: list[EscalationRead]
    overdue: list[EscalationRead]
