"""``podium kpis``: compute KPIs, set targets, record initiatives and reviews."""

from __future__ import annotations

import typer

app = typer.Typer(
    help="Ecosystem KPIs, their targets, joint initiatives and reviews.", no_args_is_help=True
)
