"""API routes of partner data: submit (JSON or file), read under the agreements, agreements,
the audit of accesses, data quality and exceptions.

Thin over :mod:`podium.integrate.service`, :mod:`~podium.integrate.access` and
:mod:`~podium.integrate.agreements`. Submitting needs ``data:submit`` (partners, for their own
actor; the orchestrator's analysts, for the orchestrator); reading needs ``data:read`` and then
sees only what the agreements allow. Batches are all-or-nothing; ``Idempotency-Key`` makes a
retry return the first answer instead of storing twice.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Header, Path, Query, Request, Response, UploadFile
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime

from podium.core import audit
from podium.core.auth import Permission, Principal
from podium.core.deps import RequestId, SessionDep, SettingsDep, require
from podium.core.errors import Forbidden, Invalid
from podium.ecosystem import service as eco_service
from podium.integrate import (
    access,
    agreements,
    datasets,
    exception_service,
    models,
    policy,
    schemas,
    service,
    tables,
)

router = APIRouter(tags=["partner data"])

Submitter = Annotated[Principal, Depends(require(Permission.DATA_SUBMIT))]
DataReader = Annotated[Principal, Depends(require(Permission.DATA_READ))]
AgreementReader = Annotated[Principal, Depends(require(Permission.AGREEMENT_READ))]
AgreementWriter = Annotated[Principal, Depends(require(Permission.AGREEMENT_WRITE))]
AuditReader = Annotated[Principal, Depends(require(Permission.AUDIT_READ))]
ExceptionReader = Annotated[Principal, Depends(require(Permission.EXCEPTION_READ))]
ExceptionWriter = Annotated[Principal, Depends(require(Permission.EXCEPTION_WRITE))]
RowId = Annotated[int, Path(ge=1, le=2**31 - 1)]
IdempotencyKey = Annotated[str | None, Header(max_length=200)]
READ_PARAMETERS = {"purpose", "start", "end", "limit", "format", "as_of"}
TABLE_MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _submission_read(submission: models.Submission) -> schemas.SubmissionRead:
    return schemas.SubmissionRead.model_validate(submission, from_attributes=True)


@router.post("/ecosystems/{name}/data/{dataset}", status_code=201)
def submit_records(
    principal: Submitter,
    session: SessionDep,
    settings: SettingsDep,
    request_id: RequestId,
    name: str,
    dataset: str,
    body: Annotated[schemas.SubmissionIn, Body()],
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> schemas.SubmissionRead:
    """Submit a batch of records of a dataset for your actor (all stored, or none)."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    provider = service.acting_actor(session=session, ecosystem=ecosystem, principal=principal)
    request_digest = service.digest(body.records)
    earlier = service.find_replay(
        session=session,
        ecosystem=ecosystem,
        provider=provider,
        dataset=dataset,
        idempotency_key=idempotency_key,
        request_digest=request_digest,
    )
    if earlier is not None:
        response.headers["Idempotent-Replayed"] = "true"
        return _submission_read(earlier)
    try:
        records = datasets.validate_records(dataset, body.records)
    except datasets.DatasetError as error:
        raise Invalid(f"{len(error.errors)} error(s); nothing was stored", error.errors) from error
    submission = service.submit(
        session=session,
        ecosystem=ecosystem,
        principal=principal,
        dataset=dataset,
        records=records,
        source="api",
        request_id=request_id,
        idempotency_key=idempotency_key,
        request_digest=request_digest,
        frozen_days=settings.frozen_horizon_days,
        swing_threshold=settings.forecast_swing_threshold,
    )
    return _submission_read(submission)


