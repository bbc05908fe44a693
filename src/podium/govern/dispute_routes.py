"""API routes of governance: disputes.

Thin over :mod:`podium.govern.dispute_service`. Parties (``govern:take_part``: the orchestrator's
admins and analysts, partner users) open disputes, add evidence, statements and settlement
proposals, and accept another party's proposal; the raising party withdraws; staff with
``govern:write`` advance the mechanism and record the outcome. ``govern:read`` (viewers too)
lists and reads every dispute; a partner only those that involve it, and gets 404 for others.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from sqlalchemy.orm import Session

from podium.core.auth import Permission, Principal
from podium.core.db import utcnow
from podium.core.deps import RequestId, SessionDep, require, require_any
from podium.ecosystem import models as eco
from podium.ecosystem import service as eco_service
from podium.govern import dispute_schemas as schemas
from podium.govern import dispute_service as service
from podium.govern import disputes
from podium.govern.models import Dispute

router = APIRouter(tags=["governance"])

Party = Annotated[Principal, Depends(require(Permission.GOVERN_TAKE_PART))]


govern_reader = require_any(Permission.GOVERN_READ, Permission.GOVERN_TAKE_PART)
Reader = Annotated[Principal, Depends(govern_reader)]
Writer = Annotated[Principal, Depends(require(Permission.GOVERN_WRITE))]
DisputeId = Annotated[int, Path(ge=1, le=2**31 - 1)]
BASE = "/ecosystems/{name}/disputes"


def dispute_read(dispute: Dispute) -> schemas.DisputeRead:
    """The API shape of a dispute, overdue as of now."""
    steps, due = dispute.mechanism, service.utc(dispute.due_at)
    return schemas.DisputeRead(
        id=dispute.id,
        title=dispute.title,
        subject=dispute.subject,
        subject_ref=dispute.subject_ref,
        parties=dispute.parties,
        raised_by=dispute.raised_by,
        mechanism=[schemas.StepIn(step=s["step"], days=s["days"]) for s in steps],
        step_index=dispute.step_index,
        step=str(steps[dispute.step_index]["step"]),
        status=dispute.status,
        opened_at=service.utc(dispute.opened_at),
        due_at=due,
        closed_at=service.utc(dispute.closed_at),
        outcome=dispute.outcome,
        overdue=disputes.is_overdue(dispute.status, due, utcnow()),
    )


def dispute_detail(
    session: Session, ecosystem: eco.Ecosystem, principal: Principal, dispute: Dispute
) -> schemas.DisputeDetail:
    """A dispute with its timeline, entries and the caller's possible actions."""
    found = service.entries(session=session, dispute=dispute)
    return schemas.DisputeDetail(
        **dispute_read(dispute).model_dump(),
        timeline=[
            schemas.TimelineStepRead.model_validate(step, from_attributes=True)
            for step in service.timeline(dispute=dispute, found=found)
        ],
        entries=[schemas.EntryRead.model_validate(e, from_attributes=True) for e in found],
        actions=service.allowed_actions(
            session=session, ecosystem=ecosystem, principal=principal, dispute=dispute
        ),
    )


def _ecosystem(session: Session, name: str, principal: Principal) -> eco.Ecosystem:
    return eco_service.get_ecosystem(session=session, name=name, principal=principal)


@router.get(BASE)
def list_disputes(
    principal: Reader, session: SessionDep, name: str, status: str | None = None
) -> list[schemas.DisputeRead]:
    """List the disputes you may see (a partner: those that involve it), newest first."""
    ecosystem = _ecosystem(session, name, principal)
    found = service.list_disputes(
        session=session, ecosystem=ecosystem, principal=principal, status=status
    )
    return [dispute_read(d) for d in found]


@router.post(BASE, status_code=201)
def open_dispute(
    principal: Party,
    session: SessionDep,
    request_id: RequestId,
    name: str,
    body: schemas.DisputeCreate,
) -> schemas.DisputeDetail:
    """Open a dispute between parties (actor:<key>) at the first step of its mechanism."""
    ecosystem = _ecosystem(session, name, principal)
    dispute = service.open_dispute(
        session=session,
        ecosystem=ecosystem,
        principal=principal,
        request_id=request_id,
        title=body.title,
        subject=body.subject,
        subject_ref=body.subject_ref,
        parties=body.parties,
        mechanism=[s.model_dump() for s in body.mechanism] if body.mechanism else None,
    )
    return dispute_detail(session, ecosystem, principal, dispute)


