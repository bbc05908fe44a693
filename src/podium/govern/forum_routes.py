"""API routes of decision rights, forums, agendas, meetings and decisions.

Thin over :mod:`podium.govern.forum_service`. Decision rights are the orchestrator's:
``govern:read`` to read, ``govern:write`` to change. Forums, their agendas, calendars, meetings
and decisions are open to ``govern:read`` (all of them) and to ``govern:take_part`` for the
forums the caller's actor sits in (others answer 404); preparing meetings, recording minutes and
changing forums need ``govern:write``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response
from pydantic import ValidationError

from podium.core.auth import Permission, Principal
from podium.core.db import utcnow
from podium.core.deps import RequestId, SessionDep, require, require_any
from podium.core.errors import Invalid
from podium.ecosystem import service as eco_service
from podium.govern import forum_schemas as schemas
from podium.govern import forum_service as service
from podium.govern.cadence import ForumSpec
from podium.govern.models import Decision, DecisionRight, Forum, Meeting
from podium.govern.rights import DecisionRightSpec
from podium.integrate.tables import write_table

router = APIRouter(tags=["governance"])


read_or_take_part = require_any(Permission.GOVERN_READ, Permission.GOVERN_TAKE_PART)
Reader = Annotated[Principal, Depends(require(Permission.GOVERN_READ))]
Writer = Annotated[Principal, Depends(require(Permission.GOVERN_WRITE))]
Participant = Annotated[Principal, Depends(read_or_take_part)]
RowId = Annotated[int, Path(ge=1, le=2**31 - 1)]
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ics": "text/calendar; charset=utf-8",
}


def _right(row: DecisionRight) -> schemas.DecisionRightRead:
    return schemas.DecisionRightRead.model_validate(row)


def _forum(row: Forum) -> schemas.ForumRead:
    columns = ("key", "name", "kind", "level", "rrule", "starts_at", "duration_minutes")
    fields = {c: getattr(row, c) for c in (*columns, "timezone", "location", "members", "active")}
    return schemas.ForumRead.model_validate({**fields, **service.details(row, utcnow())})


def _file(content: bytes, name: str, kind: str) -> Response:
    disposition = f'attachment; filename="{name}"'
    return Response(
        content, media_type=MEDIA_TYPES[kind], headers={"Content-Disposition": disposition}
    )


# --- decision rights ------------------------------------------------------------------------------


def _export(
    session: SessionDep, principal: Principal, name: str, format: Literal["csv", "xlsx"]
) -> Response:
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    matrix = service.matrix(service.list_rights(session=session, ecosystem=ecosystem))
    columns = ["decision_type", "title", "strategic", "path", *matrix.parties]
    content = write_table(matrix.table(), columns, format)
    return _file(content, f"{ecosystem.name}-decision-rights.{format}", format)


@router.get("/ecosystems/{name}/decision-rights", response_model=None)
def list_rights(
    principal: Reader,
    session: SessionDep,
    name: str,
    format: Literal["json", "csv", "xlsx"] = "json",
) -> list[schemas.DecisionRightRead] | Response:
    """List the current decision rights (or export the RACI matrix as CSV or XLSX)."""
    if format != "json":
        return _export(session, principal, name, format)
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    return [_right(r) for r in service.list_rights(session=session, ecosystem=ecosystem)]


@router.get("/ecosystems/{name}/decision-rights.csv")
def export_rights(principal: Reader, session: SessionDep, name: str) -> Response:
    """Export the RACI matrix (decision types by parties, with each path) as CSV."""
    return _export(session, principal, name, "csv")


@router.post("/ecosystems/{name}/decision-rights/defaults", status_code=201)
def init_defaults(
    principal: Writer,
    session: SessionDep,
    request_id: RequestId,
    name: str,
    forums: Annotated[bool, Query(description="create the default forums that are missing")] = True,
) -> list[schemas.DecisionRightRead]:
    """Give each catalogue decision type that has no right its default right."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    created = service.init_defaults(
        session=session,
        ecosystem=ecosystem,
        principal=principal,
        request_id=request_id,
        with_forums=forums,
    )
    return [_right(r) for r in created]


