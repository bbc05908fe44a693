"""``podium govern``: decision rights, forums, escalations, disputes, platforms, certification."""

from __future__ import annotations

import typer

from podium.govern import (
    certification_cli,
    dispute_cli,
    escalation_cli,
    forum_cli,
    platform_cli,
)

govern_app = typer.Typer(
    help="Govern: who decides, and what happens when things go wrong.", no_args_is_help=True
)
govern_app.add_typer(forum_cli.rights_app, name="rights")
govern_app.add_typer(forum_cli.forums_app, name="forums")
govern_app.add_typer(escalation_cli.app, name="escalations")
govern_app.add_typer(dispute_cli.app, name="disputes")
govern_app.add_typer(certification_cli.app, name="certifications")
govern_app.add_typer(platform_cli.app, name="platforms")


def register(app: typer.Typer) -> None:
    """Add ``podium govern`` to the ``podium`` command."""
    app.add_typer(govern_app, name="govern")
