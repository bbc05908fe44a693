"""The executive review's plots, drawn with matplotlib (pure: report values in, figures out).

Figures are built as :class:`matplotlib.figure.Figure` objects, never through ``pyplot``, so
nothing global changes and rendering works in threads: PNG output goes through the Agg canvas,
PDF pages through :class:`~matplotlib.backends.backend_pdf.PdfPages`. Each function returns
None when there is nothing to draw.
"""

from __future__ import annotations

import base64
import io
import math
import textwrap
from collections.abc import Sequence

import networkx as nx
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import StrMethodFormatter

from podium.learn.report_data import Exposure, KpiLine, ScoreLine

STANDING_COLORS = {
    "excellent": "#15803d",
    "good": "#65a30d",
    "watch": "#d97706",
    "poor": "#b91c1c",
    None: "#94a3b8",
}
ACCENT = "#2563eb"
MUTED = "#94a3b8"
MAX_TRENDS = 16
"""Most KPIs drawn in the trend grid (those with a value in some period)."""


def figure(width: float, height: float) -> Figure:
    """A blank figure (inches) on the Agg canvas."""
    found = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(found)
    return found


def png_data_uri(fig: Figure, dpi: int = 110) -> str:
    """The figure as a ``data:image/png;base64,...`` URI."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _scaled(line: KpiLine) -> tuple[list[float], str]:
    """The trend with nulls as NaN, shares in percent, and the axis unit."""
    factor = 100.0 if line.unit == "share" else 1.0
    values = [math.nan if v is None else v * factor for v in line.trend]
    label = {"share": "%", "days": "days", "hours": "hours"}.get(line.unit, line.unit)
    return values, label


def kpi_trends(kpis: Sequence[KpiLine], periods: Sequence[str]) -> Figure | None:
    """Small multiples: each KPI with a value in some period over the periods, its target as
    a dashed line."""
    shown = [k for k in kpis if any(v is not None for v in k.trend)][:MAX_TRENDS]
    if not shown:
        return None
    columns = 4
    rows = math.ceil(len(shown) / columns)
    fig = figure(11, 2.3 * rows)
    x = list(range(len(periods)))
    for index, line in enumerate(shown):
        ax = fig.add_subplot(rows, columns, index + 1)
        values, label = _scaled(line)
        ax.plot(x, values, marker="o", color=ACCENT, linewidth=1.6, markersize=4)
        if line.target is not None:
            target = line.target * (100.0 if line.unit == "share" else 1.0)
            ax.axhline(target, color="#16a34a", linestyle="--", linewidth=1)
        ax.set_title(textwrap.shorten(line.title, 34), fontsize=9)
        ax.set_xticks(x, [p[2:] if len(p) > 4 else p for p in periods], fontsize=7)
        ax.tick_params(axis="y", labelsize=7)
        if line.unit == "currency":
            ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
        ax.set_ylabel(label, fontsize=7)
        ax.grid(alpha=0.25)
        ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def scorecard_bars(cards: Sequence[ScoreLine]) -> Figure | None:
    """Partners' totals (0-100) as horizontal bars, best on top, coloured by standing."""
    scored = sorted((c for c in cards if c.total is not None), key=lambda c: c.total or 0.0)
    if not scored:
        return None
    fig = figure(8, max(2.0, 0.32 * len(scored) + 0.9))
    ax = fig.add_subplot(1, 1, 1)
    names = [textwrap.shorten(c.name or c.partner, 36) for c in scored]
    totals = [c.total or 0.0 for c in scored]
    colors = [STANDING_COLORS.get(c.standing, MUTED) for c in scored]
    ax.barh(names, totals, color=colors)
    for y, total in enumerate(totals):
        ax.text(total + 1, y, f"{total:.0f}", va="center", fontsize=8)
    ax.set_xlim(0, 105)
    ax.set_xlabel("Scorecard total (0-100)", fontsize=8)
    ax.tick_params(labelsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    handles = [
        Patch(color=color, label=str(name or "no score"))
        for name, color in STANDING_COLORS.items()
        if name in {c.standing for c in scored}
    ]
    ax.legend(handles=handles, fontsize=7, loc="lower right", frameon=False)
    fig.tight_layout()
    return fig


def exposure_bars(exposure: Exposure) -> Figure | None:
    """The stress test's worst scenarios by Risk Exposure Index (0..1)."""
    rows = [r for r in exposure.top if r.rei > 0]
    if not rows:
        return None
    rows = rows[::-1]
    fig = figure(8, max(2.0, 0.32 * len(rows) + 0.9))
    ax = fig.add_subplot(1, 1, 1)
    labels = [textwrap.shorten(r.label, 40) for r in rows]
    ax.barh(labels, [r.rei for r in rows], color="#c2410c")
    for y, row in enumerate(rows):
        text = f"{row.rei:.2f}  ({row.impact:,.0f} {exposure.currency})"
        ax.text(row.rei + 0.01, y, text, va="center", fontsize=7)
    ax.set_xlim(0, 1.45)
    ax.set_xlabel("Risk Exposure Index (performance impact over the worst)", fontsize=8)
    ax.tick_params(labelsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def network(exposure: Exposure) -> Figure | None:
    """The supply network by tier (orchestrator on the right), nodes coloured by REI."""
    if not exposure.nodes:
        return None
    graph = nx.DiGraph()
    for node in exposure.nodes:
        graph.add_node(node.key, tier=-node.tier)
    graph.add_edges_from((s, t) for s, t in exposure.edges if s in graph and t in graph)
    positions = nx.multipartite_layout(graph, subset_key="tier")
    fig = figure(10, 5.5)
    ax = fig.add_subplot(1, 1, 1)
    nx.draw_networkx_edges(graph, positions, ax=ax, alpha=0.25, arrowsize=6, width=0.7)
    tested = [n for n in exposure.nodes if n.rei is not None]
    untested = [n.key for n in exposure.nodes if n.rei is None]
    nx.draw_networkx_nodes(graph, positions, nodelist=untested, ax=ax, node_size=40,
                           node_color="#e2e8f0", edgecolors=MUTED, linewidths=0.5)  # fmt: skip
    if tested:
        drawn = nx.draw_networkx_nodes(
            graph, positions, nodelist=[n.key for n in tested], ax=ax,
            node_color=[n.rei or 0.0 for n in tested], cmap="OrRd", vmin=0.0, vmax=1.0,
            node_size=[40 + 160 * (n.rei or 0.0) for n in tested], edgecolors="#7c2d12",
            linewidths=0.5,
        )  # fmt: skip
        fig.colorbar(drawn, ax=ax, shrink=0.6, label="REI")
    worst = sorted(tested, key=lambda n: -(n.rei or 0.0))[:8]
    labels = {n.key: n.key for n in worst if (n.rei or 0.0) > 0}
    labels |= {n.key: n.key for n in exposure.nodes if n.tier == 0}
    nx.draw_networkx_labels(graph, positions, labels=labels, ax=ax, font_size=7)
    tiers = sorted({n.tier for n in exposure.nodes})
    ax.set_title("Supply network by tier: " + ", ".join(f"tier {t}" for t in tiers[::-1]),
                 fontsize=9)  # fmt: skip
    ax.axis("off")
    fig.tight_layout()
    return fig


def table_pages(
    title: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths: Sequence[int],
    *,
    per_page: int = 18,
) -> list[Figure]:
    """A table as A4-landscape pages (text wrapped at ``widths`` characters per column)."""
    pages: list[Figure] = []
    chunks = [rows[i : i + per_page] for i in range(0, len(rows), per_page)] or [[]]
    for number, chunk in enumerate(chunks, start=1):
        fig = figure(11.69, 8.27)
        suffix = f" ({number}/{len(chunks)})" if len(chunks) > 1 else ""
        fig.suptitle(title + suffix, x=0.05, ha="left", fontsize=14, fontweight="bold")
        ax = fig.add_axes((0.04, 0.04, 0.92, 0.86))
        ax.axis("off")
        if not chunk:
            ax.text(0, 0.95, "Nothing to show for this period.", fontsize=10, color="#475569")
            pages.append(fig)
            continue
        cells = [
            [textwrap.fill(str(cell), width) for cell, width in zip(row, widths, strict=True)]
            for row in chunk
        ]
        total = sum(widths)
        table = ax.table(
            cellText=cells, colLabels=list(columns), loc="upper left", cellLoc="left",
            colWidths=[w / total for w in widths],
        )  # fmt: skip
        table.auto_set_font_size(False)
        table.set_fontsize(7.5)
        lines = [1] + [max(cell.count("\n") + 1 for cell in row) for row in cells]
        for (row, _), cell in table.get_celld().items():
            cell.set_height(0.03 * lines[row] + 0.008)
            cell.set_edgecolor("#cbd5e1")
            if row == 0:
                cell.set_facecolor("#f1f5f9")
                cell.get_text().set_fontweight("bold")
        pages.append(fig)
    return pages