@router.get("/ecosystems/{name}/decision-rights/{decision_type}")
def get_right(
    principal: Reader,
    session: SessionDep,
    name: str,
    decision_type: str,
    version: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> schemas.DecisionRightRead:
    """Return the current decision right of a type, or one of its versions."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    found = service.get_right(
        session=session, ecosystem=ecosystem, decision_type=decision_type, version=version
    )
    return _right(found)


@router.get("/ecosystems/{name}/decision-rights/{decision_type}/history")
def right_history(
    principal: Reader, session: SessionDep, name: str, decision_type: str
) -> list[schemas.RightVersionRead]:
    """List every version of a decision right, newest first, with what each changed."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    versions = service.history(session=session, ecosystem=ecosystem, decision_type=decision_type)
    return [
        schemas.RightVersionRead(**_right(v.row).model_dump(), changes=v.changes) for v in versions
    ]


@router.put("/ecosystems/{name}/decision-rights/{decision_type}")
def save_right(
    principal: Writer,
    session: SessionDep,
    request_id: RequestId,
    name: str,
    decision_type: str,
    body: schemas.DecisionRightIn,
) -> schemas.DecisionRightRead:
    """Save a decision right as its type's next version (unchanged: the current one)."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    try:
        spec = DecisionRightSpec.model_validate(
            {"decision_type": decision_type, **body.model_dump(exclude={"note"})}
        )
    except ValidationError as exc:
        detail = f"{decision_type!r} is no decision type: lower case letters, digits and _"
        raise Invalid(detail, [{"pointer": "/decision_type", "detail": detail}]) from exc
    saved = service.save_right(
        session=session,
        ecosystem=ecosystem,
        principal=principal,
        request_id=request_id,
        spec=spec,
        note=body.note,
    )
    return _right(saved)


# --- forums ---------------------------------------------------------------------------------------


@router.get("/ecosystems/{name}/forums")
def list_forums(
    principal: Participant, session: SessionDep, name: str, inactive: bool = False
) -> list[schemas.ForumRead]:
    """List the forums (a partner: those its actor sits in), strategic first."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    found = service.list_forums(
        session=session, ecosystem=ecosystem, principal=principal, include_inactive=inactive
    )
    return [_forum(f) for f in found]


@router.post("/ecosystems/{name}/forums", status_code=201)
def create_forum(
    principal: Writer, session: SessionDep, request_id: RequestId, name: str, body: ForumSpec
) -> schemas.ForumRead:
    """Create a forum; its start moves to the first occurrence of its rule."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    forum = service.create_forum(
        session=session, ecosystem=ecosystem, principal=principal, request_id=request_id, spec=body
    )
    return _forum(forum)


@router.get("/ecosystems/{name}/forums/calendar.ics")
def all_forums_calendar(principal: Participant, session: SessionDep, name: str) -> Response:
    """Download the calendar (.ics) of every active forum you may see."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    content = service.calendar(session=session, ecosystem=ecosystem, principal=principal)
    return _file(content, f"{ecosystem.name}-forums.ics", "ics")


@router.get("/ecosystems/{name}/forums/{key}")
def get_forum(
    principal: Participant, session: SessionDep, name: str, key: str
) -> schemas.ForumRead:
    """Return a forum with its cadence and next meetings."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    return _forum(
        service.get_forum(session=session, ecosystem=ecosystem, key=key, principal=principal)
    )


@router.put("/ecosystems/{name}/forums/{key}")
def update_forum(
    principal: Writer,
    session: SessionDep,
    request_id: RequestId,
    name: str,
    key: str,
    body: ForumSpec,
) -> schemas.ForumRead:
    """Replace a forum's name, kind, cadence and members."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    forum = service.update_forum(
        session=session,
        ecosystem=ecosystem,
        principal=principal,
        request_id=request_id,
        key=key,
        spec=body,
    )
    return _forum(forum)


