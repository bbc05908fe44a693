"""``podium govern rights`` and ``podium govern forums``: decision rights, forums, minutes,
decisions.

Each command acts as a stored user (``--user``) and may do what that user may through the API:
reading rights needs ``govern:read``, changing anything ``govern:write``; a partner user sees the
forums its actor sits in.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
import yaml
from pydantic import ValidationError
from rich.table import Column, Table
from sqlalchemy.orm import Session

from podium.core.auth import Permission, Principal, get_user, principal_of
from podium.core.clikit import cli_session, console, err_console
from podium.core.db import utcnow
from podium.core.errors import Forbidden, Invalid
from podium.ecosystem import models as eco
from podium.ecosystem import service as eco_service
from podium.govern import forum_service as service
from podium.govern.cadence import ForumSpec
from podium.govern.rights import DecisionRightSpec
from podium.integrate.tables import write_table

rights_app = typer.Typer(help="Decision rights (RACI per decision type).", no_args_is_help=True)
forums_app = typer.Typer(
    help="Forums, cadences, agendas, minutes and decisions.", no_args_is_help=True
)

Ecosystem = Annotated[str, typer.Argument(help="The stored ecosystem's name.")]
User = Annotated[str, typer.Option("--user", help="Act as this stored user.")]
DecisionType = Annotated[str, typer.Argument(help="A decision type, e.g. data_access.")]
ForumKey = Annotated[str, typer.Argument(help="The forum's key.")]


def _open(session: Session, name: str, user: str, *needs: Permission) -> tuple[Principal, Any]:
    """The user as a principal (refused without one of ``needs``) and the ecosystem."""
    principal = principal_of(get_user(session=session, username=user))
    if needs and not any(principal.can(p) for p in needs):
        raise Forbidden(f"{user} ({principal.role.value}) lacks {needs[0].value}")
    return principal, eco_service.get_ecosystem(session=session, name=name, principal=principal)


def _read_document(path: Path) -> Any:
    """A YAML or JSON file's content."""
    text = path.read_text(encoding="utf-8")
    return json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)


def _fail(error: ValidationError, what: str) -> typer.Exit:
    """Print each field error with its pointer; the command then exits with code 1."""
    for e in error.errors():
        where = "/" + "/".join(str(p) for p in e["loc"])
        err_console.print(f"[red]{what}[/red] {where}: {e['msg']}")
    return typer.Exit(1)


# --- rights ---------------------------------------------------------------------------------------


@rights_app.command("list")
def list_rights(ecosystem: Ecosystem, user: User) -> None:
    """Show who is accountable, responsible, consulted and informed for each decision type, and
    the highest level its escalations reach (``rights export`` writes the full matrix).

    Example: podium govern rights list manufacturer --user analyst
    """
    with cli_session() as session:
        _, found = _open(session, ecosystem, user, Permission.GOVERN_READ)
        rows = service.list_rights(session=session, ecosystem=found)
        table = Table("top level", "A", "R", "C", "I", "version")
        table.columns.insert(0, Column("decision type", no_wrap=True))
        for row in rows:
            mark = " *" if row.strategic else ""
            holders = [
                ", ".join(p for p, letter in row.raci.items() if letter == wanted)
                for wanted in "ARCI"
            ]
            top = row.path[-1]["level"] if row.path else ""
            table.add_row(row.decision_type + mark, top, *holders, str(row.version))
    console.print(table)
    console.print("* strategic: always reaches the strategic level.")


@rights_app.command("show")
def show_right(
    ecosystem: Ecosystem,
    decision_type: DecisionType,
    user: User,
    version: Annotated[int | None, typer.Option(help="An older version.")] = None,
) -> None:
    """Print a decision right as YAML (the format ``rights set`` reads).

    Example: podium govern rights show manufacturer data_access --user analyst
    """
    with cli_session() as session:
        _, found = _open(session, ecosystem, user, Permission.GOVERN_READ)
        row = service.get_right(
            session=session, ecosystem=found, decision_type=decision_type, version=version
        )
        document = service.spec_of(row).model_dump()
        console.print(f"# version {row.version}{' (current)' if row.current else ''}")
    typer.echo(yaml.safe_dump(document, sort_keys=False, allow_unicode=True))


