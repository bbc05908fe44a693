"""The executive ecosystem review of a period as one self-contained HTML page or a PDF.

Pure with respect to the database: :func:`render_html` and :func:`render_pdf` take a
:class:`~podium.learn.report_data.ReportData` (which :func:`podium.learn.report_service.gather`
fills) and return the document. The HTML carries its CSS inline and its plots as embedded PNG
data URIs (matplotlib on the Agg canvas), so it opens anywhere offline; the PDF is written by
matplotlib's ``PdfPages``: a title page with the headline KPIs, then the plots and the tables as
pages. No external tool is used.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

from jinja2 import Environment
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from podium.learn import report_charts as charts
from podium.learn.report_data import (
    DASH,
    STATUS_WORDS,
    KpiLine,
    ReportData,
    change,
    format_score,
    format_value,
)
from podium.learn.report_template import TEMPLATE

__all__ = ["ReportData", "render_html", "render_pdf"]

_ENV = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
_ENV.filters.update(score=format_score)


def _kpi_text(line: KpiLine, currency: str) -> str:
    return format_value(line.value, line.unit, line.better, currency)


def _change_text(line: KpiLine, currency: str) -> str:
    moved = change(line)
    if moved is None:
        return DASH
    text = format_value(abs(moved), line.unit, "higher", currency)
    return ("+" if moved >= 0 else "-") + text


def _target_text(line: KpiLine, currency: str) -> str:
    if line.target is None:
        return DASH
    return format_value(line.target, line.unit, line.better, currency)


def _images(report: ReportData) -> dict[str, str]:
    """The plots as PNG data URIs, by name (a plot with nothing to draw is left out)."""
    found: dict[str, Figure | None] = {
        "trends": charts.kpi_trends(report.kpis, report.periods),
        "scorecards": charts.scorecard_bars(report.scorecards),
    }
    if report.exposure is not None:
        found["exposure"] = charts.exposure_bars(report.exposure)
        found["network"] = charts.network(report.exposure)
    return {name: charts.png_data_uri(fig) for name, fig in found.items() if fig is not None}


def render_html(report: ReportData) -> str:
    """Render the review as one self-contained HTML page (inline CSS, plots embedded)."""
    currency = report.currency
    kpis = [
        {
            "key": line.key,
            "line": line,
            "value": _kpi_text(line, currency),
            "change": _change_text(line, currency),
            "target": _target_text(line, currency),
            "status": STATUS_WORDS.get(line.status or "", DASH),
        }
        for line in report.kpis
    ]
    chosen = {line.key for line in report.headline()}
    headline = [row for row in kpis if row["key"] in chosen]
    return _ENV.from_string(TEMPLATE).render(
        report=report,
        kpis=kpis,
        headline=headline,
        images=_images(report),
        format_value=format_value,
        dash=DASH,
    )


# --- PDF ------------------------------------------------------------------------------------------


def _title_page(report: ReportData) -> Figure:
    """The title page: what, for whom, when, and the headline KPIs with their status."""
    fig = charts.figure(11.69, 8.27)
    fig.text(0.06, 0.90, "Executive ecosystem review", fontsize=24, fontweight="bold")
    fig.text(0.06, 0.85, f"{report.title}  ·  {report.period}", fontsize=15, color="#334155")
    who = f"for partner {report.audience}" if report.audience else "orchestrator's view"
    stamp = report.generated_at.strftime("%d %b %Y %H:%M UTC")
    fig.text(0.06, 0.81, f"Generated {stamp}, {who}", fontsize=10, color="#64748b")
    for index, line in enumerate(report.headline()):
        column, row = index % 4, index // 4
        x, y = 0.06 + 0.225 * column, 0.66 - 0.2 * row
        fig.text(x, y + 0.05, line.title, fontsize=10, color="#475569")
        fig.text(x, y, _kpi_text(line, report.currency), fontsize=20, fontweight="bold")
        status = STATUS_WORDS.get(line.status or "", "no target")
        fig.text(x, y - 0.035, f"{status}; change {_change_text(line, report.currency)}",
                 fontsize=8, color=_status_color(line.status))  # fmt: skip
    breaches = report.breaches()
    lines = [f"Targets breached: {', '.join(k.title for k in breaches) or 'none'}."]
    if report.scorecards:
        standings = [c.standing or "no score" for c in report.scorecards]
        counted = ", ".join(f"{standings.count(s)} {s}" for s in dict.fromkeys(standings))
        lines.append(f"Partner scorecards ({report.definition}): {counted}.")
    if report.segments:
        actions = [s.action for s in report.segments]
        counted = ", ".join(f"{actions.count(a)} {a}" for a in dict.fromkeys(actions))
        lines.append(f"Recommendations: {counted}.")
    for index, text in enumerate([*lines, *report.notes]):
        fig.text(0.06, 0.22 - 0.035 * index, text, fontsize=10, color="#1e293b")
    return fig


def _status_color(status: str | None) -> str:
    return {"ok": "#15803d", "warning": "#b45309", "breach": "#b91c1c"}.get(status or "", "#64748b")


def _figure_page(title: str, fig: Figure | None) -> Figure | None:
    if fig is not None:
        fig.suptitle(title, x=0.02, ha="left", fontsize=13, fontweight="bold")
        fig.subplots_adjust(top=min(fig.subplotpars.top, 0.9))
    return fig


def _kpi_rows(report: ReportData) -> list[list[str]]:
    return [
        [line.title, _kpi_text(line, report.currency), str(line.basis),
         _change_text(line, report.currency), _target_text(line, report.currency),
         STATUS_WORDS.get(line.status or "", DASH)]
        for line in report.kpis
    ]  # fmt: skip


def _pages(report: ReportData) -> Iterator[Figure | None]:
    """Every page of the PDF in order (None: a plot with nothing to draw)."""
    yield _title_page(report)
    yield from charts.table_pages(
        f"KPIs of {report.period}",
        ["KPI", "Value", "Basis", "Change", "Target", "Status"],
        _kpi_rows(report),
        [34, 14, 8, 14, 14, 12],
        per_page=24,
    )
    yield _figure_page("KPI trends", charts.kpi_trends(report.kpis, report.periods))
    yield _figure_page(f"Partner scorecards ({report.definition})",
                       charts.scorecard_bars(report.scorecards))  # fmt: skip
    yield from charts.table_pages(
        "Partner scorecards",
        ["Partner", "Total", "Standing", "Trend", "Coverage", "Criteria (score)"],
        [[c.name or c.partner, format_score(c.total), c.standing or DASH, c.direction,
          f"{c.coverage:.0%}",
          "; ".join(f"{k.title} {format_score(k.score)}" for k in c.criteria)]
         for c in report.scorecards],
        [26, 7, 10, 16, 9, 60],
    )  # fmt: skip
    if report.exposure is not None:
        yield _figure_page("Exposure: the worst stress-test scenarios",
                           charts.exposure_bars(report.exposure))  # fmt: skip
        yield _figure_page("Exposure map", charts.network(report.exposure))
    if report.segments is not None:
        yield from charts.table_pages(
            "Segments and recommendations",
            ["Partner", "Segment", "Action", "Reasons"],
            [[s.name or s.partner, s.segment, s.action, "; ".join(s.reasons)]
             for s in report.segments],
            [24, 14, 10, 90],
            per_page=10,
        )  # fmt: skip
    yield from charts.table_pages(
        "Joint initiatives",
        ["Initiative", "Partners", "Started", "Launched", "Value created"],
        [[i.title, ", ".join(i.partners), str(i.started_on), str(i.launched_on or DASH),
          format_value(i.value_created, "currency", currency=i.currency)]
         for i in report.initiatives],
        [40, 30, 12, 12, 18],
    )  # fmt: skip
    yield from charts.table_pages(
        "Learning log",
        ["Review", "Kind", "Lesson", "Partners", "Links"],
        [[f"{e.review} ({e.subject})", e.kind.replace("_", " "), e.text, ", ".join(e.partners),
          ", ".join(e.links)] for e in report.log],
        [26, 14, 60, 18, 18],
        per_page=12,
    )  # fmt: skip


def render_pdf(report: ReportData) -> bytes:
    """Render the review as a PDF: a title page, then the plots and tables, one per page."""
    buffer = io.BytesIO()
    metadata = {"Title": f"Executive ecosystem review: {report.title}, {report.period}"}
    with PdfPages(buffer, metadata=metadata) as pdf:
        for page in _pages(report):
            if page is not None:
                pdf.savefig(page)
    return buffer.getvalue()
