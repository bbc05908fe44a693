"""``podium govern certifications``: schemes, certifications (and revoking them), trainings,
eligibility.

Each command acts as a stored user (``--user``), so it may do exactly what that user may
through the API; changes are audited under that user's name.
"""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from podium.core.auth import Permission, Principal, get_user, principal_of
from podium.core.clikit import cli_session, cli_settings, console, err_console
from podium.core.errors import Forbidden, Invalid
from podium.ecosystem import models as eco
from podium.ecosystem import service as eco_service
from podium.govern import certification_service as service

app = typer.Typer(help="Certification and training of partners.", no_args_is_help=True)

Ecosystem = Annotated[str, typer.Argument(help="The stored ecosystem's name.")]
User = Annotated[str, typer.Option("--user", help="Act as this stored user.")]
On = Annotated[str | None, typer.Option(help="The day to check, YYYY-MM-DD (default today).")]
COLOURS = {"valid": "green", "expiring": "yellow", "expired": "red", "revoked": "red"}


def _context(
    session: Session, ecosystem: str, user: str, permission: Permission
) -> tuple[eco.Ecosystem, Principal]:
    principal = principal_of(get_user(session=session, username=user))
    if not principal.can(permission):
        raise Forbidden(f"{user} ({principal.role.value}) lacks {permission.value}")
    found = eco_service.get_ecosystem(session=session, name=ecosystem, principal=principal)
    return found, principal


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        raise Invalid(f"{text!r} is no date: use YYYY-MM-DD") from None


@app.command("schemes")
def schemes_command(ecosystem: Ecosystem, user: User) -> None:
    """List the certification schemes.

    Example: podium govern certifications schemes manufacturer --user ana
    """
    with cli_session() as session:
        found, _ = _context(session, ecosystem, user, Permission.ECOSYSTEM_READ)
        table = Table("key", "name", "process", "levels (lowest first)", "validity (days)")
        for s in service.list_schemes(session=session, ecosystem=found):
            table.add_row(s.key, s.name, s.process, " < ".join(s.levels), str(s.validity_days))
        console.print(table)


@app.command("scheme-add")
def scheme_add_command(
    ecosystem: Ecosystem,
    key: Annotated[str, typer.Argument(help="The scheme's key.")],
    process: Annotated[str, typer.Argument(help="The process it certifies.")],
    user: User,
    level: Annotated[list[str], typer.Option(help="A level, lowest first (repeat).")],
    name: Annotated[str | None, typer.Option(help="Display name (default: the key).")] = None,
    validity_days: Annotated[int, typer.Option(help="How long a certification lasts.")] = 365,
) -> None:
    """Add a certification scheme.

    Example: podium govern certifications scheme-add manufacturer esd esd-handling
    --level basic --level expert --user ana
    """
    with cli_session() as session:
        found, principal = _context(session, ecosystem, user, Permission.GOVERN_WRITE)
        service.create_scheme(
            session=session,
            ecosystem=found,
            principal=principal,
            request_id=uuid.uuid4().hex,
            key=key,
            name=name or key,
            process=process,
            levels=level,
            validity_days=validity_days,
        )
        console.print(f"Added scheme {key} for {process}.")


@app.command("add")
def add_command(
    ecosystem: Ecosystem,
    scheme: Annotated[str, typer.Argument(help="The scheme's key.")],
    actor: Annotated[str, typer.Argument(help="The partner's actor key.")],
    level: Annotated[str, typer.Argument(help="The level reached.")],
    user: User,
    issued_on: Annotated[
        str | None, typer.Option(help="The day it was issued, YYYY-MM-DD (default today).")
    ] = None,
    expires_on: Annotated[str | None, typer.Option(help="Default: issue + validity.")] = None,
    site: Annotated[str | None, typer.Option(help="Certify only this site.")] = None,
) -> None:
    """Certify a partner (or one of its sites).

    Example: podium govern certifications add manufacturer esd velora expert --user ana
    """
    with cli_session() as session:
        found, principal = _context(session, ecosystem, user, Permission.GOVERN_WRITE)
        row = service.certify(
            session=session,
            ecosystem=found,
            principal=principal,
            request_id=uuid.uuid4().hex,
            scheme=scheme,
            actor=actor,
            level=level,
            site=site,
            issued_on=_day(issued_on) or date.today(),
            expires_on=_day(expires_on),
        )
        console.print(f"Certified {actor} in {scheme} at {level} until {row.expires_on}.")


@app.command("import")
def import_command(
    ecosystem: Ecosystem,
    path: Annotated[Path, typer.Argument(help="A CSV or XLSX file of certifications.")],
    user: User,
) -> None:
    """Certify from a file (scheme, actor, site, level, issued_on, expires_on, evidence): all
    rows or none.

    Example: podium govern certifications import manufacturer certs.xlsx --user ana
    """
    with cli_session() as session:
        found, principal = _context(session, ecosystem, user, Permission.GOVERN_WRITE)
        try:
            stored = service.import_certifications(
                session=session,
                ecosystem=found,
                principal=principal,
                request_id=uuid.uuid4().hex,
                filename=path.name,
                content=path.read_bytes(),
            )
        except Invalid as error:
            err_console.print(f"[red]Nothing was imported:[/red] {error.detail}")
            _print_problems(error, path.name)
            raise typer.Exit(1) from None
    console.print(f"Imported {len(stored)} certification(s) from {path.name}.")


def _print_problems(error: Invalid, name: str) -> None:
    for problem in error.errors:
        place = f"row {problem.get('row')}, {problem.get('column') or '-'}"
        err_console.print(f"[red]{name}[/red] {place}: {problem['detail']}")