@router.post("/ecosystems/{name}/data/{dataset}/upload", status_code=201)
def upload_records(
    principal: Submitter,
    session: SessionDep,
    settings: SettingsDep,
    request_id: RequestId,
    name: str,
    dataset: str,
    file: UploadFile,
) -> schemas.SubmissionRead:
    """Submit a dataset as a CSV or XLSX file (header row of field names; all rows or none)."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    limit = settings.max_submission_bytes
    content = file.file.read(limit + 1)
    name_of_file = file.filename or "upload.csv"
    try:
        records, rows = tables.validate_upload_rows(name_of_file, content, dataset, limit)
        submission = service.submit(
            session=session,
            ecosystem=ecosystem,
            principal=principal,
            dataset=dataset,
            records=records,
            source="upload",
            request_id=request_id,
            frozen_days=settings.frozen_horizon_days,
            swing_threshold=settings.forecast_swing_threshold,
        )
    except datasets.DatasetError as error:
        raise Invalid(f"{name_of_file}: nothing was stored", error.errors) from error
    except Invalid as error:
        raise Invalid(
            f"{name_of_file}: {error.detail}", tables.in_rows(error.errors, rows)
        ) from error
    return _submission_read(submission)


@router.get("/ecosystems/{name}/data/{dataset}", response_model=None)
def read_records(
    principal: DataReader,
    session: SessionDep,
    request_id: RequestId,
    request: Request,
    name: str,
    dataset: str,
    purpose: Annotated[str | None, Query(description="why you read; agreements name it")] = None,
    start: date | None = None,
    end: date | None = None,
    limit: Annotated[int, Query(ge=1, le=access.MAX_ROWS)] = 1_000,
    format: Literal["json", "csv", "xlsx"] = "json",
    as_of: Annotated[
        AwareDatetime | None, Query(description="read the records as they stood then")
    ] = None,
) -> schemas.DataRead | Response:
    """Read a dataset: your own rows, and others' as agreements allow; other query parameters
    filter fields by value (repeat or comma-separate values)."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    if dataset not in datasets.DATASETS:
        service.dataset_spec(dataset)
    where: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        if key not in READ_PARAMETERS:
            where.setdefault(key, []).extend(v for v in value.split(",") if v)
    result = access.read(
        session=session,
        ecosystem=ecosystem,
        principal=principal,
        dataset=dataset,
        purpose=purpose,
        request_id=request_id,
        where=where,
        start=start,
        end=end,
        limit=limit,
        as_of=as_of,
        action="read" if format == "json" else "export",
    )
    if format == "json":
        return schemas.DataRead(dataset=dataset, rows=result.rows, sources=result.sources)
    columns = list(dict.fromkeys(k for row in result.rows for k in row)) or ["provider"]
    content = tables.write_table(result.rows, columns, format)
    filename = f"{ecosystem.name}-{dataset}.{format}"
    return Response(
        content,
        media_type=TABLE_MEDIA_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/ecosystems/{name}/data/{dataset}/grants")
def explain_grants(
    principal: DataReader,
    session: SessionDep,
    name: str,
    dataset: str,
    purpose: str | None = None,
) -> list[dict[str, Any]]:
    """Say, provider by provider, what you may read of a dataset for a purpose, and why."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    service.dataset_spec(dataset)
    found = access.grants(
        session=session, ecosystem=ecosystem, principal=principal, dataset=dataset, purpose=purpose
    )
    return [
        {
            **access.source_of(grant, 0),
            "fields": sorted(grant.fields) if grant.fields is not None else None,
            "filters": {k: list(v) for k, v in grant.filters.items()},
        }
        for grant in found
    ]


@router.get("/ecosystems/{name}/submissions")
def list_submissions(
    principal: DataReader,
    session: SessionDep,
    name: str,
    dataset: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[schemas.SubmissionRead]:
    """List recent submissions: yours, or every provider's for the orchestrator's staff."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    found = service.list_submissions(
        session=session, ecosystem=ecosystem, principal=principal, dataset=dataset, limit=limit
    )
    return [_submission_read(s) for s in found]


# --- agreements -----------------------------------------------------------------------------------


def _agreement_read(
    row: models.SharingAgreementRow, agreement: policy.SharingAgreement
) -> schemas.AgreementRead:
    grain = agreement.grain
    return schemas.AgreementRead(
        key=agreement.key,
        provider=agreement.provider,
        recipients=list(agreement.recipients),
        dataset=agreement.dataset,
        purposes=list(agreement.purposes),
        fields=list(agreement.fields),
        filters={k: list(v) for k, v in agreement.filters.items()},
        granularity={"time": grain.time, "item": grain.item, "place": grain.place},
        valid_from=agreement.valid_from,
        valid_until=agreement.valid_until,
        delete_after_days=agreement.delete_after_days,
        terms=dict(agreement.terms),
        in_force=agreements.in_force(row, agreement),
        revoked_at=row.revoked_at,
    )


