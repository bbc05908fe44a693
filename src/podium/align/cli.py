"""The Align commands: ``podium contract``, ``podium share`` and ``podium align``."""

from __future__ import annotations

import typer

from podium.align import align_cli, contract_cli, share_cli


def register(app: typer.Typer) -> None:
    """Add the Align commands to the ``podium`` command."""
    app.add_typer(align_cli.app, name="align")
    app.command("contract")(contract_cli.contract)
    app.command("share")(share_cli.share)
