"""GS1 EPCIS 2.0 REST binding: ``POST /epcis/capture``, ``GET /epcis/capture/{captureID}``,
``GET /epcis/events``.

A partner captures into its own ecosystem; the orchestrator's staff name the ecosystem with the
``ecosystem`` query parameter when Podium holds more than one. Capture answers 202 with the
job's ``Location``; the events are stored after the answer, all or none. Queries return an
``EPCISQueryDocument`` of the events the caller may read (its own; others' through agreements).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Body, Depends, Header, Query, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from podium.core.auth import Permission, Principal
from podium.core.db import utcnow
from podium.core.deps import RequestId, SessionDep, require
from podium.ecosystem import models as eco
from podium.ecosystem import service as eco_service
from podium.integrate import capture, epcis

router = APIRouter(prefix="/epcis", tags=["EPCIS 2.0"])

Submitter = Annotated[Principal, Depends(require(Permission.DATA_SUBMIT))]
DataReader = Annotated[Principal, Depends(require(Permission.DATA_READ))]
VERSION_HEADERS = {"GS1-EPCIS-Version": "2.0.0", "GS1-CBV-Version": "2.0.0"}
PAGING = {"perPage", "nextPageToken", "ecosystem", "purpose"}


def _ecosystem(session: Session, principal: Principal, name: str | None) -> eco.Ecosystem:
    """The ecosystem a call is about: the partner's own, or the named (or only) one."""
    if principal.is_partner and name is None:
        found = session.get(eco.Ecosystem, principal.partner_ecosystem_id)
        if found is not None:
            return found
    if name is None:
        return eco_service.only_ecosystem(session=session)
    return eco_service.get_ecosystem(session=session, name=name, principal=principal)


def _schema_check(request: Request) -> capture.SchemaCheck | None:
    """The official schema's check when ``PODIUM_EPCIS_SCHEMA_PATH`` is set (compiled once)."""
    path = request.app.state.settings.epcis_schema_path
    if path is None:
        return None
    state = request.app.state
    if getattr(state, "epcis_schema_check", None) is None:
        state.epcis_schema_check = epcis.load_schema_check(path)
    check: capture.SchemaCheck = state.epcis_schema_check
    return check


@router.post("/capture", status_code=202)
def capture_events(
    principal: Submitter,
    session: SessionDep,
    request_id: RequestId,
    request: Request,
    response: Response,
    background: BackgroundTasks,
    document: Annotated[Any, Body(description="an EPCISDocument or EPCISQueryDocument")],
    ecosystem: str | None = None,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
    gs1_capture_error_behaviour: Annotated[str, Header()] = "rollback",
) -> dict[str, Any]:
    """Capture EPCIS events; poll the Location for the capture job's outcome."""
    # No autoflush until the job is added: flushing the caller's token use (a write) would take
    # SQLite's write lock for the whole validation, stalling the jobs storing their events.
    with session.no_autoflush:
        found = _ecosystem(session, principal, ecosystem)
        job, events = capture.start_capture(
            session=session,
            ecosystem=found,
            principal=principal,
            document=document,
            request_id=request_id,
            idempotency_key=idempotency_key,
            error_behaviour=gs1_capture_error_behaviour,
            schema_check=_schema_check(request),
        )
    answer = capture.job_document(job)
    # The task stores the events in a unit of work of its own: the job must be committed first
    # (FastAPI closes the request's session only after background tasks).
    session.commit()
    session.close()
    if events:
        background.add_task(
            capture.store_events,
            factory=request.app.state.session_factory,
            job_id=job.id,
            events=events,
            principal=principal,
        )
    response.headers["Location"] = str(request.url_for("get_capture_job", capture_id=job.id))
    response.headers.update(VERSION_HEADERS)
    return answer


@router.get("/capture/{capture_id}")
def get_capture_job(
    principal: Submitter,
    session: SessionDep,
    capture_id: str,
    ecosystem: str | None = None,
) -> dict[str, Any]:
    """Return a capture job: running, success, and the errors if it failed."""
    found = _ecosystem(session, principal, ecosystem)
    job = capture.get_job(session=session, ecosystem=found, principal=principal, job_id=capture_id)
    return capture.job_document(job)


@router.get("/events", response_model=None)
def query_events(
    principal: DataReader,
    session: SessionDep,
    request_id: RequestId,
    request: Request,
    ecosystem: str | None = None,
    purpose: str | None = None,
    per_page: Annotated[int, Query(alias="perPage", ge=1, le=10_000)] = 1_000,
) -> JSONResponse:
    """Query events with the binding's common parameters (eventType, GE_eventTime,
    LT_eventTime, EQ_bizStep, EQ_disposition, MATCH_epc, MATCH_anyEPC, EQ_bizLocation,
    EQ_readPoint)."""
    found = _ecosystem(session, principal, ecosystem)
    params: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        if key not in PAGING:
            params.setdefault(key, []).append(value)
    try:
        query = epcis.parse_query(params)
    except epcis.EpcisError as error:
        raise capture.ValidationException(error.errors) from error
    events = capture.query_events(
        session=session,
        ecosystem=found,
        principal=principal,
        query=query,
        purpose=purpose,
        request_id=request_id,
        limit=per_page,
    )
    body = epcis.query_document(events, created=utcnow())
    return JSONResponse(body, media_type="application/ld+json", headers=VERSION_HEADERS)