@app.command("revoke")
def revoke_command(
    ecosystem: Ecosystem,
    certification_id: Annotated[int, typer.Argument(help="The certification's id.", min=1)],
    user: User,
    reason: Annotated[str, typer.Option(help="Why it is revoked.")] = "",
) -> None:
    """Revoke a certification (it stays on record as revoked).

    Example: podium govern certifications revoke manufacturer 4 --reason "failed audit" --user ana
    """
    with cli_session() as session:
        found, principal = _context(session, ecosystem, user, Permission.GOVERN_WRITE)
        row = service.revoke(
            session=session,
            ecosystem=found,
            principal=principal,
            request_id=uuid.uuid4().hex,
            certification_id=certification_id,
            reason=reason,
        )
        console.print(f"Revoked certification {row.id} ({row.actor}, {row.level}).")


@app.command("list")
def list_command(
    ecosystem: Ecosystem,
    user: User,
    actor: Annotated[str | None, typer.Option(help="Only this partner.")] = None,
    on: On = None,
    warning_days: Annotated[
        int | None,
        typer.Option(
            help="Expiring within these days (default: PODIUM_CERTIFICATION_WARNING_DAYS)."
        ),
    ] = None,
) -> None:
    """List certifications with their status (a partner user: its own).

    Example: podium govern certifications list manufacturer --user ana --warning-days 60
    """
    with cli_session() as session:
        found, principal = _context(session, ecosystem, user, Permission.ECOSYSTEM_READ)
        rows = service.list_certifications(
            session=session,
            ecosystem=found,
            principal=principal,
            actor=actor,
            on=_day(on),
            warning_days=_warning_days(warning_days),
        )
        table = Table("id", "scheme", "actor", "site", "level", "expires", "status")
        for c in rows:
            colour = COLOURS.get(c.status, "white")
            status = f"[{colour}]{c.status}[/{colour}] ({c.days_left} d)"
            table.add_row(
                str(c.row.id),
                c.scheme.key,
                c.row.actor,
                c.row.site or "-",
                c.row.level,
                str(c.row.expires_on),
                status,
            )
        console.print(table)


@app.command("eligible")
def eligible_command(
    ecosystem: Ecosystem,
    process: Annotated[str, typer.Argument(help="The process asked for.")],
    user: User,
    region: Annotated[str | None, typer.Option(help="Only partners and sites here.")] = None,
    min_level: Annotated[str | None, typer.Option(help="At this level or above.")] = None,
    on: On = None,
) -> None:
    """Which partners (and sites) are certified for a process.

    Example: podium govern certifications eligible manufacturer esd-handling --region EU --user ana
    """
    with cli_session() as session:
        found, _ = _context(session, ecosystem, user, Permission.GOVERN_READ)
        rows = service.eligible(
            session=session,
            ecosystem=found,
            process=process,
            region=region,
            min_level=min_level,
            on=_day(on),
        )
        table = Table("actor", "site", "region", "scheme", "level", "expires")
        for e in rows:
            table.add_row(
                e.actor, e.site or "-", e.region or "-", e.scheme, e.level, str(e.expires_on)
            )
        console.print(table)


@app.command("check-expiry")
def check_expiry_command(
    ecosystem: Ecosystem,
    user: User,
    on: On = None,
    warning_days: Annotated[
        int | None,
        typer.Option(
            help="Expiring within these days (default: PODIUM_CERTIFICATION_WARNING_DAYS)."
        ),
    ] = None,
) -> None:
    """Raise exceptions for certifications expiring soon or expired (each once).

    Example: podium govern certifications check-expiry manufacturer --user ana
    """
    with cli_session() as session:
        found, _ = _context(session, ecosystem, user, Permission.GOVERN_WRITE)
        new = service.raise_expiry_exceptions(
            session=session, ecosystem=found, on=_day(on), warning_days=_warning_days(warning_days)
        )
        console.print(f"{new} new exception(s) about certification expiry.")


@app.command("trainings")
def trainings_command(
    ecosystem: Ecosystem,
    user: User,
    actor: Annotated[str | None, typer.Option(help="Record for / list only this partner.")] = None,
    person: Annotated[str | None, typer.Option(help="Record: who completed it.")] = None,
    course: Annotated[str | None, typer.Option(help="Record: the course.")] = None,
    completed_on: Annotated[
        str | None, typer.Option(help="The day it was completed, YYYY-MM-DD (default today).")
    ] = None,
    hours: Annotated[float | None, typer.Option(help="Record: hours of training.")] = None,
) -> None:
    """List trainings; with --person and --course (and --actor), record one first.

    Example: podium govern certifications trainings manufacturer --actor velora
    --person "Jan Nowak" --course "ESD basics" --hours 4 --user ana
    """
    with cli_session() as session:
        needs = Permission.GOVERN_WRITE if person or course else Permission.ECOSYSTEM_READ
        found, principal = _context(session, ecosystem, user, needs)
        if person or course:
            service.record_training(
                session=session,
                ecosystem=found,
                principal=principal,
                request_id=uuid.uuid4().hex,
                actor=actor or "",
                person=person or "",
                course=course or "",
                completed_on=_day(completed_on) or date.today(),
                hours=hours,
            )
        table = Table("actor", "person", "course", "completed", "hours")
        for t in service.list_trainings(
            session=session, ecosystem=found, principal=principal, actor=actor
        ):
            table.add_row(t.actor, t.person, t.course, str(t.completed_on), str(t.hours or "-"))
        console.print(table)


def _warning_days(given: int | None) -> int:
    """The expiry warning window: as given, or the ``certification_warning_days`` setting."""
    return cli_settings().certification_warning_days if given is None else given