@router.post("/ecosystems/{name}/agreements", status_code=201)
def create_agreement(
    principal: AgreementWriter, session: SessionDep, name: str, body: schemas.AgreementIn
) -> schemas.AgreementRead:
    """Share one of your datasets: an ODRL policy (unknown constraints are refused)."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    agreement = agreements.create(
        session=session,
        ecosystem=ecosystem,
        principal=principal,
        document=body.odrl,
        key=body.key,
        recipients=body.recipients,
        dataset=body.dataset,
    )
    row, _ = agreements.get(
        session=session, ecosystem=ecosystem, principal=principal, key=agreement.key
    )
    return _agreement_read(row, agreement)


@router.get("/ecosystems/{name}/agreements")
def list_agreements(
    principal: AgreementReader, session: SessionDep, name: str
) -> list[schemas.AgreementRead]:
    """List the agreements you provide or receive (all of them for the orchestrator's staff)."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    found = agreements.visible(session=session, ecosystem=ecosystem, principal=principal)
    return [_agreement_read(row, agreement) for row, agreement in found]


@router.get("/ecosystems/{name}/agreements/{key}")
def get_agreement(
    principal: AgreementReader, session: SessionDep, name: str, key: str
) -> JSONResponse:
    """Return an agreement as ODRL JSON-LD."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    _, agreement = agreements.get(
        session=session, ecosystem=ecosystem, principal=principal, key=key
    )
    return JSONResponse(policy.to_odrl(agreement), media_type="application/ld+json")


@router.delete("/ecosystems/{name}/agreements/{key}")
def revoke_agreement(
    principal: AgreementWriter, session: SessionDep, name: str, key: str
) -> schemas.AgreementRead:
    """Revoke one of your agreements now: reads through it stop at once."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    row = agreements.revoke(session=session, ecosystem=ecosystem, principal=principal, key=key)
    return _agreement_read(row, policy.parse_odrl(row.odrl))


# --- audit ----------------------------------------------------------------------------------------


@router.get("/ecosystems/{name}/audit")
def list_accesses(
    principal: AuditReader,
    session: SessionDep,
    name: str,
    provider: str | None = None,
    before: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[schemas.AuditRead]:
    """Who read or wrote partner data: a partner sees the accesses to its own data."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    if principal.is_partner:
        provider = principal.partner_actor
    entries = audit.entries(
        session=session, ecosystem_id=ecosystem.id, provider=provider, limit=limit, before=before
    )
    return [schemas.AuditRead.model_validate(e, from_attributes=True) for e in entries]


# --- data quality and exceptions ---------------------------------------------------------------


def _staff_only(principal: Principal) -> None:
    if principal.is_partner:
        raise Forbidden("the orchestrator's view of every partner is for its staff")


@router.get("/ecosystems/{name}/quality")
def data_quality(
    principal: ExceptionReader, session: SessionDep, name: str
) -> dict[str, dict[str, Any]]:
    """Each partner's data quality over its submissions: valid, complete, on time."""
    _staff_only(principal)
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    found = service.quality_by_partner(session=session, ecosystem=ecosystem)
    return {provider: asdict(score) for provider, score in found.items()}


@router.get("/ecosystems/{name}/exceptions")
def list_exceptions(
    principal: ExceptionReader,
    session: SessionDep,
    name: str,
    status: Literal["open", "acknowledged", "resolved"] | None = None,
    owner: str | None = None,
) -> list[schemas.ExceptionRead]:
    """List exceptions raised over incoming data, most severe first."""
    _staff_only(principal)
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    found = exception_service.listing(
        session=session, ecosystem=ecosystem, status=status, owner=owner
    )
    return [schemas.ExceptionRead.model_validate(e, from_attributes=True) for e in found]


@router.post("/ecosystems/{name}/exceptions/check")
def check_exceptions(principal: ExceptionWriter, session: SessionDep, name: str) -> dict[str, int]:
    """Run the exception rules over the current data now; say how many exceptions are new."""
    _staff_only(principal)
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    return {"new": exception_service.check(session=session, ecosystem=ecosystem)}


@router.patch("/ecosystems/{name}/exceptions/{exception_id}")
def update_exception(
    principal: ExceptionWriter,
    session: SessionDep,
    name: str,
    exception_id: RowId,
    body: schemas.ExceptionUpdate,
) -> schemas.ExceptionRead:
    """Acknowledge or resolve an exception."""
    _staff_only(principal)
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    found = exception_service.set_status(
        session=session, ecosystem=ecosystem, exception_id=exception_id, status=body.status
    )
    return schemas.ExceptionRead.model_validate(found, from_attributes=True)
