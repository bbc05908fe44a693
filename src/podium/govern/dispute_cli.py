"""``podium govern disputes``: open, add evidence, accept a settlement, advance, close.

Each command acts as a stored user (``--user``), so it may do exactly what that user may
through the API, and its transitions are audited under that user's name.
"""

from __future__ import annotations

import json
import uuid
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from podium.core.auth import Principal, get_user, principal_of
from podium.core.clikit import cli_session, console
from podium.core.db import utcnow
from podium.ecosystem import models as eco
from podium.ecosystem import service as eco_service
from podium.govern import dispute_service as service
from podium.govern import disputes
from podium.govern.models import Dispute

app = typer.Typer(help="Disputes and their agreed mechanism.", no_args_is_help=True)

Ecosystem = Annotated[str, typer.Argument(help="The stored ecosystem's name.")]
DisputeId = Annotated[int, typer.Argument(help="The dispute's id.")]
User = Annotated[str, typer.Option("--user", help="Act as this stored user.")]


def _context(session: Session, ecosystem: str, user: str) -> tuple[eco.Ecosystem, Principal]:
    principal = principal_of(get_user(session=session, username=user))
    found = eco_service.get_ecosystem(session=session, name=ecosystem, principal=principal)
    return found, principal


def _step(dispute: Dispute) -> str:
    return str(dispute.mechanism[dispute.step_index]["step"])


@app.command("list")
def list_command(
    ecosystem: Ecosystem,
    user: User,
    status: Annotated[str | None, typer.Option(help="open, resolved or withdrawn.")] = None,
) -> None:
    """List the disputes the user may see, newest first.

    Example: podium govern disputes list manufacturer --user ana --status open
    """
    with cli_session() as session:
        found, principal = _context(session, ecosystem, user)
        rows = service.list_disputes(
            session=session, ecosystem=found, principal=principal, status=status
        )
        table = Table("id", "title", "subject", "parties", "step", "status", "due (UTC)")
        now = utcnow()
        for d in rows:
            due = service.utc(d.due_at)
            late = " [red]overdue[/red]" if disputes.is_overdue(d.status, due, now) else ""
            when = f"{due:%Y-%m-%d %H:%M}{late}" if due else "-"
            table.add_row(
                str(d.id), d.title, d.subject, ", ".join(d.parties), _step(d), d.status, when
            )
        console.print(table)


@app.command("open")
def open_command(
    ecosystem: Ecosystem,
    title: Annotated[str, typer.Argument(help="What the dispute is about, in a line.")],
    user: User,
    subject: Annotated[str, typer.Option(help=", ".join(disputes.SUBJECTS))] = "delivery",
    party: Annotated[list[str], typer.Option(help="A party, actor:<key> (repeat).")] = [],  # noqa: B006
    ref: Annotated[
        str | None, typer.Option(help="What the subject is: an order, agreement ...")
    ] = None,
    mechanism: Annotated[
        str | None, typer.Option(help='JSON steps, e.g. \'[{"step": "mediation", "days": 20}]\'.')
    ] = None,
) -> None:
    """Open a dispute at the first step of its mechanism (default 30/45/90 days).

    Example: podium govern disputes open manufacturer "Late parts" --party actor:castco --user ana
    """
    with cli_session() as session:
        found, principal = _context(session, ecosystem, user)
        dispute = service.open_dispute(
            session=session,
            ecosystem=found,
            principal=principal,
            request_id=uuid.uuid4().hex,
            title=title,
            subject=subject,
            subject_ref=ref,
            parties=party,
            mechanism=json.loads(mechanism) if mechanism else None,
        )
        console.print(
            f"Opened dispute {dispute.id} at {_step(dispute)}, due {dispute.due_at:%Y-%m-%d}."
        )


@app.command("show")
def show_command(ecosystem: Ecosystem, dispute_id: DisputeId, user: User) -> None:
    """Show a dispute: its steps with deadlines, and its entries.

    Example: podium govern disputes show manufacturer 3 --user ana
    """
    with cli_session() as session:
        found, principal = _context(session, ecosystem, user)
        d = service.get(
            session=session, ecosystem=found, principal=principal, dispute_id=dispute_id
        )
        entries = service.entries(session=session, dispute=d)
        console.print(
            f"[bold]{d.title}[/bold] ({d.subject}{', ' + d.subject_ref if d.subject_ref else ''})"
        )
        console.print(f"Parties: {', '.join(d.parties)}; raised by {d.raised_by}; {d.status}")
        steps = Table("step", "days", "started", "due", "state")
        for s in service.timeline(dispute=d, found=entries):
            start = f"{s.started_at:%Y-%m-%d}" if s.started_at else "-"
            due = f"{s.due_at:%Y-%m-%d}" if s.due_at else "-"
            steps.add_row(
                s.step, str(s.days), start, due, s.state + (" (overdue)" if s.overdue else "")
            )
        console.print(steps)
        log = Table("at", "kind", "party", "text", "links")
        for e in entries:
            links = ", ".join(f"{link['kind']}:{link['id']}" for link in e.links)
            log.add_row(f"{service.utc(e.at):%Y-%m-%d %H:%M}", e.kind, e.party or "", e.text, links)
        console.print(log)
        if d.outcome:
            console.print(f"Outcome: {d.outcome}")


