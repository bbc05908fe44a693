"""``podium govern escalations``: raise, list, acknowledge, escalate, resolve, reopen, sweep.

Each command acts as a stored user (``--user``), so it sees and may do exactly what that user may
through the API (a partner sees only the escalations that involve its actor); every transition
is recorded in the audit log under that user's name. ``sweep`` acts as the system.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.core.auth import Permission, Principal, get_user, principal_of
from podium.core.clikit import cli_session, console, err_console
from podium.core.db import utcnow
from podium.core.errors import Forbidden
from podium.ecosystem import models as eco
from podium.ecosystem import service as eco_service
from podium.govern import escalation
from podium.govern import escalation_service as service
from podium.govern.models import Escalation
from podium.integrate.models import DataException, RiskSignal

app = typer.Typer(help="Escalations and their SLA clocks.", no_args_is_help=True)

Ecosystem = Annotated[str, typer.Argument(help="The stored ecosystem's name.")]
EscalationId = Annotated[int, typer.Argument(help="The escalation's id.", min=1)]
User = Annotated[str, typer.Option("--user", help="Act as this stored user.")]


def _open(
    session: Session, name: str, username: str, needs: Permission | None = None
) -> tuple[eco.Ecosystem, Principal]:
    """The ecosystem and the user acting on it (refused up front without ``needs``)."""
    principal = principal_of(get_user(session=session, username=username))
    if needs is not None and not principal.can(needs):
        raise Forbidden(f"your role ({principal.role.value}) lacks {needs.value}")
    return eco_service.get_ecosystem(session=session, name=name, principal=principal), principal


def _clock(item: Escalation) -> str:
    if escalation.is_breached(item.status, item.due_at):
        return "[red]breached[/red]"
    if item.due_at is None or item.status not in escalation.ACTIVE:
        return ""
    late = escalation.is_overdue(item.status, item.due_at, utcnow())
    due = escalation.stamp(item.due_at)
    return f"[red]overdue since {due}[/red]" if late else f"due {due}"


def _table(rows: list[Escalation], title: str) -> Table:
    table = Table(
        "id",
        "severity",
        "title",
        "category",
        "level",
        "owner",
        "forum",
        "clock",
        "status",
        title=title,
    )
    for e in rows:
        table.add_row(
            str(e.id),
            e.severity,
            e.title,
            e.category,
            e.level,
            e.owner,
            e.forum_key or "",
            _clock(e),
            e.status,
        )
    return table


@app.command("list")
def list_command(
    ecosystem: Ecosystem,
    user: User,
    status: Annotated[str | None, typer.Option(help="open, acknowledged or resolved.")] = None,
    level: Annotated[str | None, typer.Option(help="operational, tactical or strategic.")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only overdue ones.")] = False,
) -> None:
    """List the escalations the user may see, highest level and nearest deadline first.

    Example: podium govern escalations list manufacturer --user analyst --overdue
    """
    with cli_session() as session:
        found, principal = _open(session, ecosystem, user)
        rows = service.list_escalations(
            session=session,
            ecosystem=found,
            principal=principal,
            status=status,
            level=level,
            overdue_only=overdue,
        )
        console.print(_table(rows, f"Escalations of {found.name} ({len(rows)})"))


@app.command("raise")
def raise_command(
    ecosystem: Ecosystem,
    title: Annotated[str, typer.Argument(help="What the issue is, in a line.")],
    user: User,
    category: Annotated[str, typer.Option(help="A decision type with a decision right.")],
    severity: Annotated[str, typer.Option(help="low, medium, high or critical.")] = "medium",
    customer_impact: Annotated[bool, typer.Option("--customer-impact")] = False,
    party: Annotated[list[str] | None, typer.Option(help="actor:<key> or person:<name>.")] = None,
    detail: Annotated[str, typer.Option(help="What happened and what is at stake.")] = "",
) -> None:
    """Raise an escalation; it is routed by its category's decision right.

    Example: podium govern escalations raise manufacturer "Castings late" --user analyst
    --category customer_impact_risk --severity high --party actor:velora
    """
    with cli_session() as session:
        found, principal = _open(session, ecosystem, user)
        item = service.raise_escalation(
            session=session,
            ecosystem=found,
            principal=principal,
            request_id=uuid.uuid4().hex,
            title=title,
            detail=detail,
            category=category,
            severity=severity,
            customer_impact=customer_impact,
            parties=party or [],
            source="partner" if principal.is_partner else "person",
        )
        console.print(
            f"Raised escalation [bold]{item.id}[/bold] at {item.level}: owner {item.owner}, "
            f"forum {item.forum_key or '-'}, {_clock(item)}."
        )


@app.command("show")
def show_command(ecosystem: Ecosystem, escalation_id: EscalationId, user: User) -> None:
    """Show an escalation and its history.

    Example: podium govern escalations show manufacturer 3 --user analyst
    """
    with cli_session() as session:
        found, principal = _open(session, ecosystem, user)
        item = service.get(
            session=session, ecosystem=found, principal=principal, escalation_id=escalation_id
        )
        console.print(f"[bold]{item.title}[/bold]: {item.category}, {item.severity}")
        console.print(_table([item], f"Escalation {item.id}"))
        if item.detail:
            console.print(item.detail)
        history = Table("at", "event", "by", "from", "to", "text", title="History")
        for e in service.events(session=session, item=item):
            history.add_row(
                escalation.stamp(e.at),
                e.kind,
                e.by or "",
                e.from_level or "",
                e.to_level or "",
                e.text,
            )
        console.print(history)


def _act(ecosystem: str, escalation_id: int, user: str, action: str, **text: str) -> None:
    """Take an action as the user and say where the escalation stands."""
    with cli_session() as session:
        found, principal = _open(session, ecosystem, user)
        handler = getattr(service, action)
        item = handler(
            session=session,
            ecosystem=found,
            principal=principal,
            request_id=uuid.uuid4().hex,
            escalation_id=escalation_id,
            **text,
        )
        console.print(f"Escalation {item.id} is {item.status} at {item.level} ({item.owner}).")


@app.command("acknowledge")
def acknowledge_command(
    ecosystem: Ecosystem, escalation_id: EscalationId, user: User, note: str = ""
) -> None:
    """Acknowledge an open escalation you own (its SLA clock keeps running).

    Example: podium govern escalations acknowledge manufacturer 3 --user velora-admin
    """
    _act(ecosystem, escalation_id, user, "acknowledge", note=note)


@app.command("respond")
def respond_command(
    ecosystem: Ecosystem,
    escalation_id: EscalationId,
    user: User,
    text: Annotated[str, typer.Option()],
) -> None:
    """Respond to an escalation that involves you.

    Example: podium govern escalations respond manufacturer 3 --user kinsei --text "Half by Friday"
    """
    _act(ecosystem, escalation_id, user, "respond", text=text)


@app.command("escalate")
def escalate_command(
    ecosystem: Ecosystem,
    escalation_id: EscalationId,
    user: User,
    reason: Annotated[str, typer.Option(help="Why it must go a level up now.")],
) -> None:
    """Move an escalation one level up its path now.

    Example: podium govern escalations escalate manufacturer 3 --user analyst --reason "No answer"
    """
    _act(ecosystem, escalation_id, user, "escalate", reason=reason)


@app.command("resolve")
def resolve_command(
    ecosystem: Ecosystem,
    escalation_id: EscalationId,
    user: User,
    resolution: Annotated[str, typer.Option(help="What was decided.")],
) -> None:
    """Resolve an escalation with what was decided.

    Example: podium govern escalations resolve manufacturer 3 --user analyst --resolution "60/40"
    """
    _act(ecosystem, escalation_id, user, "resolve", resolution=resolution)


@app.command("reopen")
def reopen_command(
    ecosystem: Ecosystem,
    escalation_id: EscalationId,
    user: User,
    reason: Annotated[str, typer.Option(help="Why it is not settled after all.")],
) -> None:
    """Open a resolved escalation again at its level, with a fresh SLA clock.

    Example: podium govern escalations reopen manufacturer 3 --user analyst --reason "Still short"
    """
    _act(ecosystem, escalation_id, user, "reopen", reason=reason)


@app.command("sweep")
def sweep_command(
    at: Annotated[
        datetime | None, typer.Option(help="Sweep as of this UTC time (default: now).")
    ] = None,
) -> None:
    """Escalate every escalation whose SLA ran out (of every ecosystem), as the system.

    Example: podium govern escalations sweep
    """
    now = escalation.aware(at) if at is not None else utcnow()
    if now > utcnow():
        err_console.print(
            "[red]--at:[/red] a sweep cannot run ahead of the clock (it would store "
            "escalations dated in the future)"
        )
        raise typer.Exit(2)
    with cli_session() as session:
        moved = service.sweep(session=session, now=now, request_id=f"cli-{uuid.uuid4().hex[:12]}")
        console.print(_table(moved, f"Swept as of {escalation.stamp(now)}: {len(moved)} moved"))


@app.command("from-exceptions")
def from_exceptions_command(ecosystem: Ecosystem, user: User) -> None:
    """Escalate every open exception of incoming data (each once; raised ones are kept).

    Example: podium govern escalations from-exceptions manufacturer --user analyst
    """
    with cli_session() as session:
        found, principal = _open(session, ecosystem, user, Permission.GOVERN_WRITE)
        query = select(DataException.id).where(
            DataException.ecosystem_id == found.id, DataException.status == "open"
        )
        request_id = uuid.uuid4().hex
        rows = [
            service.raise_from_exception(
                session=session,
                ecosystem=found,
                exception_id=i,
                request_id=request_id,
                principal=principal,
            )
            for i in session.scalars(query.order_by(DataException.id))
        ]
        console.print(_table(rows, f"{len(rows)} open exception(s) escalated"))


@app.command("from-risk-signals")
def from_risk_signals_command(ecosystem: Ecosystem, user: User) -> None:
    """Escalate every current risk signal partners reported (each once; raised ones are kept).

    Example: podium govern escalations from-risk-signals manufacturer --user analyst
    """
    with cli_session() as session:
        found, principal = _open(session, ecosystem, user, Permission.GOVERN_WRITE)
        query = select(RiskSignal.id).where(
            RiskSignal.ecosystem_id == found.id, RiskSignal.current.is_(True)
        )
        request_id = uuid.uuid4().hex
        rows = [
            service.raise_from_risk_signal(
                session=session,
                ecosystem=found,
                signal_id=i,
                request_id=request_id,
                principal=principal,
            )
            for i in session.scalars(query.order_by(RiskSignal.id))
        ]
        console.print(_table(rows, f"{len(rows)} current risk signal(s) escalated"))
