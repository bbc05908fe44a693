"""Summaries, comparisons and tables of stored analysis reports (pure: JSON values in and out).

A stored report is the ``to_dict()`` of a stress test (:mod:`podium.mapping.resilience`) or of a
structure report (:mod:`podium.mapping.structure`). These functions read those dictionaries, so
they work the same on a report just computed and on one loaded from the database.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any, BinaryIO

import openpyxl
from openpyxl.cell import WriteOnlyCell

TOP_FIELDS = ("scenario", "kind", "label", "ttr_days", "tts_days", "tts_limited",
              "performance_impact", "risk_exposure_index")  # fmt: skip
"""Fields of each scenario in a stress test's summary."""
COMPARED = ("performance_impact", "risk_exposure_index", "tts_days", "ttr_days", "lost_units")
"""Fields of each scenario shown side by side in a comparison."""
RISK_COLUMNS = ("rank", "scenario", "kind", "label", "sites", "products", "ttr_days", "tts_days",
                "tts_limited", "shortage_days", "performance_impact", "currency",
                "risk_exposure_index", "lost_units", "method")  # fmt: skip
"""Columns of a stress test's risk table, one row per scenario."""
FINDING_COLUMNS = ("rank", "severity", "category", "subject", "product", "value", "explanation",
                   "path")  # fmt: skip
"""Columns of a structure report's table, one row per finding."""
TABLE_FORMATS = ("csv", "xlsx")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# --- summaries ------------------------------------------------------------------------------------


