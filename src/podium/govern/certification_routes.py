"""API routes of governance: certification schemes, certifications, trainings, eligibility.

Thin over :mod:`podium.govern.certification_service`. Reading needs ``govern:read`` (everything)
or ``govern:take_part`` (a partner: its own certifications and trainings; every scheme, so it
knows what it can be certified in). Changing needs ``govern:write``. The eligibility query and
the expiry check serve the orchestrator (``govern:read`` and ``govern:write``).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response, UploadFile

from podium.core.auth import Permission, Principal
from podium.core.db import utcnow
from podium.core.deps import RequestId, SessionDep, SettingsDep, require
from podium.core.errors import Invalid
from podium.ecosystem import models as eco
from podium.ecosystem import service as eco_service
from podium.govern import certification_service as service
from podium.govern import dispute_schemas as schemas
from podium.govern.dispute_routes import Reader

router = APIRouter(tags=["governance"])

GovernReader = Annotated[Principal, Depends(require(Permission.GOVERN_READ))]
Writer = Annotated[Principal, Depends(require(Permission.GOVERN_WRITE))]
RowId = Annotated[int, Path(ge=1, le=2**31 - 1)]
ECO = "/ecosystems/{name}"
MAX_UPLOAD_BYTES = 8 * 1024 * 1024


def _ecosystem(session: SessionDep, name: str, principal: Principal) -> eco.Ecosystem:
    return eco_service.get_ecosystem(session=session, name=name, principal=principal)


def _certification_read(listed: service.Listed) -> schemas.CertificationRead:
    row = listed.row
    return schemas.CertificationRead(
        id=row.id,
        scheme=listed.scheme.key,
        process=listed.scheme.process,
        actor=row.actor,
        site=row.site,
        level=row.level,
        issued_on=row.issued_on,
        expires_on=row.expires_on,
        status=listed.status,
        days_left=listed.days_left,
        evidence=row.evidence,
    )


@router.get(ECO + "/certification-schemes")
def list_schemes(principal: Reader, session: SessionDep, name: str) -> list[schemas.SchemeRead]:
    """List the certification schemes (processes, levels lowest first, validity days)."""
    ecosystem = _ecosystem(session, name, principal)
    found = service.list_schemes(session=session, ecosystem=ecosystem)
    return [schemas.SchemeRead.model_validate(s, from_attributes=True) for s in found]


@router.post(ECO + "/certification-schemes", status_code=201)
def create_scheme(
    principal: Writer,
    session: SessionDep,
    request_id: RequestId,
    name: str,
    body: schemas.SchemeCreate,
) -> schemas.SchemeRead:
    """Add a certification scheme."""
    ecosystem = _ecosystem(session, name, principal)
    scheme = service.create_scheme(
        session=session,
        ecosystem=ecosystem,
        principal=principal,
        request_id=request_id,
        **body.model_dump(),
    )
    return schemas.SchemeRead.model_validate(scheme, from_attributes=True)


@router.put(ECO + "/certification-schemes/{key}")
def update_scheme(
    principal: Writer,
    session: SessionDep,
    request_id: RequestId,
    name: str,
    key: str,
    body: schemas.SchemeCreate,
) -> schemas.SchemeRead:
    """Change a scheme (its key stays; levels that certifications hold must stay)."""
    ecosystem = _ecosystem(session, name, principal)
    if body.key != key:
        raise Invalid(
            "key: a scheme keeps its key", [{"pointer": "/key", "detail": "must be " + key}]
        )
    scheme = service.update_scheme(
        session=session,
        ecosystem=ecosystem,
        principal=principal,
        request_id=request_id,
        **body.model_dump(),
    )
    return schemas.SchemeRead.model_validate(scheme, from_attributes=True)


@router.delete(ECO + "/certification-schemes/{key}", status_code=204)
def delete_scheme(
    principal: Writer, session: SessionDep, request_id: RequestId, name: str, key: str
) -> Response:
    """Delete a scheme no certification uses."""
    ecosystem = _ecosystem(session, name, principal)
    service.delete_scheme(
        session=session, ecosystem=ecosystem, principal=principal, request_id=request_id, key=key
    )
    return Response(status_code=204)


@router.get(ECO + "/certifications")
def list_certifications(
    principal: Reader,
    session: SessionDep,
    name: str,
    settings: SettingsDep,
    actor: str | None = None,
    scheme: str | None = None,
    on: date | None = None,
    warning_days: Annotated[int | None, Query(ge=0, le=3650)] = None,
) -> list[schemas.CertificationRead]:
    """List certifications with their status on ``on`` (default today); a partner sees its own.

    ``warning_days`` (default: the ``certification_warning_days`` setting) marks as expiring
    those that expire within it."""
    ecosystem = _ecosystem(session, name, principal)
    if warning_days is None:
        warning_days = settings.certification_warning_days
    found = service.list_certifications(
        session=session,
        ecosystem=ecosystem,
        principal=principal,
        actor=actor,
        scheme=scheme,
        on=on,
        warning_days=warning_days,
    )
    return [_certification_read(listed) for listed in found]


@router.post(ECO + "/certifications", status_code=201)
def certify(
    principal: Writer,
    session: SessionDep,
    request_id: RequestId,
    name: str,
    body: schemas.CertificationCreate,
) -> schemas.CertificationRead:
    """Certify a partner (or one of its sites) in a scheme at a level."""
    ecosystem = _ecosystem(session, name, principal)
    row = service.certify(
        session=session,
        ecosystem=ecosystem,
        principal=principal,
        request_id=request_id,
        **body.model_dump(),
    )
    listed = service.get_certification(
        session=session, ecosystem=ecosystem, principal=principal, certification_id=row.id
    )
    return _certification_read(listed)


@router.post(ECO + "/certifications/import", status_code=201)
def import_certifications(
    principal: Writer, session: SessionDep, request_id: RequestId, name: str, file: UploadFile
) -> list[schemas.CertificationRead]:
    """Certify from a CSV or XLSX file (columns: scheme, actor, site, level, issued_on,
    expires_on, evidence); all rows or none, errors by row and column."""
    ecosystem = _ecosystem(session, name, principal)
    content = file.file.read(MAX_UPLOAD_BYTES + 1)
    stored = service.import_certifications(
        session=session,
        ecosystem=ecosystem,
        principal=principal,
        request_id=request_id,
        filename=file.filename or "upload.csv",
        content=content,
    )
    ids = {row.id for row in stored}
    found = service.list_certifications(session=session, ecosystem=ecosystem, principal=principal)
    return [_certification_read(c) for c in found if c.row.id in ids]


@router.get(ECO + "/certifications/eligible")
def eligible(
    principal: GovernReader,
    session: SessionDep,
    name: str,
    process: Annotated[str, Query(min_length=1, max_length=200)],
    region: str | None = None,
    min_level: str | None = None,
    on: date | None = None,
) -> list[schemas.EligibleRead]:
    """Which partners (and sites) are certified for a process, in a region, at a level or above."""
    ecosystem = _ecosystem(session, name, principal)
    found = service.eligible(
        session=session,
        ecosystem=ecosystem,
        process=process,
        region=region,
        min_level=min_level,
        on=on,
    )
    return [schemas.EligibleRead.model_validate(e, from_attributes=True) for e in found]


@router.post(ECO + "/certifications/check-expiry")
def check_expiry(
    principal: Writer,
    session: SessionDep,
    name: str,
    settings: SettingsDep,
    on: date | None = None,
    warning_days: Annotated[int | None, Query(ge=0, le=3650)] = None,
) -> schemas.ExpiryCheck:
    """Raise exceptions for certifications expiring within ``warning_days`` (default: the
    ``certification_warning_days`` setting) or expired."""
    ecosystem = _ecosystem(session, name, principal)
    if warning_days is None:
        warning_days = settings.certification_warning_days
    day = on or utcnow().date()
    new = service.raise_expiry_exceptions(
        session=session, ecosystem=ecosystem, on=day, warning_days=warning_days
    )
    return schemas.ExpiryCheck(new_exceptions=new, on=day, warning_days=warning_days)


@router.delete(ECO + "/certifications/{certification_id}")
def revoke(
    principal: Writer,
    session: SessionDep,
    request_id: RequestId,
    name: str,
    certification_id: RowId,
    reason: str = "",
) -> schemas.CertificationRead:
    """Revoke a certification (it stays on record as revoked)."""
    ecosystem = _ecosystem(session, name, principal)
    row = service.revoke(
        session=session,
        ecosystem=ecosystem,
        principal=principal,
        request_id=request_id,
        certification_id=certification_id,
        reason=reason,
    )
    listed = service.get_certification(
        session=session, ecosystem=ecosystem, principal=principal, certification_id=row.id
    )
    return _certification_read(listed)


@router.get(ECO + "/trainings")
def list_trainings(
    principal: Reader, session: SessionDep, name: str, actor: str | None = None
) -> list[schemas.TrainingRead]:
    """List trainings completed, newest first; a partner sees its own."""
    ecosystem = _ecosystem(session, name, principal)
    found = service.list_trainings(
        session=session, ecosystem=ecosystem, principal=principal, actor=actor
    )
    return [schemas.TrainingRead.model_validate(t, from_attributes=True) for t in found]


@router.post(ECO + "/trainings", status_code=201)
def record_training(
    principal: Writer,
    session: SessionDep,
    request_id: RequestId,
    name: str,
    body: schemas.TrainingCreate,
) -> schemas.TrainingRead:
    """Record a training a partner's person completed."""
    ecosystem = _ecosystem(session, name, principal)
    row = service.record_training(
        session=session,
        ecosystem=ecosystem,
        principal=principal,
        request_id=request_id,
        **body.model_dump(),
    )
    return schemas.TrainingRead.model_validate(row, from_attributes=True)
