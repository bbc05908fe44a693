"""What every CLI command shares: the database it works on, its unit of work, and its messages."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import typer
from rich.console import Console
from sqlalchemy.orm import Session

from podium.core.db import make_engine, session_factory, unit_of_work, upgrade_database
from podium.core.errors import PodiumError
from podium.core.settings import Settings, get_settings

console = Console()
err_console = Console(stderr=True)
_override: dict[str, str] = {}


def use_database(url: str | None) -> None:
    """Make the CLI work on ``url`` instead of the configured database."""
    if url:
        _override["database_url"] = url


def cli_settings() -> Settings:
    """Return the settings, with the ``--database`` option applied."""
    settings = get_settings()
    return settings.model_copy(update=_override) if _override else settings


ERRORS_SHOWN = 50
"""How many of a refusal's per-field errors a command prints."""


def _place(error: Mapping[str, Any]) -> str:
    """Where an error is: its JSON pointer, or its row and column in a file."""
    if error.get("pointer"):
        return str(error["pointer"])
    places = (f"row {error['row']}" if error.get("row") else "", str(error.get("column") or ""))
    return ", ".join(place for place in places if place)


@contextmanager
def cli_session() -> Iterator[Session]:
    """Yield one unit of work over the migrated database; commit on success, else roll back.

    A refusal from a service (:class:`PodiumError`) is printed, with each field it names, and
    ends the command with code 1.
    """
    url = cli_settings().database_url
    upgrade_database(url)
    engine = make_engine(url)
    try:
        with unit_of_work(session_factory(engine)) as session:
            yield session
    except PodiumError as exc:
        err_console.print(f"[red]{exc.title}:[/red] {exc.detail}", markup=True, highlight=False)
        for error in list(exc.errors)[:ERRORS_SHOWN]:
            err_console.print(f"  {_place(error)}: {error.get('detail', '')}", markup=False)
        if len(exc.errors) > ERRORS_SHOWN:
            err_console.print(f"  ... and {len(exc.errors) - ERRORS_SHOWN} more", markup=False)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
