"""API routes of governance: escalations.

Thin over :mod:`podium.govern.escalation_service`. Reading needs ``govern:read`` (the
orchestrator's staff: everything) or ``govern:take_part`` (partners: only escalations whose
parties include their actor; others are 404). Raising and the actions need ``govern:take_part``;
the service then decides who may take which action (owner, involved party, staff with
``govern:write``). Sweeping and escalating an exception of incoming data or a partner's risk
signal need ``govern:write``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from sqlalchemy.orm import Session

from podium.core.auth import Permission, Principal
from podium.core.db import utcnow
from podium.core.deps import RequestId, SessionDep, require, require_any
from podium.ecosystem import service as eco_service
from podium.govern import escalation_service as service
from podium.govern.escalation_schemas import (
    AcknowledgeIn,
    BoardRead,
    EscalationCreate,
    EscalationDetail,
    EscalationEventRead,
    EscalationRead,
    ReasonIn,
    ResolveIn,
    RespondIn,
    SweepRead,
)
from podium.govern.models import Escalation

router = APIRouter(tags=["governance"])


Reader = Annotated[
    Principal, Depends(require_any(Permission.GOVERN_READ, Permission.GOVERN_TAKE_PART))
]
TakePart = Annotated[Principal, Depends(require(Permission.GOVERN_TAKE_PART))]
Writer = Annotated[Principal, Depends(require(Permission.GOVERN_WRITE))]
RowId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _read(item: Escalation) -> EscalationRead:
    return EscalationRead.model_validate(item, from_attributes=True)


@router.get("/ecosystems/{name}/escalations")
def list_escalations(
    principal: Reader,
    session: SessionDep,
    name: str,
    status: Literal["open", "acknowledged", "resolved"] | None = None,
    level: Literal["operational", "tactical", "strategic"] | None = None,
    owner: Annotated[str | None, Query(max_length=200)] = None,
    overdue: bool = False,
) -> list[EscalationRead]:
    """List the escalations you may see, highest level and nearest deadline first."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    found = service.list_escalations(
        session=session,
        ecosystem=ecosystem,
        principal=principal,
        status=status,
        level=level,
        owner=owner,
        overdue_only=overdue,
    )
    return [_read(item) for item in found]


@router.post("/ecosystems/{name}/escalations", status_code=201)
def raise_escalation(
    principal: TakePart,
    session: SessionDep,
    request_id: RequestId,
    name: str,
    body: EscalationCreate,
) -> EscalationRead:
    """Raise an issue; it is routed by its category's decision right and its SLA clock starts."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    item = service.raise_escalation(
        session=session,
        ecosystem=ecosystem,
        principal=principal,
        request_id=request_id,
        source="partner" if principal.is_partner else "person",
        **body.model_dump(),
    )
    return _read(item)


@router.get("/ecosystems/{name}/escalations/board")
def escalation_board(principal: Reader, session: SessionDep, name: str) -> BoardRead:
    """Count the active escalations by level and age; list those at risk and overdue."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    board = service.board_summary(session=session, ecosystem=ecosystem, principal=principal)
    return BoardRead(
        active=board.active,
        by_level=board.by_level,
        by_age=board.by_age,
        at_risk=[_read(item) for item in board.at_risk],
        overdue=[_read(item) for item in board.overdue],
    )


@router.post("/ecosystems/{name}/escalations/sweep")
def sweep_escalations(
    principal: Writer, session: SessionDep, request_id: RequestId, name: str
) -> SweepRead:
    """Escalate every escalation of the ecosystem whose SLA ran out, now."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    moved = service.sweep(
        session=session, now=utcnow(), request_id=request_id, ecosystem_id=ecosystem.id
    )
    return SweepRead(moved=[item.id for item in moved])


@router.get("/ecosystems/{name}/escalations/{escalation_id}")
def get_escalation(
    principal: Reader, session: SessionDep, name: str, escalation_id: RowId
) -> EscalationDetail:
    """Show an escalation with its history."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    item = service.get(
        session=session, ecosystem=ecosystem, principal=principal, escalation_id=escalation_id
    )
    history = [
        EscalationEventRead.model_validate(e, from_attributes=True)
        for e in service.events(session=session, item=item)
    ]
    return EscalationDetail(**_read(item).model_dump(exclude={"breached"}), events=history)


