"""``podium align``: declared commercial agreements, misalignment checks, value propositions."""

from __future__ import annotations

import typer

app = typer.Typer(
    help="Incentive alignment of the ecosystem's relationships.", no_args_is_help=True
)
