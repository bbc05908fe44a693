"""Partner scorecards: weighted criteria over the KPIs, scored 0-100 by formulas, with standings.

A :class:`Definition` lists criteria; each names a KPI of :data:`podium.learn.frames.KPIS`, a
weight (> 0; weights are normalised to sum to 1) and a scoring formula in the safe language of
:mod:`podium.learn.formulas` that turns the KPI value into a score. Without a formula the
criterion's default applies, by the KPI's direction:

- ``best`` and ``worst`` bounds given (any KPI): linear, 100 at ``best`` and 0 at ``worst``,
  ``clip(100 * (value - worst) / (best - worst), 0, 100)``;
- a share where higher is better (OTIF 0..1): ``100 * value``;
- a share where lower is better (WAPE): ``100 - 100 * value``;
- a KPI best at zero (forecast bias): ``100 - 100 * abs(value)``;
- anything else (days, hours, currency) needs its bounds.

Every score is clipped to 0..100. The total is the weighted mean of the criteria that have a
value; a criterion without one is left out, the weights renormalised over the rest, and the
result's ``coverage`` says which share of the weight was scored. No criterion with a value means
no score (``None``), never 100. Standings: excellent from 85, good from 70, watch from 50, poor
below (configurable, descending).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from podium.learn.formulas import FormulaError, evaluate, parse_formula
from podium.learn.frames import KPIS

STANDINGS = ("excellent", "good", "watch", "poor")
"""The standings, best first."""


class DefinitionError(ValueError):
    """A definition refused: ``errors`` holds one ``{"pointer", "detail"}`` per defect."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        first = f"{errors[0]['pointer']}: {errors[0]['detail']}" if errors else "invalid"
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(first + more)
        self.errors = errors


class Criterion(BaseModel):
    """One weighted criterion: a KPI, its weight and how its value becomes a 0-100 score."""

    model_config = ConfigDict(extra="forbid")

    kpi: str
    weight: float = Field(gt=0, allow_inf_nan=False)
    formula: str | None = None
    best: float | None = Field(default=None, allow_inf_nan=False)
    worst: float | None = Field(default=None, allow_inf_nan=False)
    label: str | None = None

    @field_validator("kpi")
    @classmethod
    def _known(cls, key: str) -> str:
        if key not in KPIS:
            raise ValueError(f"unknown KPI {key!r}; one of {', '.join(KPIS)}")
        return key

    @field_validator("formula")
    @classmethod
    def _parses(cls, text: str | None) -> str | None:
        if text is None or not text.strip():
            return None
        try:
            parse_formula(text)
        except FormulaError as error:
            raise ValueError(str(error)) from None
        return text.strip()

    @model_validator(mode="after")
    def _has_formula(self) -> Criterion:
        if (self.best is None) != (self.worst is None):
            raise ValueError("give both best and worst, or neither")
        if self.best is not None and self.best == self.worst:
            raise ValueError("best and worst must differ")
        if self.formula is None and default_formula(self) is None:
            unit = KPIS[self.kpi].unit
            raise ValueError(f"{self.kpi} is in {unit}: give best and worst bounds or a formula")
        return self

    @property
    def title(self) -> str:
        """The label, else the KPI's title."""
        return self.label or KPIS[self.kpi].title

    def effective_formula(self) -> str:
        """The formula that scores this criterion: its own, else the default."""
        found = self.formula or default_formula(self)
        assert found is not None  # the validator refused criteria without one
        return found


class Standings(BaseModel):
    """The least total (0-100) of each standing; below ``watch`` is poor."""

    model_config = ConfigDict(extra="forbid")

    excellent: float = Field(default=85.0, ge=0, le=100)
    good: float = Field(default=70.0, ge=0, le=100)
    watch: float = Field(default=50.0, ge=0, le=100)

    @model_validator(mode="after")
    def _descending(self) -> Standings:
        if not self.excellent > self.good > self.watch:
            raise ValueError(
                f"thresholds must descend: excellent ({self.excellent:g}) > good "
                f"({self.good:g}) > watch ({self.watch:g})"
            )
        return self

    def of(self, total: float | None) -> str | None:
        """The standing of a total (None: no total, no standing)."""
        if total is None:
            return None
        if total >= self.excellent:
            return "excellent"
        if total >= self.good:
            return "good"
        return "watch" if total >= self.watch else "poor"


class Definition(BaseModel):
    """A scorecard: its key, title, weighted criteria and standings."""

    model_config = ConfigDict(extra="forbid")

    key: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]{0,79}$")
    title: str = Field(min_length=1, max_length=200)
    description: str | None = None
    criteria: list[Criterion] = Field(min_length=1, max_length=50)
    standings: Standings = Field(default_factory=Standings)

    def weights(self) -> list[float]:
        """Each criterion's weight normalised so that they sum to 1."""
        total = sum(c.weight for c in self.criteria)
        return [c.weight / total for c in self.criteria]


def default_formula(criterion: Criterion) -> str | None:
    """The default formula of a criterion by its KPI's direction (None: it needs bounds)."""
    if criterion.best is not None and criterion.worst is not None:
        best, worst = criterion.best, criterion.worst
        return f"clip(100 * (value - {worst:g}) / ({best:g} - {worst:g}), 0, 100)"
    spec = KPIS.get(criterion.kpi)
    if spec is None:
        return None
    if spec.better == "zero":
        return "clip(100 - 100 * abs(value), 0, 100)"
    if spec.unit != "share":
        return None
    return "100 * value" if spec.better == "higher" else "clip(100 - 100 * value, 0, 100)"


def _pointer(loc: Sequence[int | str]) -> str:
    return "/" + "/".join(str(part) for part in loc)