def sorted_results(results: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return stress-test results worst first: by REI, then PI, then scenario id.

    Examples
    --------
    >>> rows = [{"scenario": "a", "risk_exposure_index": 0.5, "performance_impact": 5.0},
    ...         {"scenario": "b", "risk_exposure_index": 1.0, "performance_impact": 10.0}]
    >>> [r["scenario"] for r in sorted_results(rows)]
    ['b', 'a']
    """
    return sorted(
        results,
        key=lambda r: (
            -(r.get("risk_exposure_index") or 0.0),
            -(r.get("performance_impact") or 0.0),
            str(r.get("scenario")),
        ),
    )


def summarize_stress_test(report: dict[str, Any], *, top: int = 5) -> dict[str, Any]:
    """Return the gist of a stress-test report: counts, the worst impact and the top scenarios."""
    results = sorted_results(report.get("results", []))
    impacts = [r.get("performance_impact") or 0.0 for r in results]
    return {
        "scenarios": len(results),
        "by": report.get("by"),
        "currency": report.get("currency"),
        "horizon_days": report.get("horizon_days"),
        "with_impact": sum(1 for pi in impacts if pi > 0),
        "max_performance_impact": max(impacts, default=0.0),
        "total_lost_units": sum(r.get("lost_units") or 0.0 for r in results),
        "timing": report.get("timing", {}),
        "top": [{k: r.get(k) for k in TOP_FIELDS} for r in results[:top]],
    }


def summarize_findings(report: dict[str, Any], *, top: int = 5) -> dict[str, Any]:
    """Return the gist of a structure report: findings by severity and category, the first few."""
    findings: list[dict[str, Any]] = list(report.get("findings", []))
    return {
        "findings": len(findings),
        "by_severity": dict(Counter(str(f.get("severity")) for f in findings)),
        "by_category": dict(Counter(str(f.get("category")) for f in findings)),
        "visibility": report.get("visibility"),
        "top": findings[:top],
    }


def json_ready(value: Any) -> Any:
    """Return ``value`` with tuples as lists and non-finite floats as None (JSON has no inf).

    Examples
    --------
    >>> json_ready({"a": (1.0, float("inf")), "b": float("nan")})
    {'a': [1.0, None], 'b': None}
    """
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(v) for v in value]
    return value


# --- comparison -----------------------------------------------------------------------------------


def compare_results(
    before: Sequence[dict[str, Any]], after: Sequence[dict[str, Any]]
) -> dict[str, Any]:
    """Compare two stress tests scenario by scenario (``after`` against ``before``).

    A scenario got ``worse`` when its performance impact grew (or, at equal impact, its time to
    survive shrank), ``better`` the other way round, else it stayed the ``same``; ``added`` and
    ``removed`` are scenarios only ``after`` or only ``before`` has. Returns ``counts`` per change
    and ``scenarios``, the largest changes of impact first.

    Examples
    --------
    >>> a = [{"scenario": "s1", "performance_impact": 10.0, "tts_days": 3.0}]
    >>> b = [{"scenario": "s1", "performance_impact": 4.0, "tts_days": 9.0}]
    >>> compare_results(a, b)["scenarios"][0]["change"]
    'better'
    """
    old = {r["scenario"]: r for r in before}
    new = {r["scenario"]: r for r in after}
    deltas = [_delta(key, old.get(key), new.get(key)) for key in {*old, *new}]
    deltas.sort(
        key=lambda d: (
            -abs(d["performance_impact_delta"] or 0.0),
            -abs(d["tts_days_delta"] or 0.0),
            d["scenario"],
        )
    )
    return {"counts": dict(Counter(d["change"] for d in deltas)), "scenarios": deltas}


def _delta(key: str, a: dict[str, Any] | None, b: dict[str, Any] | None) -> dict[str, Any]:
    either = b or a or {}
    entry: dict[str, Any] = {
        "scenario": key,
        "label": either.get("label"),
        "kind": either.get("kind"),
        "a": {f: a.get(f) for f in COMPARED} if a else None,
        "b": {f: b.get(f) for f in COMPARED} if b else None,
    }
    for field in ("performance_impact", "risk_exposure_index", "tts_days"):
        old, new = (a or {}).get(field), (b or {}).get(field)
        entry[f"{field}_delta"] = new - old if old is not None and new is not None else None
    entry["change"] = _change(a, b, entry)
    return entry


def _change(a: dict[str, Any] | None, b: dict[str, Any] | None, entry: dict[str, Any]) -> str:
    if a is None:
        return "added"
    if b is None:
        return "removed"
    pi, tts = entry["performance_impact_delta"] or 0.0, entry["tts_days_delta"] or 0.0
    scale = max(abs(a.get("performance_impact") or 0.0), 1.0)
    if abs(pi) > 1e-9 * scale:
        return "worse" if pi > 0 else "better"
    if abs(tts) > 1e-9:
        return "better" if tts > 0 else "worse"
    return "same"


# --- tables ---------------------------------------------------------------------------------------


def scenario_rows(
    results: Sequence[dict[str, Any]], *, currency: str | None = None
) -> list[dict[str, Any]]:
    """Return stress-test results as risk-table rows, worst first, lists joined with ``;``."""
    return [
        {c: _cell(r.get(c)) for c in RISK_COLUMNS} | {"rank": rank, "currency": currency}
        for rank, r in enumerate(sorted_results(results), start=1)
    ]


def finding_rows(findings: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return structure findings as table rows in the report's order."""
    return [
        {c: _cell(f.get(c)) for c in FINDING_COLUMNS} | {"rank": rank}
        for rank, f in enumerate(findings, start=1)
    ]


def _cell(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return ";".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True)
    return value


def write_risk_table(
    rows: Sequence[dict[str, Any]],
    target: str | Path | BinaryIO,
    *,
    format: str = "csv",
    columns: Sequence[str] | None = None,
) -> None:
    """Write table rows to a file or binary buffer as CSV (UTF-8) or XLSX, a header row first.

    The columns are ``columns``, else the first row's keys. Text that a spreadsheet would run as
    a formula (``=``, ``+``, ``-``, ``@`` first) stays text: quoted with ``'`` in CSV, typed as a
    string in XLSX.
    """
    if format not in TABLE_FORMATS:
        raise ValueError(f"unknown table format {format!r}; one of {', '.join(TABLE_FORMATS)}")
    header = list(columns or (rows[0] if rows else ()))
    if format == "csv":
        text = io.StringIO(newline="")
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(header)
        writer.writerows([_csv_text(row.get(c)) for c in header] for row in rows)
        data = text.getvalue().encode("utf-8")
        if isinstance(target, str | Path):
            Path(target).write_bytes(data)
        else:
            target.write(data)
        return
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("risk")
    sheet.append(header)
    for row in rows:
        sheet.append([_xlsx_cell(sheet, row.get(c)) for c in header])
    workbook.save(target)


def _csv_text(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return "" if value is None else value


def _xlsx_cell(sheet: Any, value: Any) -> Any:
    if isinstance(value, str) and value.startswith("="):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value