@router.delete("/ecosystems/{name}/forums/{key}")
def deactivate_forum(
    principal: Writer, session: SessionDep, request_id: RequestId, name: str, key: str
) -> schemas.ForumRead:
    """Stop a forum (refused while a decision right routes to it)."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    forum = service.deactivate_forum(
        session=session, ecosystem=ecosystem, principal=principal, request_id=request_id, key=key
    )
    return _forum(forum)


@router.get("/ecosystems/{name}/forums/{key}/calendar.ics")
def forum_calendar(principal: Participant, session: SessionDep, name: str, key: str) -> Response:
    """Download a forum's calendar (.ics): its recurring meeting with the members."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    content = service.calendar(session=session, ecosystem=ecosystem, principal=principal, key=key)
    return _file(content, f"{ecosystem.name}-{key}.ics", "ics")


@router.get("/ecosystems/{name}/forums/{key}/agenda")
def forum_agenda(
    principal: Participant, session: SessionDep, name: str, key: str
) -> schemas.AgendaRead:
    """Return the agenda of the forum's next meeting, most urgent first, each item's reason."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    found = service.agenda(session=session, ecosystem=ecosystem, forum_key=key, principal=principal)
    return schemas.AgendaRead(
        forum=found.forum.key,
        occurrence=found.occurrence,
        items=[schemas.AgendaItemRead.model_validate(i.to_json()) for i in found.items],
        hidden=found.hidden,
    )


# --- meetings and decisions -----------------------------------------------------------------------


def _meeting(row: Meeting, principal: Principal) -> schemas.MeetingRead:
    """A meeting; a partner sees the agenda items that involve it."""
    shown = schemas.MeetingRead.model_validate(row)
    if principal.is_partner:
        mine = f"actor:{principal.partner_actor}"
        shown.agenda = [i for i in shown.agenda if mine in i.parties]
    return shown


@router.get("/ecosystems/{name}/forums/{key}/meetings")
def list_meetings(
    principal: Participant, session: SessionDep, name: str, key: str
) -> list[schemas.MeetingRead]:
    """List a forum's prepared and held meetings, latest first."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    found = service.list_meetings(
        session=session, ecosystem=ecosystem, forum_key=key, principal=principal
    )
    return [_meeting(m, principal) for m in found]


@router.post("/ecosystems/{name}/forums/{key}/meetings", status_code=201)
def prepare_meeting(
    principal: Writer, session: SessionDep, request_id: RequestId, name: str, key: str
) -> schemas.MeetingRead:
    """Prepare the next meeting: freeze its agenda (again, until its minutes are recorded)."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    meeting = service.prepare_meeting(
        session=session,
        ecosystem=ecosystem,
        principal=principal,
        request_id=request_id,
        forum_key=key,
    )
    return _meeting(meeting, principal)


@router.put("/ecosystems/{name}/forums/{key}/meetings/{meeting_id}")
def record_minutes(
    principal: Writer,
    session: SessionDep,
    request_id: RequestId,
    name: str,
    key: str,
    meeting_id: RowId,
    body: schemas.MinutesIn,
) -> schemas.MeetingRead:
    """Record a meeting's minutes and decisions; decisions resolve the escalations they link."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    meeting = service.record_minutes(
        session=session,
        ecosystem=ecosystem,
        principal=principal,
        request_id=request_id,
        forum_key=key,
        meeting_id=meeting_id,
        attendees=body.attendees,
        minutes=body.minutes,
        decisions=body.decisions,
    )
    return _meeting(meeting, principal)


def decision_read(row: Decision, forums: dict[int, str]) -> schemas.DecisionRead:
    """A decision with its forum's key."""
    return schemas.DecisionRead.model_validate(
        {
            **{
                c: getattr(row, c)
                for c in (
                    "id",
                    "meeting_id",
                    "decision_type",
                    "title",
                    "text",
                    "links",
                    "decided_by",
                    "decided_at",
                )
            },
            "forum": forums.get(row.forum_id) if row.forum_id is not None else None,
        }
    )


@router.get("/ecosystems/{name}/decisions")
def list_decisions(
    principal: Participant,
    session: SessionDep,
    name: str,
    forum: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[schemas.DecisionRead]:
    """List recorded decisions, newest first (a partner: those of forums it sits in)."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    found = service.list_decisions(
        session=session, ecosystem=ecosystem, principal=principal, forum_key=forum, limit=limit
    )
    keys = {
        f.id: f.key
        for f in service.list_forums(session=session, ecosystem=ecosystem, include_inactive=True)
    }
    return [decision_read(d, keys) for d in found]
