"""Ecosystem commands: import, export, validate, generate and list."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from podium.core.clikit import cli_session, console, err_console
from podium.ecosystem import service
from podium.ecosystem.formats import WRITE_FORMATS, read_path, write_path
from podium.ecosystem.spec import EcosystemSpec
from podium.ecosystem.validation import SpecError

FormatOption = Annotated[
    str | None,
    typer.Option("--format", "-f", help="yaml, json, csv, xlsx or scml (default: from the path)."),
]


def register(app: typer.Typer) -> None:
    """Add the ecosystem commands to the root ``podium`` app."""
    app.command("import")(import_command)
    app.command("export")(export_command)
    app.command("validate")(validate_command)
    app.command("generate")(generate_command)
    app.command("ecosystems")(list_command)


@contextmanager
def _progress() -> Iterator[Callable[[str, int, int], None]]:
    """Yield a ``progress(section, done, total)`` callback drawing one Rich bar per section."""
    bars = Progress(
        TextColumn("{task.description:<12}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=False,
    )
    tasks: dict[str, TaskID] = {}

    def update(section: str, done: int, total: int) -> None:
        if section not in tasks:
            tasks[section] = bars.add_task(section, total=max(total, 1))
        bars.update(tasks[section], completed=done if total else 1)

    with bars:
        yield update


def _read(path: Path, fmt: str | None) -> EcosystemSpec:
    """Read and validate a file, or print its problems and exit 1."""
    try:
        with _progress() as update:
            return read_path(path, format=fmt, progress=update)
    except SpecError as exc:
        _print_problems(exc)
        raise typer.Exit(1) from None


def _print_problems(exc: SpecError) -> None:
    err_console.print(f"[red]{len(exc.problems)} problem(s); nothing was imported.[/red]")
    for problem in exc.problems:
        err_console.print(f"  {problem}", markup=False, highlight=False)


def import_command(
    path: Annotated[
        Path, typer.Argument(help="YAML/JSON file, CSV folder, XLSX workbook or SCML CSV.")
    ],
    fmt: FormatOption = None,
    name: Annotated[
        str | None, typer.Option(help="Store under this name (default: the file's).")
    ] = None,
    replace: Annotated[
        bool, typer.Option(help="Replace a stored ecosystem of the same name.")
    ] = False,
) -> None:
    """Validate a file and store it as an ecosystem, all or nothing.

    Example: podium import network.yaml --name network-2026
    """
    started = time.perf_counter()
    spec = _read(path, fmt)
    with cli_session() as session, _progress() as update:
        stored = service.import_spec(
            session=session, spec=spec, name=name, replace=replace, progress=update
        )
        counts = service.entity_counts(session=session, ecosystem_id=stored.id)
    summary = ", ".join(f"{n:,} {section}" for section, n in counts.items() if n)
    console.print(
        f"Imported [bold]{stored.name}[/bold]: {summary} in {time.perf_counter() - started:.1f} s."
    )


def export_command(
    out: Annotated[Path, typer.Argument(help="File (or folder for csv) to write.")],
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format", "-f", help=f"One of {', '.join(WRITE_FORMATS)} (default: from OUT)."
        ),
    ] = None,
    ecosystem: Annotated[
        str | None,
        typer.Option(
            help="Name of a stored ecosystem, or a file to convert (default: the only one)."
        ),
    ] = None,
) -> None:
    """Write an ecosystem as YAML, JSON, CSV, XLSX or GraphML.

    Example: podium export --ecosystem manufacturer --format graphml manufacturer.graphml
    """
    fmt = fmt or _format_of(out)
    spec = load_ecosystem(ecosystem)
    write_path(spec, out, format=fmt)
    console.print(f"Wrote [bold]{spec.name}[/bold] to {out} ({fmt}).")


def _format_of(out: Path) -> str:
    suffix = out.suffix.lower().lstrip(".")
    fmt = {"yml": "yaml", "": "csv"}.get(suffix, suffix)
    if fmt not in WRITE_FORMATS:
        raise typer.BadParameter(
            f"cannot tell the format of {out}; pass --format", param_hint="OUT"
        )
    return fmt


def load_ecosystem(reference: str | None) -> EcosystemSpec:
    """Return an ecosystem from a file path or a stored name (the only one when not given)."""
    if reference is not None and Path(reference).exists():
        return _read(Path(reference), None)
    with cli_session() as session:
        stored = (
            service.get_ecosystem(session=session, name=reference)
            if reference
            else service.only_ecosystem(session=session)
        )
        return service.export_spec(session=session, ecosystem=stored)


def validate_command(
    path: Annotated[Path, typer.Argument(help="File or CSV folder to check.")],
    fmt: FormatOption = None,
) -> None:
    """Check a file without importing it; list every problem with file, line and field.

    Example: podium validate network.xlsx
    """
    spec = _read(path, fmt)
    counts = {
        section: len(getattr(spec, section)) for section in ("actors", "sites", "items", "links")
    }
    console.print(
        f"[green]{path} is valid:[/green] ecosystem [bold]{spec.name}[/bold], "
        + ", ".join(f"{n:,} {s}" for s, n in counts.items())
    )


def generate_command(
    out: Annotated[
        Path, typer.Argument(help="File to write (yaml, json, xlsx; csv for a folder).")
    ],
    sites: Annotated[int, typer.Option(min=2, help="Number of sites.")] = 1000,
    tiers: Annotated[int, typer.Option(min=1, help="Supplier tiers below the orchestrator.")] = 4,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same ecosystem).")] = 0,
    name: Annotated[str | None, typer.Option(help="Name of the ecosystem.")] = None,
    fmt: FormatOption = None,
) -> None:
    """Write a synthetic multi-tier ecosystem of any size (for benchmarks and trials).

    Example: podium generate --sites 100000 --tiers 6 --seed 1 big.yaml
    """
    from podium.ecosystem.generate import generate_ecosystem

    started = time.perf_counter()
    with console.status(f"Generating {sites:,} sites in {tiers} tiers ..."):
        spec = generate_ecosystem(sites=sites, tiers=tiers, seed=seed, name=name)
    fmt = fmt or _format_of(out)
    with console.status(f"Writing {out} ..."):
        write_path(spec, out, format=fmt)
    console.print(
        f"Wrote {out}: {len(spec.actors):,} actors, {len(spec.sites):,} sites, "
        f"{len(spec.links):,} links in {time.perf_counter() - started:.1f} s."
    )


def list_command() -> None:
    """List the stored ecosystems with their size.

    Example: podium ecosystems
    """
    table = Table("name", "title", "actors", "sites", "items", "links", "updated")
    with cli_session() as session:
        for eco in service.list_ecosystems(session=session, principal=None):
            counts = service.entity_counts(session=session, ecosystem_id=eco.id)
            table.add_row(
                eco.name,
                eco.title or "",
                *(f"{counts[s]:,}" for s in ("actors", "sites", "items", "links")),
                f"{eco.updated_at:%Y-%m-%d %H:%M}",
            )
    console.print(table)
