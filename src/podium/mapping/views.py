"""What the exposure pages show, made from stored analysis runs (plain values in and out).

A stress-test run's ``results`` is :meth:`StressTestReport.to_dict`; a structure run's is
:meth:`StructureReport.to_dict` (``findings`` with a category, severity, subject and explanation).
These functions turn them into rows for the templates and the payload that colours the map.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any, Protocol

DASH = "\u2013"
TOP_RISKS = 10
TABLE_ROWS = 50
FINDINGS_SHOWN = ("spof", "hidden_subtier", "concentration")
GROUP_TITLES = {
    "spof": "Single points of failure",
    "hidden_subtier": "Hidden sub-tier dependencies",
    "concentration": "Concentrations",
    "sole_source": "Sole sources",
    "bottleneck": "Bottlenecks",
    "switching": "Slow to switch",
    "visibility": "Visibility",
}
MARKED = ("spof", "hidden_subtier")
"""Finding categories whose subjects are marked on the map."""
COLUMNS: tuple[tuple[str, str, bool], ...] = (
    ("rank", "#", True),
    ("label", "Scenario", False),
    ("kind", "Kind", False),
    ("rei", "REI", True),
    ("pi", "PI", True),
    ("ttr", "TTR (d)", True),
    ("tts", "TTS (d)", True),
    ("shortage", "Shortage (d)", True),
    ("lost_units", "Lost units", True),
    ("products", "Products", False),
)
UNITS = {"stress_test": "scenarios", "structure": "steps"}
TITLES = {"stress_test": "Stress test", "structure": "Structure analysis"}


class Run(Protocol):
    """The fields of a stored analysis run that the views read."""

    id: int
    kind: str
    status: str
    parameters: dict[str, Any]
    progress_done: int
    progress_total: int
    error: str | None
    results: dict[str, Any] | None
    duration_seconds: float | None


def progress_view(run: Run) -> dict[str, Any]:
    """Return a run's state for the progress fragment: counts, percentage, title and unit."""
    done, total = run.progress_done or 0, run.progress_total or 0
    percent = 100.0 if run.status == "done" else (100.0 * done / total if total else 0.0)
    return {
        "id": run.id,
        "kind": run.kind,
        "title": TITLES.get(run.kind, run.kind),
        "unit": UNITS.get(run.kind, "steps"),
        "status": run.status,
        "done": done,
        "total": total,
        "percent": round(min(100.0, percent), 1),
        "seconds": run.duration_seconds,
        "error": run.error,
    }


def _row(result: dict[str, Any], top: float) -> dict[str, Any]:
    rei = float(result.get("risk_exposure_index") or 0.0)
    ttr = float(result.get("ttr_days") or 0.0)
    tts = result.get("tts_days")
    tts = float(tts) if tts is not None and math.isfinite(float(tts)) else None
    shortage = result.get("shortage_days")
    return {
        "scenario": result["scenario"],
        "label": result.get("label") or result["scenario"],
        "kind": result.get("kind"),
        "sites": list(result.get("sites") or ()),
        "rei": rei,
        "share": round(rei / top, 3) if top > 0 else 0.0,
        "pi": float(result.get("performance_impact") or 0.0),
        "ttr": ttr,
        "tts": tts,
        "tts_limited": bool(result.get("tts_limited")),
        "shortage": float(shortage) if shortage is not None else max(0.0, ttr - (tts or ttr)),
        "lost_units": float(result.get("lost_units") or 0.0),
        "products": list(result.get("products") or ()),
        "delta_rei": None,
        "delta_pi": None,
    }


def stress_view(run: Run, previous: Run | None = None) -> dict[str, Any]:
    """Return the figures, the scenario rows (worst first) and the change since ``previous``."""
    report = run.results or {}
    found = report.get("results") or []
    top = max((float(r.get("risk_exposure_index") or 0.0) for r in found), default=0.0)
    rows = [_row(r, top) for r in found]
    rows.sort(key=lambda r: (-r["rei"], -r["pi"], r["label"]))
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    if previous is not None and previous.results:
        before = {r["scenario"]: r for r in previous.results.get("results") or []}
        for row in rows:
            old = before.get(row["scenario"])
            if old is not None:
                row["delta_rei"] = row["rei"] - float(old.get("risk_exposure_index") or 0.0)
                row["delta_pi"] = row["pi"] - float(old.get("performance_impact") or 0.0)
    return {
        "run": run,
        "currency": report.get("currency") or "",
        "by": report.get("by") or run.parameters.get("by", "site"),
        "horizon_days": report.get("horizon_days") or run.parameters.get("horizon_days"),
        "count": len(rows),
        "max_rei": top,
        "worst_pi": max((r["pi"] for r in rows), default=0.0),
        "short": sum(1 for r in rows if r["shortage"] > 0),
        "rows": rows,
        "top": rows[:TOP_RISKS],
        "previous": previous.id if previous is not None else None,
        "finished": _when(run),
    }


def _when(run: Any) -> str | None:
    finished = getattr(run, "finished_at", None)
    return finished.strftime("%d %b %Y %H:%M UTC") if finished is not None else None


def _sort_key(key: str) -> Any:
    """Return the sort key of a column (ties keep the REI order: the sort is stable)."""
    if key in ("label", "kind"):
        return lambda r: str(r[key] or "").lower()
    if key == "products":
        return lambda r: ", ".join(r["products"]).lower()
    if key == "tts":
        return lambda r: r["tts"] if r["tts_limited"] and r["tts"] is not None else math.inf
    return lambda r: r[key]