@rights_app.command("set")
def set_right(
    ecosystem: Ecosystem,
    path: Annotated[Path, typer.Argument(help="A YAML or JSON file of one decision right.")],
    user: User,
    note: Annotated[str | None, typer.Option(help="Why it changed.")] = None,
) -> None:
    """Save a decision right from a file as its type's next version.

    Example: podium govern rights set manufacturer data_access.yaml --user analyst --note "add IT"
    """
    try:
        spec = DecisionRightSpec.model_validate(_read_document(path))
    except ValidationError as error:
        raise _fail(error, path.name) from None
    with cli_session() as session:
        principal, found = _open(session, ecosystem, user, Permission.GOVERN_WRITE)
        row = service.save_right(
            session=session,
            ecosystem=found,
            principal=principal,
            request_id=uuid.uuid4().hex,
            spec=spec,
            note=note,
        )
        console.print(f"{row.decision_type}: version {row.version} is current.")


@rights_app.command("history")
def right_history(ecosystem: Ecosystem, decision_type: DecisionType, user: User) -> None:
    """List the versions of a decision right with what each changed.

    Example: podium govern rights history manufacturer data_access --user analyst
    """
    with cli_session() as session:
        _, found = _open(session, ecosystem, user, Permission.GOVERN_READ)
        versions = service.history(session=session, ecosystem=found, decision_type=decision_type)
    for v in versions:
        when = f"{v.row.changed_at:%Y-%m-%d %H:%M}"
        note = f": {v.row.note}" if v.row.note else ""
        console.print(f"[bold]v{v.row.version}[/bold] by {v.row.changed_by or '?'}, {when}{note}")
        for change in v.changes:
            console.print(f"  {change['pointer']}: {change['before']} -> {change['after']}")


@rights_app.command("init")
def init_rights(
    ecosystem: Ecosystem,
    user: User,
    forums: Annotated[bool, typer.Option(help="Create the missing default forums.")] = True,
) -> None:
    """Give each catalogue decision type without a right its default right.

    Example: podium govern rights init manufacturer --user admin
    """
    with cli_session() as session:
        principal, found = _open(session, ecosystem, user, Permission.GOVERN_WRITE)
        created = service.init_defaults(
            session=session,
            ecosystem=found,
            principal=principal,
            request_id=uuid.uuid4().hex,
            with_forums=forums,
        )
        names = ", ".join(r.decision_type for r in created) or "none (all types have one)"
    console.print(f"Created {len(created)} decision right(s): {names}.")


@rights_app.command("export")
def export_rights(
    ecosystem: Ecosystem,
    output: Annotated[Path, typer.Argument(help="A .csv or .xlsx file to write.")],
    user: User,
) -> None:
    """Write the RACI matrix as CSV or XLSX.

    Example: podium govern rights export manufacturer raci.xlsx --user analyst
    """
    fmt: Literal["csv", "xlsx"] = "xlsx" if output.suffix.lower() == ".xlsx" else "csv"
    with cli_session() as session:
        _, found = _open(session, ecosystem, user, Permission.GOVERN_READ)
        matrix = service.matrix(service.list_rights(session=session, ecosystem=found))
    columns = ["decision_type", "title", "strategic", "path", *matrix.parties]
    output.write_bytes(write_table(matrix.table(), columns, fmt))
    console.print(f"Wrote {len(matrix.rows)} decision type(s) to {output}.")


# --- forums ---------------------------------------------------------------------------------------

PARTICIPANT = (Permission.GOVERN_READ, Permission.GOVERN_TAKE_PART)


