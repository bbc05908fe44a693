"""``podium scorecards``: scorecard definitions, partner scorecards and segments."""

from __future__ import annotations

import typer

app = typer.Typer(help="Partner scorecards, segments and recommendations.", no_args_is_help=True)
