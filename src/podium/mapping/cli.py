"""Mapping commands: the TTR/TTS stress test and the structure report of an ecosystem.

Each takes a file (any format ``podium validate`` reads) or the name of a stored ecosystem; a
run over a stored ecosystem is kept as an analysis run, which the console and the API show.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import BaseModel, ValidationError
from rich import box
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy.orm import Session, sessionmaker

from podium.core.clikit import cli_settings, console, err_console
from podium.core.db import make_engine, session_factory, unit_of_work, upgrade_database
from podium.core.errors import NotFound, PodiumError
from podium.ecosystem import service as eco_service
from podium.ecosystem.formats import read_path
from podium.ecosystem.spec import EcosystemSpec
from podium.ecosystem.validation import SpecError
from podium.mapping import reports, resilience, service, structure
from podium.mapping.schemas import PARAMETERS

analyze_app = typer.Typer(help="Analyse an ecosystem's structure.", no_args_is_help=True)
TABLE_ROWS = 20
"""Scenarios the stress-test table shows when --top is not given."""
JSON_FIRST = ("scenario", "ttr_days", "tts_days", "performance_impact", "risk_exposure_index",
              "lost_units")  # fmt: skip
FILE_SUFFIXES = {".yaml", ".yml", ".json", ".xlsx", ".csv", ".scml", ".graphml"}

Reference = Annotated[
    str,
    typer.Argument(
        metavar="PATH_OR_NAME",
        help="An ecosystem file or CSV folder, or the name of a stored ecosystem.",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def register(app: typer.Typer) -> None:
    """Add the mapping commands to the root ``podium`` app."""
    app.command("stress-test")(stress_test_command)
    analyze_app.command("structure")(structure_command)
    app.add_typer(analyze_app, name="analyze")


# --- where the ecosystem comes from ---------------------------------------------------------------


@dataclass
class Outcome:
    """What a command computed: the report as JSON values, and the run that keeps it (if any)."""

    name: str
    currency: str
    report: dict[str, Any]
    run_id: int | None = None


def _is_file(reference: str) -> bool:
    path = Path(reference)
    return path.exists() or path.suffix.lower() in FILE_SUFFIXES or "/" in reference


def _read_file(path: Path) -> EcosystemSpec:
    """Read and validate an ecosystem file, or print its problems (naming it) and exit 1."""
    try:
        return read_path(path)
    except SpecError as exc:
        err_console.print(f"[red]{path} is not a valid ecosystem: {len(exc.problems)} problem(s)")
        for problem in exc.problems:
            err_console.print(f"  {problem}", markup=False, highlight=False)
        raise typer.Exit(1) from None


def _parameters(kind: str, values: dict[str, Any]) -> BaseModel:
    """Check a file run's parameters as the service checks a stored one's; exit 1 if bad."""
    try:
        return PARAMETERS[kind].model_validate(values)
    except ValidationError as exc:
        for error in exc.errors():
            option = "--" + "-".join(str(p) for p in error["loc"]).replace("_", "-")
            err_console.print(f"[red]Invalid input:[/red] {option}: {error['msg']}")
        raise typer.Exit(1) from None


@contextmanager
def _database() -> Iterator[sessionmaker[Session]]:
    """Yield a session factory over the migrated database; refusals print and exit 1."""
    url = cli_settings().database_url
    upgrade_database(url)
    engine = make_engine(url)
    try:
        yield session_factory(engine)
    except PodiumError as exc:
        err_console.print(f"[red]{exc.title}:[/red] {exc.detail}")
        raise typer.Exit(1) from None
    finally:
        engine.dispose()


def _stored_run(reference: str, kind: str, parameters: dict[str, Any]) -> Outcome:
    """Run an analysis of a stored ecosystem as an analysis run, with a progress bar."""
    with _database() as factory:
        with unit_of_work(factory) as session:
            try:
                ecosystem = eco_service.get_ecosystem(session=session, name=reference)
            except NotFound:
                err_console.print(
                    f"[red]{reference!r} is neither a file nor a stored ecosystem.[/red] "
                    "List the stored ones with: podium ecosystems"
                )
                raise typer.Exit(1) from None
            name, currency = ecosystem.name, ecosystem.currency
            run = service.start_run(
                session=session, ecosystem=ecosystem, kind=kind, parameters=parameters
            )
        with _progress_bar() as update:
            run = service.execute_run(sessions=factory, run_id=run.id, progress=update)
    if run.status != "done" or run.results is None:
        err_console.print(f"[red]Analysis run {run.id} failed:[/red] {run.error}")
        raise typer.Exit(1)
    return Outcome(name=name, currency=currency, report=run.results, run_id=run.id)


@contextmanager
def _progress_bar() -> Iterator[Callable[[int, int], None]]:
    """Yield a ``progress(done, total)`` callback drawing a bar on stderr."""
    bar = Progress(
        TextColumn("scenarios"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    )
    task = bar.add_task("run", total=None)

    def update(done: int, total: int) -> None:
        bar.update(task, completed=done, total=max(total, 1))

    with bar:
        yield update


def _say_stored(outcome: Outcome, quiet: bool) -> None:
    if outcome.run_id is not None:
        out = err_console if quiet else console
        out.print(f"Stored as analysis run [bold]{outcome.run_id}[/bold] of {outcome.name}.")


# --- stress test ----------------------------------------------------------------------------------


def stress_test_command(
    reference: Reference,
    by: Annotated[
        str,
        typer.Option(metavar="site|actor|region", help="One scenario per site, actor or region."),
    ] = "site",
    top: Annotated[
        int | None,
        typer.Option(min=1, help=f"Show the worst N (table default: {TABLE_ROWS}; JSON: all)."),
    ] = None,
    as_json: JsonOption = False,
    horizon_days: Annotated[float, typer.Option(help="Days looked ahead.")] = 365.0,
    default_ttr_days: Annotated[
        float, typer.Option(help="Time to recover where a link declares none.")
    ] = 28.0,
) -> None:
    """Stress-test an ecosystem: the profit lost when each site (actor, region) goes down.

    Ranks scenarios by Risk Exposure Index (time to recover vs time to survive; Simchi-Levi 2014).

    A stored ecosystem's run is kept as an analysis run, which the console and the API show.

    Example: podium stress-test manufacturer.yaml --by actor --top 10
    """
    values = {"by": by, "horizon_days": horizon_days, "default_ttr_days": default_ttr_days}
    parameters = _parameters("stress_test", values)
    if _is_file(reference):
        spec = _read_file(Path(reference))
        with _progress_bar() as update:
            report = resilience.stress_test(
                spec, **parameters.model_dump(exclude={"top", "scenarios"}), progress=update
            )
        outcome = Outcome(spec.name, spec.currency, reports.json_ready(report.to_dict()))
    else:
        outcome = _stored_run(reference, "stress_test", parameters.model_dump(exclude_none=True))
    results = reports.sorted_results(outcome.report["results"])
    if as_json:
        for row in results[:top]:
            first = {k: row.get(k) for k in JSON_FIRST}
            typer.echo(json.dumps(first | row | {"currency": outcome.currency}))
        _say_stored(outcome, quiet=True)
        return
    _print_stress_table(outcome, results, top or TABLE_ROWS, by)
    _say_stored(outcome, quiet=False)


def _print_stress_table(outcome: Outcome, results: list[dict[str, Any]], top: int, by: str) -> None:
    table = _compact_table(f"Stress test of {outcome.name} by {by}, worst first")
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("scenario", overflow="fold", min_width=12)
    table.add_column("kind")
    for header in ("TTR\ndays", "TTS\ndays", f"PI\n({outcome.currency})", "REI", "lost\nunits",
                   "shortage\ndays"):  # fmt: skip
        table.add_column(header, justify="right", no_wrap=not header.startswith("TTS"))
    for rank, r in enumerate(results[:top], start=1):
        tts = f"{r['tts_days']:,.1f}" if r.get("tts_limited") else "not limiting"
        table.add_row(
            str(rank),
            str(r["scenario"]),
            str(r.get("kind", "")),
            _number(r.get("ttr_days"), ",.1f"),
            tts,
            _money(r.get("performance_impact")),
            _number(r.get("risk_exposure_index"), ".3f"),
            _number(r.get("lost_units"), ",.0f"),
            _number(r.get("shortage_days"), ",.1f"),
        )
    console.print(table)
    hit = sum(1 for r in results if (r.get("performance_impact") or 0) > 0)
    shown = min(top, len(results))
    console.print(
        f"{hit:,} of {len(results):,} scenarios lose profit; showing the worst {shown:,}."
    )


def _number(value: Any, spec: str) -> str:
    return "" if value is None else format(value, spec)


def _money(value: float | None) -> str:
    """Return an amount in a few characters: 173.7 M, 520 k, 0."""
    if value is None:
        return ""
    for scale, suffix in ((1e9, " bn"), (1e6, " M"), (1e3, " k")):
        if abs(value) >= scale:
            return (
                f"{value / scale:,.1f}{suffix}" if scale > 1e3 else f"{value / scale:,.0f}{suffix}"
            )
    return f"{value:,.0f}"


# --- structure ------------------------------------------------------------------------------------


def structure_command(
    reference: Reference,
    as_json: JsonOption = False,
    category: Annotated[str | None, typer.Option(help="Only findings of this category.")] = None,
    visibility_tier: Annotated[
        int, typer.Option(min=1, help="Tiers that must be mapped to count spend as visible.")
    ] = 2,
) -> None:
    """Report single points of failure, concentration and hidden sub-tier dependencies.

    Lists the findings, worst first, and how much of the spend has its sub-tiers mapped.

    Example: podium analyze structure manufacturer --category concentration
    """
    parameters = _parameters("structure", {"visibility_tier": visibility_tier})
    if _is_file(reference):
        spec = _read_file(Path(reference))
        found = structure.analyze_structure(spec, visibility_tier=visibility_tier)
        outcome = Outcome(spec.name, spec.currency, reports.json_ready(found.to_dict()))
    else:
        outcome = _stored_run(reference, "structure", parameters.model_dump())
    report = dict(outcome.report)
    findings = [f for f in report.get("findings", []) if category in (None, f.get("category"))]
    report["findings"] = findings
    if as_json:
        typer.echo(json.dumps(report))
        _say_stored(outcome, quiet=True)
        return
    _print_findings(outcome.name, findings, category)
    _print_visibility(report.get("visibility"))
    _say_stored(outcome, quiet=False)


def _print_findings(name: str, findings: list[dict[str, Any]], category: str | None) -> None:
    if not findings:
        console.print(f"No findings{f' of category {category}' if category else ''} in {name}.")
        return
    table = _compact_table(f"Structure of {name}: {len(findings):,} finding(s)")
    table.add_column("severity", no_wrap=True)
    table.add_column("category", overflow="fold", max_width=14)
    table.add_column("subject", overflow="fold", max_width=20)
    table.add_column("product", overflow="fold", max_width=14)
    table.add_column("value", justify="right", no_wrap=True)
    table.add_column("explanation", ratio=1)
    for f in findings:
        value = f.get("value")
        table.add_row(
            str(f.get("severity", "")),
            str(f.get("category", "")),
            str(f.get("subject", "")),
            str(f.get("product") or ""),
            f"{value:,.3g}" if isinstance(value, float) else str(value or ""),
            str(f.get("explanation", "")),
        )
    console.print(table)
    counts = Counter(str(f.get("category")) for f in findings)
    console.print(", ".join(f"{n:,} {c}" for c, n in counts.most_common()))


def _print_visibility(visibility: Any) -> None:
    if not visibility:
        return
    if not isinstance(visibility, dict):
        console.print(f"Visibility: {visibility}")
        return
    table = _compact_table("Visibility of spend")
    table.add_column("measure")
    table.add_column("share", justify="right")
    for key, value in visibility.items():
        table.add_row(str(key).replace("_", " "), _share(value))
    console.print(table)


def _compact_table(title: str) -> Table:
    """A table with a rule under the header and one space between columns."""
    return Table(
        title=title,
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        padding=(0, 1),
        collapse_padding=True,
        show_edge=False,
    )


def _share(value: Any) -> str:
    if isinstance(value, float) and 0.0 <= value <= 1.0:
        return f"{value:.0%}"
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)