def table_page(
    stress: dict[str, Any],
    *,
    sort: str = "rei",
    direction: str = "desc",
    page: int = 1,
    size: int = TABLE_ROWS,
) -> dict[str, Any]:
    """Return one page of the risk table sorted by a column (unknown columns sort by REI)."""
    keys = {key for key, _, _ in COLUMNS}
    sort = sort if sort in keys else "rei"
    direction = direction if direction in ("asc", "desc") else "desc"
    rows = sorted(stress["rows"], key=_sort_key(sort), reverse=direction == "desc")
    pages = max(1, math.ceil(len(rows) / size))
    page = min(max(1, page), pages)
    shown = rows[(page - 1) * size : page * size]
    first = (page - 1) * size + 1 if shown else 0
    return {
        "rows": shown,
        "columns": COLUMNS,
        "sort": sort,
        "dir": direction,
        "page": page,
        "pages": pages,
        "total": len(rows),
        "first": first,
        "last": first + len(shown) - 1 if shown else 0,
        "currency": stress["currency"],
    }


def findings(run: Run) -> list[dict[str, Any]]:
    """Return the findings of a structure run."""
    return list((run.results or {}).get("findings") or [])


def subjects(run: Run) -> set[str]:
    """Return the keys the findings of a structure run are about."""
    return {str(f["subject"]) for f in findings(run) if f.get("subject")}


SEVERITY_ORDER = {"critical": 0, "high": 1, "moderate": 2, "medium": 2, "low": 3, "info": 4}


def _by_subject(found: list[dict[str, Any]], names: dict[str, str]) -> list[dict[str, Any]]:
    """Merge the findings of one category about the same subject: the gravest one speaks."""
    merged: dict[str, dict[str, Any]] = {}
    for finding in sorted(found, key=_gravity):
        subject = str(finding.get("subject") or "")
        item = merged.get(subject)
        if item is None:
            label = names.get(subject, subject) or DASH
            item = dict(finding, subject_label=label, products=[], count=0)
            item["severity"] = str(finding.get("severity") or "info").lower()
            merged[subject] = item
        item["count"] += 1
        product = finding.get("product")
        if product and product not in item["products"]:
            item["products"].append(product)
    return list(merged.values())


def _gravity(finding: dict[str, Any]) -> tuple[int, float, str]:
    severity = SEVERITY_ORDER.get(str(finding.get("severity") or "info").lower(), 5)
    value = finding.get("value")
    return severity, -float(value) if isinstance(value, int | float) else 0.0, str(finding)


def structure_view(run: Run, names: dict[str, str]) -> dict[str, Any]:
    """Return the findings by category (SPOFs, hidden sub-tier, concentration first), one entry
    per subject with the products it affects."""
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for finding in findings(run):
        grouped[str(finding.get("category"))].append(finding)
    order = list(FINDINGS_SHOWN) + sorted(set(grouped) - set(FINDINGS_SHOWN))
    groups = [
        {
            "category": c,
            "title": GROUP_TITLES.get(c, c.replace("_", " ").capitalize()),
            "found": _by_subject(grouped[c], names),
        }
        for c in order
        if c in FINDINGS_SHOWN or grouped[c]
    ]
    counts = {g["category"]: len(g["found"]) for g in groups}
    return {
        "run": run,
        "groups": groups,
        "counts": {c: counts.get(c, 0) for c in GROUP_TITLES} | {"all": len(findings(run))},
        "finished": _when(run),
    }


def map_payload(stress_run: Run | None, structure_run: Run | None) -> dict[str, Any]:
    """Return what colours the map: each site's REI (its worst scenario's) and the marks.

    ``rei`` maps a site to the highest REI of the scenarios it is in; ``worst`` gives that
    scenario's figures; ``marks`` maps a site or actor to the categories it is marked with
    (single point of failure, hidden sub-tier dependency); ``findings`` to the explanations.
    """
    rei: dict[str, float] = {}
    worst: dict[str, dict[str, Any]] = {}
    stress = stress_view(stress_run) if stress_run is not None else None
    for row in stress["rows"] if stress else ():
        for site in row["sites"]:
            if site not in rei or row["rei"] > rei[site]:
                rei[site] = row["rei"]
                worst[site] = {k: row[k] for k in ("label", "pi", "ttr", "tts", "tts_limited")}
    marks: dict[str, list[str]] = defaultdict(list)
    notes: dict[str, list[str]] = defaultdict(list)
    for finding in findings(structure_run) if structure_run is not None else ():
        subject, category = str(finding.get("subject") or ""), str(finding.get("category"))
        if not subject:
            continue
        if category in MARKED and category not in marks[subject]:
            marks[subject].append(category)
        if finding.get("explanation"):
            notes[subject].append(str(finding["explanation"]))
    return {
        "run": stress_run.id if stress_run is not None else None,
        "structure_run": structure_run.id if structure_run is not None else None,
        "currency": stress["currency"] if stress else None,
        "by": stress["by"] if stress else None,
        "max": stress["max_rei"] if stress else 0.0,
        "rei": rei,
        "worst": worst,
        "marks": dict(marks),
        "findings": dict(notes),
    }