@router.get(BASE + "/{dispute_id}")
def get_dispute(
    principal: Reader, session: SessionDep, name: str, dispute_id: DisputeId
) -> schemas.DisputeDetail:
    """Read a dispute with its timeline of steps, deadlines and entries."""
    ecosystem = _ecosystem(session, name, principal)
    dispute = service.get(
        session=session, ecosystem=ecosystem, principal=principal, dispute_id=dispute_id
    )
    return dispute_detail(session, ecosystem, principal, dispute)


@router.post(BASE + "/{dispute_id}/entries", status_code=201)
def add_entry(
    principal: Party,
    session: SessionDep,
    request_id: RequestId,
    name: str,
    dispute_id: DisputeId,
    body: schemas.EntryCreate,
) -> schemas.EntryRead:
    """Add evidence (with links to records and audit entries), a statement or a proposal."""
    ecosystem = _ecosystem(session, name, principal)
    entry = service.add_entry(
        session=session,
        ecosystem=ecosystem,
        principal=principal,
        request_id=request_id,
        dispute_id=dispute_id,
        kind=body.kind,
        text=body.text,
        links=[link.model_dump() for link in body.links],
    )
    return schemas.EntryRead.model_validate(entry, from_attributes=True)


@router.post(BASE + "/{dispute_id}/accept")
def accept_settlement(
    principal: Party, session: SessionDep, request_id: RequestId, name: str, dispute_id: DisputeId
) -> schemas.DisputeDetail:
    """Accept the settlement another party proposed last: the dispute is resolved by it."""
    ecosystem = _ecosystem(session, name, principal)
    dispute = service.accept(
        session=session,
        ecosystem=ecosystem,
        principal=principal,
        request_id=request_id,
        dispute_id=dispute_id,
    )
    return dispute_detail(session, ecosystem, principal, dispute)


@router.post(BASE + "/{dispute_id}/advance")
def advance(
    principal: Writer,
    session: SessionDep,
    request_id: RequestId,
    name: str,
    dispute_id: DisputeId,
    body: schemas.AdvanceIn,
) -> schemas.DisputeDetail:
    """Move the dispute to the next step of its mechanism, saying why."""
    ecosystem = _ecosystem(session, name, principal)
    dispute = service.advance(
        session=session,
        ecosystem=ecosystem,
        principal=principal,
        request_id=request_id,
        dispute_id=dispute_id,
        reason=body.reason,
    )
    return dispute_detail(session, ecosystem, principal, dispute)


@router.post(BASE + "/{dispute_id}/resolve")
def resolve(
    principal: Writer,
    session: SessionDep,
    request_id: RequestId,
    name: str,
    dispute_id: DisputeId,
    body: schemas.ResolveIn,
) -> schemas.DisputeDetail:
    """Record the dispute's outcome (by the parties' agreement or the step's decision)."""
    ecosystem = _ecosystem(session, name, principal)
    dispute = service.resolve(
        session=session,
        ecosystem=ecosystem,
        principal=principal,
        request_id=request_id,
        dispute_id=dispute_id,
        outcome=body.outcome,
        resolution=body.resolution,
    )
    return dispute_detail(session, ecosystem, principal, dispute)


@router.post(BASE + "/{dispute_id}/withdraw")
def withdraw(
    principal: Party,
    session: SessionDep,
    request_id: RequestId,
    name: str,
    dispute_id: DisputeId,
    body: schemas.WithdrawIn,
) -> schemas.DisputeDetail:
    """Withdraw a dispute you raised."""
    ecosystem = _ecosystem(session, name, principal)
    dispute = service.withdraw(
        session=session,
        ecosystem=ecosystem,
        principal=principal,
        request_id=request_id,
        dispute_id=dispute_id,
        reason=body.reason,
    )
    return dispute_detail(session, ecosystem, principal, dispute)
