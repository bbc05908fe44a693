"""``podium align``: declared commercial agreements, misalignment checks, value propositions.

Each command acts as a stored user (``--user``) and needs what the API needs: ``align:read`` to
list, check and evaluate, ``align:write`` to declare agreements. ``--json`` prints what the API
returns.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from rich.table import Table
from sqlalchemy.orm import Session

from podium.align import service
from podium.core.auth import Permission, Principal, get_user, principal_of
from podium.core.clikit import cli_session, console
from podium.core.errors import Forbidden
from podium.ecosystem import models as eco
from podium.ecosystem import service as eco_service

app = typer.Typer(
    help="Incentive alignment of the ecosystem's relationships.", no_args_is_help=True
)
agreements_app = typer.Typer(help="Declared commercial agreements.", no_args_is_help=True)
app.add_typer(agreements_app, name="agreements")

EcosystemArg = Annotated[str, typer.Argument(help="The stored ecosystem's name.")]
EcosystemOpt = Annotated[
    str | None,
    typer.Option(
        "--ecosystem", help="The stored ecosystem (for agreements, default: the file's ecosystem)."
    ),
]
FileArg = Annotated[Path, typer.Argument(help="A YAML or JSON file.", exists=True, dir_okay=False)]
User = Annotated[str, typer.Option("--user", help="Act as this stored user.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
DASH = "\u2013"


def _principal(session: Session, username: str, need: Permission) -> Principal:
    principal = principal_of(get_user(session=session, username=username))
    if not principal.can(need):
        raise Forbidden(f"your role ({principal.role.value}) lacks {need.value}")
    return principal


def _open(
    session: Session, username: str, name: str, need: Permission
) -> tuple[Principal, eco.Ecosystem]:
    """Return the user and the ecosystem as it may see it; refuse users without ``need``."""
    principal = _principal(session, username, need)
    return principal, eco_service.get_ecosystem(session=session, name=name, principal=principal)


def _read(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise typer.BadParameter(f"{path.name} is not valid YAML or JSON: {error}") from None


def _print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, default=str))


@agreements_app.command("list")
def list_command(ecosystem: EcosystemArg, user: User, as_json: AsJson = False) -> None:
    """List the current commercial agreements.

    Example: podium align agreements list manufacturer --user ana
    """
    with cli_session() as session:
        _, found = _open(session, user, ecosystem, Permission.ALIGN_READ)
        rows = [
            service.agreement_dict(r)
            for r in service.list_agreements(session=session, ecosystem=found)
        ]
    if as_json:
        _print_json(rows)
        return
    table = Table(title=f"Commercial agreements of {ecosystem}")
    for column in (
        "Key",
        "Partner",
        "Type",
        "Rewarded on",
        "Term",
        "Commitment",
        "Data",
        "Pref.",
        "v",
    ):
        table.add_column(column)
    for row in rows:
        table.add_row(
            row["key"], row["partner"], row["contract_type"], ", ".join(row["metrics"]) or DASH,
            f"{row['term_months']} mo" if row["term_months"] else DASH,
            f"{row['volume_commitment']:,.0f}" if row["volume_commitment"] is not None else DASH,
            "yes" if row["data_access"] else "no", "yes" if row["preferred"] else "no",
            str(row["version"]),
        )  # fmt: skip
    console.print(table)


@agreements_app.command("set")
def set_command(file: FileArg, user: User, ecosystem: EcosystemOpt = None) -> None:
    """Declare the agreements of a file (``ecosystem:`` and ``agreements: [...]``); each that
    changed becomes a new version.

    Example: podium align agreements set agreements.yaml --user ana
    """
    data = _read(file)
    name = ecosystem or (data.get("ecosystem") if isinstance(data, dict) else None)
    if not name:
        raise typer.BadParameter("name the ecosystem with --ecosystem or `ecosystem:` in the file")
    with cli_session() as session:
        principal, found = _open(session, user, str(name), Permission.ALIGN_WRITE)
        rows = service.save_agreements(
            session=session, ecosystem=found, principal=principal,
            request_id=f"cli-{uuid.uuid4().hex[:12]}", data=data,
        )  # fmt: skip
        stored = [(r.key, r.version) for r in rows]
    for key, version in stored:
        console.print(f"{key}: version {version}")


@app.command("misalignments")
def misalignments_command(ecosystem: EcosystemArg, user: User, as_json: AsJson = False) -> None:
    """Check each partner's incentives against what the ecosystem needs from it.

    Example: podium align misalignments manufacturer --user ana --json
    """
    with cli_session() as session:
        principal, found = _open(session, user, ecosystem, Permission.ALIGN_READ)
        result = service.misalignments(session=session, ecosystem=found, principal=principal)
        data = result.to_dict()
    if as_json:
        _print_json(data)
        return
    console.print(f"[bold]Misalignments in {ecosystem}[/bold] ({data['agreements']} agreements)")
    colour = {"high": "red", "medium": "yellow", "low": "cyan"}
    for finding in data["findings"]:
        severity = finding["severity"]
        console.print(
            f"[{colour[severity]}]{severity}[/{colour[severity]}] {finding['name']} "
            f"({finding['partner']}): {finding['rule']}",
            highlight=False,
        )
        console.print(f"  {finding['reason']}", markup=False, highlight=False)
        for mechanism in finding["mechanisms"]:
            console.print(f"  -> {mechanism['detail']}", markup=False, highlight=False)
    if not data["findings"]:
        console.print("no misalignment found")
    for note in data["source"].get("notes", []):
        console.print(f"[yellow]note:[/yellow] {note}")


@app.command("value")
def value_command(
    file: FileArg, user: User, ecosystem: EcosystemOpt = None, as_json: AsJson = False
) -> None:
    """Evaluate a proposed initiative: each actor's contribution, gain, risk, net, and whether
    joining is rational for it (``--ecosystem`` checks the actors against its actors).

    Example: podium align value initiative.yaml --user ana --ecosystem manufacturer
    """
    data = _read(file)
    with cli_session() as session:
        principal = _principal(session, user, Permission.ALIGN_READ)
        found = None
        if ecosystem:
            found = eco_service.get_ecosystem(session=session, name=ecosystem, principal=principal)
        result = service.value_proposition(
            session=session, ecosystem=found, principal=principal, data=data
        )
    if as_json:
        _print_json(asdict(result))
        return
    table = Table(
        title=f"{result.title}: {result.split} split of {result.gain:,.0f} {result.currency}"
    )
    for column in ("Actor", "Invests", "Gain", "Risk", "Net", "Alone", "Joins"):
        table.add_column(column, justify="left" if column == "Actor" else "right")
    for p in result.positions:
        table.add_row(
            p.actor, f"{p.investment:,.0f}", f"{p.gain:,.0f}", f"{p.risk:,.0f}", f"{p.net:,.0f}",
            f"{p.stand_alone:,.0f}", "yes" if p.rational else f"no (lacks {p.shortfall:,.0f})",
        )  # fmt: skip
    console.print(table)
    verdict = "every actor is better off joining" if result.rational else "not every actor joins"
    console.print(verdict + ("" if result.in_core is None else f"; in the core: {result.in_core}"))
