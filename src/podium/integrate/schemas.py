"""API schemas of the coordination layer: submissions, reads, agreements, audit, exceptions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field


def _utc(moment: datetime) -> datetime:
    """Stored times are UTC; SQLite gives them back without their zone."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


Moment = Annotated[datetime, AfterValidator(_utc)]
"""A time in UTC, with its zone."""


class SubmissionIn(BaseModel):
    """A batch of records of one dataset; all are stored or none."""

    records: list[dict[str, Any]] = Field(description="the records, each as the dataset defines")


class SubmissionRead(BaseModel):
    """An accepted submission and its data-quality score."""

    id: int
    dataset: str
    provider: str
    source: str
    submitted_at: Moment
    record_count: int
    quality: dict[str, Any]
    request_id: str


class DataRead(BaseModel):
    """Rows a read returned, and the provider, agreement and granularity each part came from."""

    dataset: str
    rows: list[dict[str, Any]]
    sources: list[dict[str, Any]]


class AgreementIn(BaseModel):
    """An ODRL policy, with what it leaves out (the Catena-X example names no parties)."""

    odrl: dict[str, Any] | list[Any] = Field(description="compact or expanded ODRL JSON-LD")
    key: str | None = Field(default=None, description="the agreement's key (else the uid)")
    recipients: list[str] = Field(
        default_factory=list, description="actor keys, kind:<actor kind> or role:<role>"
    )
    dataset: str | None = Field(default=None, description="the dataset shared (else the target)")


class AgreementRead(BaseModel):
    """A data-sharing agreement as Podium enforces it."""

    key: str
    provider: str
    recipients: list[str]
    dataset: str
    purposes: list[str]
    fields: list[str]
    filters: dict[str, list[str]]
    granularity: dict[str, str]
    valid_from: Moment | None
    valid_until: Moment | None
    delete_after_days: int | None
    terms: dict[str, str]
    in_force: bool
    revoked_at: Moment | None


class AuditRead(BaseModel):
    """One access to partner data."""

    seq: int
    at: Moment
    request_id: str
    username: str
    partner_actor: str | None
    action: str
    dataset: str
    provider: str | None
    agreement: str | None
    filter: dict[str, Any]
    row_count: int


class ExceptionRead(BaseModel):
    """An exception raised by a rule over incoming data."""

    id: int
    rule: str
    severity: str
    owner: str
    subject: str
    detail: str
    status: str
    created_at: Moment


class ExceptionUpdate(BaseModel):
    """A change of an exception's status."""

    status: str = Field(pattern="^(open|acknowledged|resolved)$")