def _detail(error: Mapping[str, Any]) -> str:
    cause = error.get("ctx", {}).get("error")
    return str(cause) if isinstance(cause, ValueError) else str(error["msg"])


def definition_errors(data: Any) -> list[dict[str, str]]:
    """Every defect of a definition as ``{"pointer": "/criteria/2/formula", "detail": ...}``."""
    try:
        parse_definition(data)
    except DefinitionError as error:
        return error.errors
    return []


def parse_definition(data: Any) -> Definition:
    """Check a definition (a mapping, e.g. from JSON); raise :class:`DefinitionError` with all
    its defects, each with a JSON pointer.

    Examples
    --------
    >>> errors = definition_errors({"key": "k", "title": "K",
    ...     "criteria": [{"kpi": "otif", "weight": 1, "formula": "os"}]})
    >>> errors[0]["pointer"], errors[0]["detail"]
    ('/criteria/0/formula', "names other than 'value' are not allowed ('os')")
    """
    try:
        definition = Definition.model_validate(data)
    except ValidationError as error:
        raise DefinitionError(
            [{"pointer": _pointer(e["loc"]), "detail": _detail(e)} for e in error.errors()]
        ) from None
    seen: dict[str, int] = {}
    problems = []
    for index, criterion in enumerate(definition.criteria):
        if criterion.kpi in seen:
            detail = f"{criterion.kpi} is already criterion {seen[criterion.kpi]}"
            problems.append({"pointer": f"/criteria/{index}/kpi", "detail": detail})
        seen.setdefault(criterion.kpi, index)
    if problems:
        raise DefinitionError(problems)
    return definition


@dataclass(frozen=True)
class CriterionScore:
    """One criterion scored: the KPI value, its 0-100 score, and its weight.

    ``weight`` is the definition's normalised weight; ``effective_weight`` the weight
    renormalised over the criteria that were scored (None when this one was not);
    ``contribution`` = score x effective weight, in points of the total.
    """

    kpi: str
    title: str
    value: float | None
    formula: str
    score: float | None
    weight: float
    effective_weight: float | None
    contribution: float | None
    note: str | None = None


@dataclass(frozen=True)
class Scorecard:
    """A scored scorecard: the total (0-100, None without data), standing and coverage (0-1)."""

    total: float | None
    standing: str | None
    coverage: float
    criteria: tuple[CriterionScore, ...]

    @property
    def missing(self) -> tuple[str, ...]:
        """The KPIs left out for want of a value (or whose formula failed)."""
        return tuple(c.kpi for c in self.criteria if c.score is None)


def _score_one(criterion: Criterion, value: float | None) -> tuple[float | None, str | None]:
    if value is None:
        return None, "no value in the period: left out"
    try:
        raw = evaluate(parse_formula(criterion.effective_formula()), value)
    except FormulaError as error:
        return None, f"formula failed: {error}: left out"
    return min(max(raw, 0.0), 100.0), None


def score(definition: Definition, kpi_values: Mapping[str, float | None]) -> Scorecard:
    """Score one partner's KPI values against ``definition``.

    Examples
    --------
    >>> d = parse_definition({"key": "k", "title": "K", "criteria": [
    ...     {"kpi": "otif", "weight": 3}, {"kpi": "forecast_wape", "weight": 1}]})
    >>> card = score(d, {"otif": 0.9, "forecast_wape": None})
    >>> card.total, card.standing, card.coverage
    (90.0, 'excellent', 0.75)
    """
    weights = definition.weights()
    scored = [_score_one(c, kpi_values.get(c.kpi)) for c in definition.criteria]
    coverage = sum(w for w, (s, _) in zip(weights, scored, strict=True) if s is not None)
    results = []
    for criterion, weight, (points, note) in zip(definition.criteria, weights, scored, strict=True):
        effective = weight / coverage if points is not None and coverage > 0 else None
        results.append(
            CriterionScore(
                kpi=criterion.kpi,
                title=criterion.title,
                value=kpi_values.get(criterion.kpi),
                formula=criterion.effective_formula(),
                score=points,
                weight=weight,
                effective_weight=effective,
                contribution=points * effective if points is not None and effective else None,
                note=note,
            )
        )
    total = sum(r.contribution or 0.0 for r in results) if coverage > 0 else None
    return Scorecard(total, definition.standings.of(total), coverage, tuple(results))


@dataclass(frozen=True)
class Trend:
    """How totals moved over periods: ``slope`` in points per period (least squares over the
    periods with a total), ``change`` from the previous total, and the ``direction``."""

    points: tuple[float | None, ...]
    slope: float | None
    change: float | None
    direction: str


def trend(totals: Sequence[float | None], *, tolerance: float = 1.0) -> Trend:
    """The trend of totals, oldest first: improving, declining or stable (|slope| below
    ``tolerance`` points per period), or "insufficient data" with fewer than two totals.

    Examples
    --------
    >>> trend([60.0, None, 70.0, 75.0])
    Trend(points=(60.0, None, 70.0, 75.0), slope=5.0, change=5.0, direction='improving')
    """
    known = [(float(i), t) for i, t in enumerate(totals) if t is not None]
    if len(known) < 2:
        return Trend(tuple(totals), None, None, "insufficient data")
    mean_x = sum(x for x, _ in known) / len(known)
    mean_y = sum(y for _, y in known) / len(known)
    sxx = sum((x - mean_x) ** 2 for x, _ in known)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in known) / sxx
    change = known[-1][1] - known[-2][1]
    direction = "stable" if abs(slope) < tolerance else "improving" if slope > 0 else "declining"
    return Trend(tuple(totals), slope, change, direction)