def _who(
    session: Session, principal: Principal, request_id: str, name: str, escalation_id: int
) -> dict[str, Any]:
    """The keyword arguments naming one escalation and the caller to an action."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    return {
        "session": session,
        "ecosystem": ecosystem,
        "principal": principal,
        "request_id": request_id,
        "escalation_id": escalation_id,
    }


@router.post("/ecosystems/{name}/escalations/{escalation_id}/acknowledge")
def acknowledge(
    principal: TakePart,
    session: SessionDep,
    request_id: RequestId,
    name: str,
    escalation_id: RowId,
    body: AcknowledgeIn,
) -> EscalationRead:
    """Acknowledge an open escalation you own (its SLA clock keeps running)."""
    who = _who(session, principal, request_id, name, escalation_id)
    return _read(service.acknowledge(note=body.note, **who))


@router.post("/ecosystems/{name}/escalations/{escalation_id}/respond")
def respond(
    principal: TakePart,
    session: SessionDep,
    request_id: RequestId,
    name: str,
    escalation_id: RowId,
    body: RespondIn,
) -> EscalationRead:
    """Respond to an escalation that involves you."""
    who = _who(session, principal, request_id, name, escalation_id)
    return _read(service.respond(text=body.text, **who))


@router.post("/ecosystems/{name}/escalations/{escalation_id}/escalate")
def escalate(
    principal: TakePart,
    session: SessionDep,
    request_id: RequestId,
    name: str,
    escalation_id: RowId,
    body: ReasonIn,
) -> EscalationRead:
    """Move an escalation one level up its path now, saying why."""
    who = _who(session, principal, request_id, name, escalation_id)
    return _read(service.escalate(reason=body.reason, **who))


@router.post("/ecosystems/{name}/escalations/{escalation_id}/resolve")
def resolve(
    principal: TakePart,
    session: SessionDep,
    request_id: RequestId,
    name: str,
    escalation_id: RowId,
    body: ResolveIn,
) -> EscalationRead:
    """Resolve an escalation with what was decided (and the decision that decided it)."""
    who = _who(session, principal, request_id, name, escalation_id)
    return _read(service.resolve(resolution=body.resolution, decision_id=body.decision_id, **who))


@router.post("/ecosystems/{name}/escalations/{escalation_id}/reopen")
def reopen(
    principal: TakePart,
    session: SessionDep,
    request_id: RequestId,
    name: str,
    escalation_id: RowId,
    body: ReasonIn,
) -> EscalationRead:
    """Open a resolved escalation again, with a fresh SLA clock."""
    who = _who(session, principal, request_id, name, escalation_id)
    return _read(service.reopen(reason=body.reason, **who))


@router.post("/ecosystems/{name}/exceptions/{exception_id}/escalate", status_code=201)
def escalate_exception(
    principal: Writer,
    session: SessionDep,
    request_id: RequestId,
    name: str,
    exception_id: RowId,
) -> EscalationRead:
    """Escalate an exception of incoming data (raising it again returns the same escalation)."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    item = service.raise_from_exception(
        session=session,
        ecosystem=ecosystem,
        exception_id=exception_id,
        request_id=request_id,
        principal=principal,
    )
    return _read(item)


@router.post("/ecosystems/{name}/risk-signals/{signal_id}/escalate", status_code=201)
def escalate_risk_signal(
    principal: Writer,
    session: SessionDep,
    request_id: RequestId,
    name: str,
    signal_id: RowId,
) -> EscalationRead:
    """Escalate a partner's risk signal (raising it again returns the same escalation)."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    item = service.raise_from_risk_signal(
        session=session,
        ecosystem=ecosystem,
        signal_id=signal_id,
        request_id=request_id,
        principal=principal,
    )
    return _read(item)
