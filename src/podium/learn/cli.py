"""The Learn commands: ``podium kpis``, ``podium scorecards`` and ``podium report``."""

from __future__ import annotations

import typer

from podium.learn import kpi_cli, report_cli, scorecard_cli


def register(app: typer.Typer) -> None:
    """Add the Learn commands to the ``podium`` command."""
    app.add_typer(kpi_cli.app, name="kpis")
    app.add_typer(scorecard_cli.app, name="scorecards")
    app.command("report")(report_cli.report)
