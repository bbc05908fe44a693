"""Schemas of the analysis runs: the parameters of each kind, request bodies and API answers.

The parameter models are the one place where a parameter's type and limits are written: the
service validates with them (for the API and the CLI alike), and they document the API.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

RunKind = Literal["stress_test", "structure"]
RunStatus = Literal["queued", "running", "done", "failed"]
ScenarioBy = Literal["site", "actor", "region"]


class CustomScenario(BaseModel):
    """Sites (or actors without sites) down together; a bare list of ids is accepted too."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(default=None, min_length=1, max_length=200)
    label: str | None = Field(default=None, max_length=500)
    sites: list[str] = Field(min_length=1, description="ids of the sites that go down together")

    @model_validator(mode="before")
    @classmethod
    def _from_list(cls, value: Any) -> Any:
        """Read ``["s1", "s2"]`` as ``{"sites": ["s1", "s2"]}``."""
        return {"sites": value} if isinstance(value, list) else value


class StressTestParameters(BaseModel):
    """What a stress test takes down and over which horizon."""

    model_config = ConfigDict(extra="forbid")

    by: ScenarioBy = Field(default="site", description="one scenario per site, actor or region")
    horizon_days: float = Field(default=365.0, ge=1, le=3650, description="days looked ahead")
    default_ttr_days: float = Field(
        default=28.0, gt=0, le=3650, description="time to recover where a link declares none"
    )
    top: int = Field(default=5, ge=1, le=1000, description="worst scenarios kept in the summary")
    scenarios: list[CustomScenario] | None = Field(
        default=None, min_length=1, description="custom scenarios instead of one per `by`"
    )


class StructureParameters(BaseModel):
    """How deep the structure report counts spend as visible."""

    model_config = ConfigDict(extra="forbid")

    visibility_tier: int = Field(
        default=2, ge=1, le=50, description="tiers mapped to count spend as visible"
    )
    top: int = Field(default=5, ge=1, le=1000, description="findings kept in the summary")


PARAMETERS: dict[str, type[BaseModel]] = {
    "stress_test": StressTestParameters,
    "structure": StructureParameters,
}
"""The parameter model of each kind of run."""


class AnalysisCreate(BaseModel):
    """An analysis to run: its kind and parameters (defaults apply to those left out)."""

    model_config = ConfigDict(extra="forbid")

    kind: RunKind
    parameters: dict[str, Any] = Field(default_factory=dict)


class AnalysisSummary(BaseModel):
    """A run without its bulky results: what was asked, how far it got, and the gist."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    ecosystem: str
    kind: RunKind
    status: RunStatus
    parameters: dict[str, Any]
    ecosystem_version: dict[str, Any]
    progress_done: int
    progress_total: int
    error: str | None = None
    summary: dict[str, Any] | None = None
    created_by: int | None = None
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    duration_seconds: float | None = None

    @field_validator("created_at", "started_at", "finished_at")
    @classmethod
    def _in_utc(cls, value: datetime | None) -> datetime | None:
        """Stored times are UTC; SQLite returns them without a zone."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class AnalysisRead(AnalysisSummary):
    """A run with its results (null until it is done)."""

    results: dict[str, Any] | None = None


class ScenarioDelta(BaseModel):
    """One scenario in two stress-test runs: its figures in each and how it changed."""

    scenario: str
    label: str | None = None
    kind: str | None = None
    change: Literal["better", "worse", "same", "added", "removed"]
    a: dict[str, Any] | None = None
    b: dict[str, Any] | None = None
    performance_impact_delta: float | None = None
    risk_exposure_index_delta: float | None = None
    tts_days_delta: float | None = None


class AnalysisComparison(BaseModel):
    """Two stress-test runs side by side, scenarios with the largest change first."""

    a: int
    b: int
    ecosystems: list[str]
    counts: dict[str, int]
    scenarios: list[ScenarioDelta]
