"""``podium govern escalations``: raise, list, acknowledge, escalate, resolve, sweep."""

from __future__ import annotations

import typer

app = typer.Typer(help="Escalations and their SLA clocks.", no_args_is_help=True)
