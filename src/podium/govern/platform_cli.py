"""``podium govern platforms``: platform-dependency assessments and terms-change scenarios."""

from __future__ import annotations

import typer

app = typer.Typer(help="Strategic dependency on platform partners.", no_args_is_help=True)
