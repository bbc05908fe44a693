"""Partner-data commands: submit and read datasets, manage agreements, verify the audit log,
check for exceptions.

Each command acts as a stored user (``--user``), so it sees and may do exactly what that user
may through the API, and its accesses are audited under that user's name.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table
from sqlalchemy.orm import Session

from podium.core import audit
from podium.core.auth import Principal, get_user, principal_of
from podium.core.clikit import cli_session, console, err_console
from podium.core.errors import Invalid
from podium.core.settings import get_settings
from podium.ecosystem import service as eco_service
from podium.integrate import (
    access,
    agreements,
    datasets,
    exception_service,
    policy,
    service,
    tables,
)

data_app = typer.Typer(help="Submit and read partner datasets.", no_args_is_help=True)
agreement_app = typer.Typer(help="Data-sharing agreements (ODRL).", no_args_is_help=True)
audit_app = typer.Typer(help="The audit log of partner-data access.", no_args_is_help=True)
exception_app = typer.Typer(help="Exceptions raised over incoming data.", no_args_is_help=True)

Ecosystem = Annotated[str, typer.Argument(help="The stored ecosystem's name.")]
Dataset = Annotated[str, typer.Argument(help=f"One of: {', '.join(datasets.DATASETS)}.")]
User = Annotated[str, typer.Option("--user", help="Act as this stored user.")]
CHUNK = 5_000


def register(app: typer.Typer) -> None:
    """Add the integration commands to the root ``podium`` app."""
    app.add_typer(data_app, name="data")
    app.add_typer(agreement_app, name="agreements")
    app.add_typer(audit_app, name="audit")
    app.add_typer(exception_app, name="exceptions")


def _principal(session: Session, username: str) -> Principal:
    return principal_of(get_user(session=session, username=username))


@data_app.command("submit")
def submit_command(
    ecosystem: Ecosystem,
    dataset: Dataset,
    path: Annotated[Path, typer.Argument(help="A CSV, XLSX or JSON (list of records) file.")],
    user: User,
) -> None:
    """Submit a file of records for the user's actor, in batches (each all-or-nothing).

    Example: podium data submit manufacturer forecasts forecast.csv --user castco-planner
    """
    records = _read_file(path, dataset)
    request_id = uuid.uuid4().hex
    with cli_session() as session:
        principal = _principal(session, user)
        found = eco_service.get_ecosystem(session=session, name=ecosystem, principal=principal)
        with _progress() as progress:
            task = progress.add_task(f"{dataset} from {path.name}", total=len(records))
            for start in range(0, len(records), CHUNK):
                batch = records[start : start + CHUNK]
                service.submit(
                    session=session,
                    ecosystem=found,
                    principal=principal,
                    dataset=dataset,
                    records=batch,
                    source="cli",
                    request_id=request_id,
                )
                progress.advance(task, len(batch))
    console.print(f"Stored {len(records)} {dataset} record(s) from {path.name}.")


def _read_file(path: Path, dataset: str) -> list[Any]:
    """Validate a file's records; print every error with its place and exit 1 on any."""
    try:
        if path.suffix.lower() == ".json":
            raw = json.loads(path.read_text(encoding="utf-8"))
            raw = raw.get("records", raw) if isinstance(raw, dict) else raw
            if not isinstance(raw, list):
                raise Invalid(f"{path}: expected a list of records")
            return datasets.validate_records(dataset, raw)
        limit = get_settings().max_submission_bytes * 8
        return tables.validate_upload(path.name, path.read_bytes(), dataset, limit)
    except datasets.DatasetError as error:
        for problem in error.errors[:50]:
            place = problem.get("pointer") or f"row {problem.get('row')}, {problem.get('column')}"
            err_console.print(f"[red]{path.name}[/red] {place}: {problem['detail']}")
        raise typer.Exit(1) from None


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=console
    )


@data_app.command("read")
def read_command(
    ecosystem: Ecosystem,
    dataset: Dataset,
    user: User,
    purpose: Annotated[str | None, typer.Option(help="Why you read (agreements name it).")] = None,
    limit: Annotated[int, typer.Option(help="Most rows to return.")] = 1_000,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write CSV or XLSX here.")
    ] = None,
) -> None:
    """Read a dataset as the user may: own rows, and others' as agreements allow.

    Example: podium data read manufacturer forecasts --user analyst --purpose planning
    """
    with cli_session() as session:
        principal = _principal(session, user)
        found = eco_service.get_ecosystem(session=session, name=ecosystem, principal=principal)
        result = access.read(
            session=session,
            ecosystem=found,
            principal=principal,
            dataset=dataset,
            purpose=purpose,
            request_id=uuid.uuid4().hex,
            limit=limit,
            action="read" if output is None else "export",
        )
    columns = list(dict.fromkeys(k for row in result.rows for k in row)) or ["provider"]
    if output is not None:
        xlsx = output.suffix.lower() == ".xlsx"
        output.write_bytes(tables.write_table(result.rows, columns, "xlsx" if xlsx else "csv"))
        console.print(f"Wrote {len(result.rows)} row(s) to {output}.")
        return
    table = Table(*columns, title=f"{dataset} ({len(result.rows)} rows)")
    for row in result.rows[:200]:
        table.add_row(*(str(row.get(c, "")) for c in columns))
    console.print(table)
    for source in result.sources:
        via = source["agreement"] or "own data"
        console.print(f"  {source['provider']}: {source['rows']} row(s) via {via}")


