"""API routes of Align's declared agreements, misalignment checks and value propositions.

Thin over :mod:`podium.align.service`. Reading and evaluating need ``align:read``; declaring an
agreement needs ``align:write``. Partners have neither (403). A bad agreement or initiative is a
422 whose errors point at the field (``/agreements/0/metrics/1``, ``/actors/2/share``).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, status

from podium.align import service
from podium.core.auth import Permission, Principal
from podium.core.deps import RequestId, SessionDep, require
from podium.ecosystem import service as eco_service

router = APIRouter(tags=["align"])

Reader = Annotated[Principal, Depends(require(Permission.ALIGN_READ))]
Writer = Annotated[Principal, Depends(require(Permission.ALIGN_WRITE))]
AGREEMENTS = "/ecosystems/{name}/commercial-agreements"


@router.get(AGREEMENTS)
def list_agreements(
    principal: Reader,
    session: SessionDep,
    name: str,
    partner: Annotated[str | None, Query(description="only this partner's agreements")] = None,
) -> list[dict[str, Any]]:
    """List the current commercial agreements: contract type, incentive metrics and terms."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    service.check_staff(principal)
    rows = service.list_agreements(session=session, ecosystem=ecosystem, partner=partner)
    return [service.agreement_dict(row) for row in rows]


@router.get(AGREEMENTS + "/{key}")
def agreement_history(
    principal: Reader, session: SessionDep, name: str, key: str
) -> list[dict[str, Any]]:
    """Return every version of an agreement, newest first."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    service.check_staff(principal)
    rows = service.history(session=session, ecosystem=ecosystem, key=key)
    return [service.agreement_dict(row) for row in rows]


@router.put(AGREEMENTS)
def put_agreements(
    principal: Writer,
    session: SessionDep,
    request_id: RequestId,
    name: str,
    body: Annotated[Any, Body(description="a list of agreements, or {agreements: [...]}")],
) -> list[dict[str, Any]]:
    """Declare agreements (a new version of each that changed; others are left as they are);
    one invalid agreement refuses the batch, every defect at its pointer."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    rows = service.save_agreements(
        session=session, ecosystem=ecosystem, principal=principal, request_id=request_id,
        data=body,
    )  # fmt: skip
    return [service.agreement_dict(row) for row in rows]


@router.post(AGREEMENTS, status_code=status.HTTP_201_CREATED)
def post_agreement(
    principal: Writer,
    session: SessionDep,
    request_id: RequestId,
    name: str,
    body: Annotated[dict[str, Any], Body()],
) -> dict[str, Any]:
    """Declare one agreement (its key defaults to the partner's); defects at their pointers."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    (row,) = service.save_agreements(
        session=session, ecosystem=ecosystem, principal=principal, request_id=request_id,
        data=[body], where=None,
    )  # fmt: skip
    return service.agreement_dict(row)


@router.delete(AGREEMENTS + "/{key}")
def retire_agreement(
    principal: Writer, session: SessionDep, request_id: RequestId, name: str, key: str
) -> dict[str, Any]:
    """Retire an agreement (no longer current; its versions stay readable)."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    row = service.retire_agreement(
        session=session, ecosystem=ecosystem, principal=principal, request_id=request_id, key=key
    )
    return service.agreement_dict(row)


@router.get("/ecosystems/{name}/misalignments")
def misalignments(principal: Reader, session: SessionDep, name: str) -> dict[str, Any]:
    """Check each partner's declared incentives against what the ecosystem needs from it (the
    stored stress test, the links, Learn's OTIF) and propose mechanisms, most severe first."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    found = service.misalignments(session=session, ecosystem=ecosystem, principal=principal)
    return found.to_dict()


@router.post("/ecosystems/{name}/value-propositions")
def value_proposition(
    principal: Reader,
    session: SessionDep,
    name: str,
    body: Annotated[dict[str, Any], Body()],
) -> dict[str, Any]:
    """Evaluate a proposed initiative: each actor's contribution, gain, risk and net, and
    whether joining is individually rational for it (nothing is stored)."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    found = service.value_proposition(
        session=session, ecosystem=ecosystem, principal=principal, data=body
    )
    return asdict(found)