@forums_app.command("list")
def list_forums(ecosystem: Ecosystem, user: User) -> None:
    """List the forums with their cadence and next meeting.

    Example: podium govern forums list manufacturer --user analyst
    """
    with cli_session() as session:
        principal, found = _open(session, ecosystem, user, *PARTICIPANT)
        table = Table("key", "name", "level", "cadence", "next (UTC)", "members")
        for forum in service.list_forums(session=session, ecosystem=found, principal=principal):
            shown = service.details(forum, utcnow(), 1)
            upcoming = f"{shown['next'][0]:%Y-%m-%d %H:%M}" if shown["next"] else "none"
            members = ", ".join(str(m.get("party")) for m in forum.members)
            table.add_row(forum.key, forum.name, forum.level, shown["cadence"], upcoming, members)
    console.print(table)


@forums_app.command("add")
def add_forum(
    ecosystem: Ecosystem,
    key: ForumKey,
    user: User,
    kind: Annotated[str, typer.Option(help="steering_committee, joint_business_review, ...")],
    rrule: Annotated[str, typer.Option(help="iCalendar RRULE, e.g. FREQ=MONTHLY;BYDAY=1FR.")],
    starts: Annotated[str, typer.Option(help="First meeting, local time: 2026-12-04T09:00.")],
    name: Annotated[str | None, typer.Option(help="Display name (default: the key).")] = None,
    timezone: Annotated[str, typer.Option(help="IANA time zone of the meetings.")] = "UTC",
    duration: Annotated[int, typer.Option(help="Minutes.")] = 60,
    member: Annotated[
        list[str] | None, typer.Option(help="party or party=role (chair, member, secretary).")
    ] = None,
) -> None:
    """Add a forum that meets on a cadence.

    Example: podium govern forums add manufacturer steering --user admin
    --kind steering_committee --rrule "FREQ=MONTHLY;BYDAY=1FR" --starts 2026-12-04T09:00
    --timezone Europe/Berlin --member "person:Ana Ruiz=chair" --member actor:kinsei
    """
    members = [
        {"party": party, "role": role or "member"}
        for party, _, role in (m.partition("=") for m in member or [])
    ]
    document = {
        "key": key, "name": name or key, "kind": kind, "rrule": rrule, "starts_at": starts,
        "timezone": timezone, "duration_minutes": duration, "members": members,
    }  # fmt: skip
    try:
        spec = ForumSpec.model_validate(document)
    except ValidationError as error:
        raise _fail(error, key) from None
    with cli_session() as session:
        principal, found = _open(session, ecosystem, user, Permission.GOVERN_WRITE)
        forum = service.create_forum(
            session=session,
            ecosystem=found,
            principal=principal,
            request_id=uuid.uuid4().hex,
            spec=spec,
        )
        cadence = service.details(forum, utcnow(), 1)["cadence"]
    console.print(f"Added forum [bold]{key}[/bold]: {cadence}.")


@forums_app.command("deactivate")
def deactivate_forum(ecosystem: Ecosystem, key: ForumKey, user: User) -> None:
    """Stop a forum meeting (refused while a decision right routes to it).

    Example: podium govern forums deactivate manufacturer weekly --user admin
    """
    with cli_session() as session:
        principal, found = _open(session, ecosystem, user, Permission.GOVERN_WRITE)
        service.deactivate_forum(
            session=session,
            ecosystem=found,
            principal=principal,
            request_id=uuid.uuid4().hex,
            key=key,
        )
    console.print(f"Forum [bold]{key}[/bold] is inactive.")


@forums_app.command("agenda")
def forum_agenda(
    ecosystem: Ecosystem,
    key: ForumKey,
    user: User,
    prepare: Annotated[bool, typer.Option(help="Freeze it as the next meeting's agenda.")] = False,
) -> None:
    """Show the agenda of a forum's next meeting (and freeze it with --prepare).

    Example: podium govern forums agenda manufacturer steering-committee --user analyst --prepare
    """
    with cli_session() as session:
        needs = (Permission.GOVERN_WRITE,) if prepare else PARTICIPANT
        principal, found = _open(session, ecosystem, user, *needs)
        agenda = service.agenda(
            session=session, ecosystem=found, forum_key=key, principal=principal
        )
        when = (
            f"{agenda.occurrence:%Y-%m-%d %H:%M} UTC" if agenda.occurrence else "no further meeting"
        )
        table = Table("#", "kind", "ref", "title", "severity", "why", title=f"{key}: {when}")
        for number, item in enumerate(agenda.items, 1):
            c = item.candidate
            table.add_row(str(number), c.kind, c.ref, c.title, c.severity, item.reason)
        if prepare:
            meeting = service.prepare_meeting(
                session=session,
                ecosystem=found,
                principal=principal,
                request_id=uuid.uuid4().hex,
                forum_key=key,
            )
            table.caption = f"Prepared as meeting {meeting.id}."
    console.print(table)


