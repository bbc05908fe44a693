"""``podium govern certifications``: schemes, certifications, trainings, eligibility."""

from __future__ import annotations

import typer

app = typer.Typer(help="Certification and training of partners.", no_args_is_help=True)