@agreement_app.command("import")
def import_agreement(
    ecosystem: Ecosystem,
    path: Annotated[Path, typer.Argument(help="An ODRL policy (compact or expanded JSON-LD).")],
    user: User,
    key: Annotated[str | None, typer.Option(help="Key, if the policy has no uid.")] = None,
    recipient: Annotated[
        list[str] | None, typer.Option(help="Recipient actor, kind:<kind> or role:<role>.")
    ] = None,
    dataset: Annotated[str | None, typer.Option(help="Dataset, if the policy names none.")] = None,
) -> None:
    """Import an ODRL policy as an agreement sharing the user's actor's data.

    Example: podium agreements import manufacturer policy.json --user castco-admin
    --key share-forecast --recipient role:orchestrator --dataset capacity
    """
    document = json.loads(path.read_text(encoding="utf-8"))
    with cli_session() as session:
        principal = _principal(session, user)
        found = eco_service.get_ecosystem(session=session, name=ecosystem, principal=principal)
        agreement = agreements.create(
            session=session,
            ecosystem=found,
            principal=principal,
            document=document,
            key=key,
            recipients=recipient or [],
            dataset=dataset,
        )
    console.print(f"Stored agreement [bold]{agreement.key}[/bold] ({agreement.dataset}).")


@agreement_app.command("list")
def list_agreements(ecosystem: Ecosystem, user: User) -> None:
    """List the agreements the user provides or receives.

    Example: podium agreements list manufacturer --user analyst
    """
    with cli_session() as session:
        principal = _principal(session, user)
        found = eco_service.get_ecosystem(session=session, name=ecosystem, principal=principal)
        rows = agreements.visible(session=session, ecosystem=found, principal=principal)
        table = Table("provider", "dataset", "recipients", "purposes", "grain", "in force")
        table.add_column("key", no_wrap=True)
        for row, agreement in rows:
            grain = agreement.grain
            table.add_row(
                agreement.provider,
                agreement.dataset,
                ", ".join(agreement.recipients),
                ", ".join(agreement.purposes),
                f"{grain.time}/{grain.item}/{grain.place}",
                "yes" if agreements.in_force(row, agreement) else "no",
                agreement.key,
            )
    console.print(table)


@agreement_app.command("export")
def export_agreement(ecosystem: Ecosystem, key: str, user: User) -> None:
    """Print an agreement as ODRL JSON-LD.

    Example: podium agreements export manufacturer share-forecast --user analyst
    """
    with cli_session() as session:
        principal = _principal(session, user)
        found = eco_service.get_ecosystem(session=session, name=ecosystem, principal=principal)
        _, agreement = agreements.get(
            session=session, ecosystem=found, principal=principal, key=key
        )
    typer.echo(json.dumps(policy.to_odrl(agreement), indent=2))


@audit_app.command("verify")
def verify_command() -> None:
    """Recompute the audit log's hash chain; exit 1 if any entry was changed or removed.

    Example: podium audit verify
    """
    with cli_session() as session:
        result = audit.verify(session=session)
    if result.ok:
        console.print(f"[green]The audit log is intact[/green] ({result.checked} entries).")
        return
    err_console.print(
        f"[red]The audit log was tampered with[/red] at entry {result.first_bad}: {result.reason}"
        f" ({result.checked} entries before it are intact)."
    )
    raise typer.Exit(1)


@exception_app.command("check")
def check_command(ecosystem: Ecosystem, user: User) -> None:
    """Run the exception rules over the current data and list the open exceptions.

    Example: podium exceptions check manufacturer --user analyst
    """
    with cli_session() as session:
        principal = _principal(session, user)
        found = eco_service.get_ecosystem(session=session, name=ecosystem, principal=principal)
        raised = exception_service.check(session=session, ecosystem=found)
        rows = exception_service.listing(session=session, ecosystem=found, status="open")
        table = Table("rule", "severity", "owner", "subject", "detail")
        for row in rows:
            table.add_row(row.rule, row.severity, row.owner, row.subject, row.detail)
    console.print(table)
    console.print(f"{raised} new exception(s).")
