"""``podium govern rights`` and ``podium govern forums``: decision rights, forums, minutes."""

from __future__ import annotations

import typer

rights_app = typer.Typer(help="Decision rights (RACI per decision type).", no_args_is_help=True)
forums_app = typer.Typer(
    help="Forums, cadences, agendas, minutes and decisions.", no_args_is_help=True
)
