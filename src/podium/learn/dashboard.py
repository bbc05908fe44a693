"""What the console's Learn pages show, made from the report's values (pure: plain values in and
out): KPI cards and rows, the charts' data (embedded as JSON for ECharts), the period picker's
choices and the evidence links of a scorecard.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import timedelta
from typing import Any
from urllib.parse import quote

from podium.learn.periods import Period, period_of, previous
from podium.learn.report_data import (
    DASH,
    HEADLINE,
    STATUS_WORDS,
    KpiLine,
    ReportData,
    change,
    format_value,
)

CHOICES = (("quarter", 8), ("month", 12), ("year", 3))
"""How many recent periods of each kind the period picker offers."""
CONSOLE_DATASETS = ("deliveries", "forecasts", "inventory", "risk_signals", "disruptions")
"""Datasets the console's Integrate pages browse (``/ecosystems/{name}/data/{dataset}``)."""


def _rounded(value: float | None, digits: int = 6) -> float | None:
    return None if value is None or not math.isfinite(value) else round(value, digits)


def kpi_row(line: KpiLine, currency: str) -> dict[str, Any]:
    """One KPI as the page shows it: the value, its change and target as text, the status."""
    moved = change(line)
    return {
        "key": line.key,
        "title": line.title,
        "unit": line.unit,
        "value": format_value(line.value, line.unit, line.better, currency),
        "basis": line.basis,
        "change": DASH if moved is None else
        ("+" if moved >= 0 else "-") + format_value(abs(moved), line.unit, "higher", currency),
        "target": DASH if line.target is None else
        format_value(line.target, line.unit, line.better, currency),
        "status": line.status,
        "status_word": STATUS_WORDS.get(line.status or "", "no target"),
        "better": line.better,
    }  # fmt: skip


def kpi_cards(report: ReportData, keys: Sequence[str] = HEADLINE) -> list[dict[str, Any]]:
    """The KPIs ``keys`` (the headline ones by default) as page rows, in that order."""
    by_key = {line.key: line for line in report.kpis}
    return [kpi_row(by_key[key], report.currency) for key in keys if key in by_key]


def chart_data(report: ReportData) -> dict[str, Any]:
    """The charts' data: every KPI with a value in some period (raw values in its unit, shares
    0..1), the scorecard totals and the worst stress-test scenarios."""
    exposure = report.exposure
    return {
        "periods": list(report.periods),
        "currency": report.currency,
        "kpis": [
            {"key": k.key, "title": k.title, "unit": k.unit, "better": k.better,
             "values": [_rounded(v) for v in k.trend], "target": _rounded(k.target)}
            for k in report.kpis
            if any(v is not None for v in k.trend)
        ],
        "scorecards": [
            {"partner": c.partner, "name": c.name, "total": _rounded(c.total, 2),
             "standing": c.standing, "history": [_rounded(t, 2) for t in c.history]}
            for c in report.scorecards
        ],
        "exposure": [
            {"label": r.label, "rei": _rounded(r.rei, 4), "impact": _rounded(r.impact, 2)}
            for r in (exposure.top if exposure else ())
        ],
    }  # fmt: skip


def period_choices(chosen: Period, latest: Period | None = None) -> list[str]:
    """The picker's choices: the chosen period, then recent quarters, months and years before
    ``latest`` (the last complete quarter by default: the chosen one)."""
    last = (latest or chosen).end
    found = [chosen.label]
    for kind, count in CHOICES:
        newest = period_of(last - timedelta(days=1), kind)
        found += [p.label for p in previous(newest, count)[::-1]]
    return list(dict.fromkeys(found))


def console_path(path: str, ecosystem: str) -> str | None:
    """The console page that shows what the API ``path`` returns (None: no such page)."""
    api = f"/api/v1/ecosystems/{quote(ecosystem, safe='')}"
    if not path.startswith(api):
        return None
    rest = path[len(api) :]
    console = f"/ecosystems/{quote(ecosystem, safe='')}"
    for dataset in CONSOLE_DATASETS:
        if rest.startswith(f"/data/{dataset}"):
            return console + rest
    pages = {"/exceptions": "/exceptions", "/submissions": "/data",
             "/initiatives": "/learn#initiatives", "/analyses": "/exposure"}  # fmt: skip
    return console + pages[rest] if rest in pages else None


def evidence_links(evidence: Sequence[dict[str, Any]], ecosystem: str) -> list[dict[str, Any]]:
    """Per KPI of a scorecard, the links to the numbers and rows behind it: the KPI by
    provider and its series (API, JSON), and the rows (a console page where there is one)."""
    found = []
    for item in evidence:
        rows = [
            {"api": path, "console": console_path(path, ecosystem), "label": _label(path)}
            for path in item.get("rows", [])
        ]
        found.append({**item, "row_links": rows})
    return found


def _label(path: str) -> str:
    """A path's last segment without its query, as a link's words."""
    return path.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1].replace("_", " ")