@forums_app.command("ics")
def forum_calendar(
    ecosystem: Ecosystem,
    output: Annotated[Path, typer.Argument(help="The .ics file to write.")],
    user: User,
    key: Annotated[str | None, typer.Option(help="One forum (default: all).")] = None,
) -> None:
    """Write the forums' calendar (.ics) to subscribe to in any calendar program.

    Example: podium govern forums ics manufacturer forums.ics --user analyst
    """
    with cli_session() as session:
        principal, found = _open(session, ecosystem, user, *PARTICIPANT)
        content = service.calendar(session=session, ecosystem=found, principal=principal, key=key)
    output.write_bytes(content)
    console.print(f"Wrote {output}.")


@forums_app.command("minutes")
def record_minutes(
    ecosystem: Ecosystem,
    key: ForumKey,
    path: Annotated[Path, typer.Argument(help="YAML/JSON: attendees, minutes, decisions.")],
    user: User,
    meeting: Annotated[
        int | None, typer.Option(help="Meeting id (default: the earliest without minutes).")
    ] = None,
) -> None:
    """Record the minutes and decisions of a prepared meeting.

    Example: podium govern forums minutes manufacturer steering-committee minutes.yaml --user ana
    """
    document = _read_document(path)
    if not isinstance(document, dict):
        raise typer.BadParameter("the file must hold attendees, minutes and decisions")
    with cli_session() as session:
        principal, found = _open(session, ecosystem, user, Permission.GOVERN_WRITE)
        meeting_id = meeting or _latest_open_meeting(session, found, key)
        held = service.record_minutes(
            session=session,
            ecosystem=found,
            principal=principal,
            request_id=uuid.uuid4().hex,
            forum_key=key,
            meeting_id=meeting_id,
            attendees=list(document.get("attendees") or []),
            minutes=str(document.get("minutes") or ""),
            decisions=document.get("decisions") or [],
        )
        count = len(document.get("decisions") or [])
    console.print(f"Recorded the minutes of meeting {held.id} with {count} decision(s).")


@forums_app.command("decisions")
def list_decisions(
    ecosystem: Ecosystem,
    user: User,
    forum: Annotated[str | None, typer.Option(help="Only this forum's (its key).")] = None,
) -> None:
    """List the recorded decisions, newest first (a partner: those of forums it sits in).

    Example: podium govern forums decisions manufacturer --forum steering-committee --user ana
    """
    with cli_session() as session:
        principal, found = _open(session, ecosystem, user, *PARTICIPANT)
        rows = service.list_decisions(
            session=session, ecosystem=found, principal=principal, forum_key=forum
        )
        keys = {
            f.id: f.key
            for f in service.list_forums(session=session, ecosystem=found, include_inactive=True)
        }
        table = Table("id", "forum", "title", "decided_at", "links", title="Decisions")
        for d in rows:
            links = ", ".join(f"{link.get('kind')}:{link.get('id')}" for link in d.links)
            forum_key = keys.get(d.forum_id, "") if d.forum_id is not None else ""
            table.add_row(str(d.id), forum_key, d.title, f"{d.decided_at:%Y-%m-%d %H:%M}", links)
    console.print(table)


def _latest_open_meeting(session: Session, ecosystem: eco.Ecosystem, key: str) -> int:
    meetings = service.list_meetings(session=session, ecosystem=ecosystem, forum_key=key)
    waiting = [m for m in meetings if m.minutes is None]
    if not waiting:
        raise Invalid(f"no prepared meeting of {key}: run 'podium govern forums agenda --prepare'")
    return waiting[-1].id  # the earliest one still waiting
