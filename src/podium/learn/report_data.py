"""What the executive ecosystem review shows, as plain values (pure: no database, no web).

:func:`podium.learn.report_service.gather` fills a :class:`ReportData` from the stored
ecosystem; :mod:`podium.learn.report` renders it as HTML or PDF and the console's Learn pages
draw the same numbers. Shares are 0..1, times in the KPI's unit (days or hours), money in the
ecosystem's currency.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

HEADLINE = (
    "otif",
    "perfect_order",
    "forecast_wape",
    "recovery_time_days",
    "resolution_time_hours",
    "data_quality",
    "adoption",
    "initiative_value",
)
"""The KPIs on the report's title page and the dashboard's headline cards."""
DASH = "\u2013"
STATUS_WORDS = {
    "ok": "on target",
    "warning": "warning",
    "breach": "breach",
    "no_data": "no data",
}


@dataclass(frozen=True)
class KpiLine:
    """One KPI of the period (``value`` None: no data) with its trend over ``ReportData.periods``
    (oldest first, the period itself last) and, where a target is set, its status."""

    key: str
    title: str
    unit: str
    better: str
    value: float | None
    basis: int
    trend: tuple[float | None, ...]
    status: str | None = None  # ok, warning, breach, no_data; None: no target
    target: float | None = None
    breach: float | None = None


@dataclass(frozen=True)
class CriterionLine:
    """One criterion of a scorecard: the KPI value, its 0-100 score and its weight (0..1)."""

    kpi: str
    title: str
    unit: str
    value: float | None
    score: float | None
    weight: float
    note: str | None = None


@dataclass(frozen=True)
class ScoreLine:
    """A partner's scorecard: total 0-100 (None: no data), standing, trend over the periods."""

    partner: str
    name: str
    total: float | None
    standing: str | None
    coverage: float
    direction: str
    history: tuple[float | None, ...]
    criteria: tuple[CriterionLine, ...] = ()


@dataclass(frozen=True)
class SegmentLine:
    """A relationship's segment and recommendation with its reasons in words and numbers."""

    partner: str
    name: str
    segment: str
    action: str
    criticality: str
    performance: str
    alignment: str
    summary: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class ExposureRow:
    """One stress-test scenario: REI (0..1), performance impact (currency), TTR and TTS (days)."""

    label: str
    kind: str
    rei: float
    impact: float
    ttr_days: float | None
    tts_days: float | None


@dataclass(frozen=True)
class NetworkNode:
    """A site or actor of the supply network with its tier (0: the orchestrator) and the worst
    REI of a scenario that takes it down (None: not in the stress test)."""

    key: str
    tier: int
    rei: float | None = None


@dataclass(frozen=True)
class Exposure:
    """The gist of the newest stored stress test and the network it ran on."""

    run: int
    finished: str | None
    by: str | None
    currency: str
    scenarios: int
    with_impact: int
    worst_impact: float
    top: tuple[ExposureRow, ...]
    nodes: tuple[NetworkNode, ...] = ()
    edges: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class InitiativeLine:
    """A joint initiative active in the period; money in ``currency``."""

    key: str
    title: str
    partners: tuple[str, ...]
    started_on: date
    launched_on: date | None
    value_created: float
    currency: str


@dataclass(frozen=True)
class LogLine:
    """One entry of the learning log: its review, subject (period or incident), kind, text,
    partners and links (``kind:id``)."""

    review: str
    subject: str
    kind: str
    text: str
    partners: tuple[str, ...] = ()
    links: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReportData:
    """Everything the executive review of one period shows.

    ``audience`` is the partner actor the report was made for (None: the orchestrator's view);
    ``segments`` and ``exposure`` are None where the reader may not see them.
    """

    ecosystem: str
    title: str
    period: str
    periods: tuple[str, ...]
    generated_at: datetime
    currency: str
    kpis: tuple[KpiLine, ...]
    scorecards: tuple[ScoreLine, ...] = ()
    definition: str = "Partner scorecard"
    segments: tuple[SegmentLine, ...] | None = None
    segment_notes: tuple[str, ...] = ()
    exposure: Exposure | None = None
    initiatives: tuple[InitiativeLine, ...] = ()
    log: tuple[LogLine, ...] = ()
    audience: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    def headline(self) -> list[KpiLine]:
        """The headline KPIs (:data:`HEADLINE`) in that order."""
        by_key = {k.key: k for k in self.kpis}
        return [by_key[key] for key in HEADLINE if key in by_key]

    def breaches(self) -> list[KpiLine]:
        """The KPIs whose value breaches its target."""
        return [k for k in self.kpis if k.status == "breach"]


def format_value(value: float | None, unit: str, better: str = "higher", currency: str = "") -> str:
    """A KPI value as people read it: shares in percent (signed when best at zero), days and
    hours with one decimal, money with thousands separators; None is an en dash.

    Examples
    --------
    >>> format_value(0.9176, "share"), format_value(-0.02, "share", "zero")
    ('91.8%', '-2.0%')
    >>> format_value(8.78, "days"), format_value(1036000.0, "currency", currency="EUR")
    ('8.8 d', '1,036,000 EUR')
    """
    if value is None:
        return DASH
    if unit == "share":
        return f"{value:+.1%}" if better == "zero" else f"{value:.1%}"
    if unit == "days":
        return f"{value:,.1f} d"
    if unit == "hours":
        return f"{value:,.1f} h"
    if unit == "currency":
        return f"{value:,.0f} {currency}".strip()
    return f"{value:,.2f}"


def format_score(value: float | None) -> str:
    """A 0-100 score with no decimals; None is an en dash."""
    return DASH if value is None else f"{value:.0f}"


def change(line: KpiLine) -> float | None:
    """The change of a KPI from the previous period with a value to this one (None: no pair)."""
    if line.value is None:
        return None
    earlier = [v for v in line.trend[:-1] if v is not None]
    return line.value - earlier[-1] if earlier else None
