"""``podium govern disputes``: open, add evidence, advance the mechanism, close."""

from __future__ import annotations

import typer

app = typer.Typer(help="Disputes and their agreed mechanism.", no_args_is_help=True)
