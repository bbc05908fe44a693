"""API schemas of platform-dependency assessments and the terms-change scenario."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from podium.govern import platform as dependency
from podium.govern.platform_service import MAX_DAYS, AssessmentView, PlatformView


class LevelRead(BaseModel):
    """What one score of a question means."""

    score: int
    text: str


class QuestionRead(BaseModel):
    """One question of the questionnaire."""

    key: str
    text: str
    weight: float
    levels: list[LevelRead]


class CategoryRead(BaseModel):
    """A kind of platform partner."""

    key: str
    description: str


class QuestionnaireRead(BaseModel):
    """The questions, the platform categories and how the index is formed."""

    questions: list[QuestionRead]
    categories: list[CategoryRead]
    min_coverage: float = Field(description="least answered share of the total weight")
    rule: str

    @classmethod
    def build(cls) -> QuestionnaireRead:
        """Return the questionnaire of :mod:`podium.govern.platform`."""
        return cls(
            questions=[QuestionRead.model_validate(q.to_dict()) for q in dependency.QUESTIONS],
            categories=[
                CategoryRead(key=k, description=d) for k, d in dependency.CATEGORIES.items()
            ],
            min_coverage=dependency.MIN_COVERAGE,
            rule="index = 100 * sum(weight * score) / (4 * sum(weight)) over answered questions; "
            "bands: low < 33, moderate < 66, high; refused below the minimum coverage",
        )


class AnswerIn(BaseModel):
    """An answer: a score 0 (least dependent) to 4 (most), or null for unanswered; a note."""

    model_config = ConfigDict(extra="forbid")

    score: int | None = None
    note: str = Field(default="", max_length=4000)


class AssessmentIn(BaseModel):
    """A new assessment of a platform partner."""

    model_config = ConfigDict(extra="forbid")

    category: str = Field(description=", ".join(dependency.CATEGORIES))
    answers: dict[str, AnswerIn]


class ReasonRead(BaseModel):
    """What one answered question adds to the index, in index points."""

    key: str
    question: str
    score: int
    weight: float
    points: float
    level: str
    note: str


class AssessmentRead(BaseModel):
    """One version of an assessment, with its index, band, reasons and missing questions."""

    id: int
    platform: str
    category: str
    version: int
    current: bool
    assessed_by: str | None
    assessed_at: datetime
    answers: dict[str, Any]
    index: float | None
    band: str
    coverage: float
    reasons: list[ReasonRead]
    missing: list[str]

    @classmethod
    def of(cls, view: AssessmentView) -> AssessmentRead:
        """Return the schema of a stored assessment."""
        result = view.result.to_dict()
        return cls(
            id=view.id,
            platform=view.platform,
            category=view.category,
            version=view.version,
            current=view.current,
            assessed_by=view.assessed_by,
            assessed_at=view.assessed_at,
            answers=view.answers,
            **result,
        )


class PlatformSummary(BaseModel):
    """A platform partner and its current index (``band`` "not assessed" without one)."""

    actor: str
    name: str
    kind: str
    role: str
    assessed: bool
    category: str | None
    version: int | None
    index: float | None
    band: str
    assessed_at: datetime | None

    @classmethod
    def of(cls, view: PlatformView) -> PlatformSummary:
        """Return the summary of a platform partner."""
        current = view.current
        return cls(
            actor=view.actor,
            name=view.name,
            kind=view.kind,
            role=view.role,
            assessed=current is not None,
            category=current.category if current else None,
            version=current.version if current else None,
            index=current.result.index if current else None,
            band=current.result.band if current else "not assessed",
            assessed_at=current.assessed_at if current else None,
        )


class PlatformLinkRead(BaseModel):
    """A link from the platform to something that depends on it."""

    id: str
    kind: str
    source: str
    target: str
    item: str | None
    alternates: list[str]


class ExposureRead(BaseModel):
    """What depends on the platform on the map."""

    platform: str
    sites: list[str]
    links: list[PlatformLinkRead]
    down_with: list[str]
    dependent_sites: list[str]
    items: list[str]
    products: list[str]
    stopped_products: list[str]


class PlatformRead(BaseModel):
    """A platform partner: its current assessment, every version, and its exposure."""

    summary: PlatformSummary
    current: AssessmentRead | None
    history: list[AssessmentRead]
    exposure: ExposureRead


class TermsChangeIn(BaseModel):
    """The scenario: the platform lost (share 0) or kept at a share of capacity for N days."""

    model_config = ConfigDict(extra="forbid")

    days: float = Field(gt=0, le=MAX_DAYS, description="days lost or degraded")
    capacity_share: float = Field(default=0.0, ge=0, le=1, description="share of capacity kept")


class TermsChangeRead(BaseModel):
    """The stress-test impact: lost profit PI (currency), TTS (days), products hit."""

    platform: str
    days: float
    capacity_share: float
    horizon_days: float
    currency: str
    sites_affected: list[str]
    performance_impact: float
    lost_units: float
    tts_days: float
    tts_limited: bool
    shortage_days: float
    products: list[str]
    method: str