@app.command("evidence")
def evidence_command(
    ecosystem: Ecosystem,
    dispute_id: DisputeId,
    text: Annotated[str, typer.Argument(help="What the entry says.")],
    user: User,
    link: Annotated[
        list[str], typer.Option(help="KIND:ID, e.g. audit:42, delivery:PO-7, record:deliveries:9.")
    ] = [],  # noqa: B006
    kind: Annotated[str, typer.Option(help="evidence, statement or proposal.")] = "evidence",
) -> None:
    """Add evidence (with links), a statement or a settlement proposal.

    Example: podium govern disputes evidence manufacturer 3 "Log" --link delivery:PO-7 --user cc
    """
    links = [dict(zip(("kind", "id"), item.split(":", 1), strict=False)) for item in link]
    with cli_session() as session:
        found, principal = _context(session, ecosystem, user)
        entry = service.add_entry(
            session=session,
            ecosystem=found,
            principal=principal,
            request_id=uuid.uuid4().hex,
            dispute_id=dispute_id,
            kind=kind,
            text=text,
            links=links,
        )
        console.print(f"Added {entry.kind} {entry.id} to dispute {dispute_id}.")


@app.command("accept")
def accept_command(ecosystem: Ecosystem, dispute_id: DisputeId, user: User) -> None:
    """Accept the settlement another party proposed last: the dispute is resolved by it.

    Example: podium govern disputes accept manufacturer 3 --user kinsei-user
    """
    with cli_session() as session:
        found, principal = _context(session, ecosystem, user)
        d = service.accept(
            session=session,
            ecosystem=found,
            principal=principal,
            request_id=uuid.uuid4().hex,
            dispute_id=dispute_id,
        )
        console.print(f"Dispute {d.id} is {d.status}: {d.outcome}")


@app.command("advance")
def advance_command(
    ecosystem: Ecosystem,
    dispute_id: DisputeId,
    reason: Annotated[str, typer.Argument(help="Why the current step failed.")],
    user: User,
) -> None:
    """Move a dispute to the next step of its mechanism (govern:write).

    Example: podium govern disputes advance manufacturer 3 "No agreement in 30 days" --user ana
    """
    with cli_session() as session:
        found, principal = _context(session, ecosystem, user)
        d = service.advance(
            session=session,
            ecosystem=found,
            principal=principal,
            request_id=uuid.uuid4().hex,
            dispute_id=dispute_id,
            reason=reason,
        )
        console.print(f"Dispute {d.id} is now at {_step(d)}, due {d.due_at:%Y-%m-%d}.")


@app.command("resolve")
def resolve_command(
    ecosystem: Ecosystem,
    dispute_id: DisputeId,
    outcome: Annotated[str, typer.Argument(help="What was agreed or decided.")],
    user: User,
    agreed: Annotated[bool, typer.Option(help="The parties agreed (else: decided).")] = False,
) -> None:
    """Record a dispute's outcome (govern:write).

    Example: podium govern disputes resolve manufacturer 3 "3% rebate" --agreed --user ana
    """
    with cli_session() as session:
        found, principal = _context(session, ecosystem, user)
        service.resolve(
            session=session,
            ecosystem=found,
            principal=principal,
            request_id=uuid.uuid4().hex,
            dispute_id=dispute_id,
            outcome=outcome,
            resolution="agreement" if agreed else "decision",
        )
        console.print(f"Dispute {dispute_id} is resolved.")


@app.command("withdraw")
def withdraw_command(
    ecosystem: Ecosystem,
    dispute_id: DisputeId,
    user: User,
    reason: Annotated[str, typer.Option(help="Why.")] = "",
) -> None:
    """Withdraw a dispute the user's party raised.

    Example: podium govern disputes withdraw manufacturer 3 --reason "paid" --user cc
    """
    with cli_session() as session:
        found, principal = _context(session, ecosystem, user)
        service.withdraw(
            session=session,
            ecosystem=found,
            principal=principal,
            request_id=uuid.uuid4().hex,
            dispute_id=dispute_id,
            reason=reason,
        )
        console.print(f"Dispute {dispute_id} is withdrawn.")
