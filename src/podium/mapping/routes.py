"""API routes of the analysis runs: start a stress test or structure report, poll it, read it,
download its risk table and compare two runs.

Thin over :mod:`podium.mapping.service`. Reading needs ``analysis:read``, starting a run
``analysis:run``; partner roles have neither (a run shows the whole network). A run starts
``queued`` and executes in a background task after the answer (202) is sent; poll its
``Location`` until ``status`` is ``done`` or ``failed``.
"""

from __future__ import annotations

import io
import re
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, BackgroundTasks, Depends, Query, Request, Response
from sqlalchemy.orm import Session

from podium.core.auth import Permission, Principal
from podium.core.deps import SessionDep, require
from podium.ecosystem import models as eco_models
from podium.ecosystem import service as eco_service
from podium.ecosystem.schemas import Page
from podium.mapping import schemas, service
from podium.mapping.models import AnalysisRun

router = APIRouter(tags=["analyses"])

Reader = Annotated[Principal, Depends(require(Permission.ANALYSIS_READ))]
Runner = Annotated[Principal, Depends(require(Permission.ANALYSIS_RUN))]
TABLE_MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _ecosystem_name(session: Session, run: AnalysisRun) -> str:
    ecosystem = session.get(eco_models.Ecosystem, run.ecosystem_id)
    return ecosystem.name if ecosystem is not None else str(run.ecosystem_id)


_RUN_FIELDS = [f for f in schemas.AnalysisSummary.model_fields if f != "ecosystem"]


def _summary(session: Session, run: AnalysisRun) -> schemas.AnalysisSummary:
    fields = {name: getattr(run, name) for name in _RUN_FIELDS}
    return schemas.AnalysisSummary(ecosystem=_ecosystem_name(session, run), **fields)


def _read(session: Session, run: AnalysisRun, top: int | None = None) -> schemas.AnalysisRead:
    results = run.results
    if results is not None and top is not None:
        results = {**results}
        for section in ("results", "findings"):
            if isinstance(results.get(section), list):
                results[section] = results[section][:top]
    return schemas.AnalysisRead(**_summary(session, run).model_dump(), results=results)


@router.post("/ecosystems/{name}/analyses", status_code=202)
def start_analysis(
    principal: Runner,
    session: SessionDep,
    name: str,
    body: schemas.AnalysisCreate,
    request: Request,
    response: Response,
    background: BackgroundTasks,
) -> schemas.AnalysisSummary:
    """Start a stress test or structure report of an ecosystem; poll the Location for results."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    run = service.start_run(
        session=session,
        ecosystem=ecosystem,
        kind=body.kind,
        parameters=body.parameters,
        user_id=principal.user_id,
    )
    answer = _summary(session, run)
    # The request's unit of work ends after the background task (FastAPI closes dependencies
    # once the response, background included, is done), so commit the queued run now: the task
    # reads it in sessions of its own, and must not wait behind this one's lock on SQLite.
    session.commit()
    session.close()
    background.add_task(
        service.execute_run, sessions=request.app.state.session_factory, run_id=run.id
    )
    response.headers["Location"] = str(request.url_for("get_analysis", run_id=str(run.id)))
    return answer


@router.get("/ecosystems/{name}/analyses")
def list_analyses(
    principal: Reader,
    session: SessionDep,
    name: str,
    kind: schemas.RunKind | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Page[schemas.AnalysisSummary]:
    """List an ecosystem's analysis runs, newest first, without their results."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    runs = service.list_runs(session=session, ecosystem=ecosystem, kind=kind, limit=limit)
    return Page[schemas.AnalysisSummary](items=[_summary(session, run) for run in runs])


@router.get("/analyses/compare")
def compare_analyses(
    _principal: Reader,
    session: SessionDep,
    a: Annotated[int, Query(description="id of the earlier stress-test run")],
    b: Annotated[int, Query(description="id of the later stress-test run")],
) -> schemas.AnalysisComparison:
    """Compare two finished stress tests scenario by scenario: what got better, what worse."""
    first = service.get_run(session=session, run_id=a)
    second = service.get_run(session=session, run_id=b)
    compared = service.compare_runs(first, second)
    names = [_ecosystem_name(session, first), _ecosystem_name(session, second)]
    return schemas.AnalysisComparison(ecosystems=names, **compared)


@router.get("/analyses/{run_id}", name="get_analysis")
def get_analysis(
    _principal: Reader,
    session: SessionDep,
    run_id: int,
    top: Annotated[int | None, Query(ge=1, description="keep the worst N results")] = None,
) -> schemas.AnalysisRead:
    """Return one analysis run: status, progress, parameters, summary, timing and results."""
    return _read(session, service.get_run(session=session, run_id=run_id), top)


def _table(session: Session, run_id: int, format: Literal["csv", "xlsx"]) -> Response:
    run = service.get_run(session=session, run_id=run_id)
    buffer = io.BytesIO()
    service.write_risk_table(service.risk_table(run), buffer, format=format)
    filename = f"{_ecosystem_name(session, run)}-{run.kind}-{run.id}.{format}"
    plain = re.sub(r"[^\w.-]", "_", filename.encode("ascii", "replace").decode())
    disposition = f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(filename, safe='')}"
    return Response(
        buffer.getvalue(),
        media_type=TABLE_MEDIA_TYPES[format],
        headers={"Content-Disposition": disposition},
    )


@router.get(
    "/analyses/{run_id}/risk-table.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
def risk_table_csv(_principal: Reader, session: SessionDep, run_id: int) -> Response:
    """Download a finished run as CSV: one row per scenario, worst first (or per finding)."""
    return _table(session, run_id, "csv")


@router.get(
    "/analyses/{run_id}/risk-table.xlsx",
    response_class=Response,
    responses={200: {"content": {TABLE_MEDIA_TYPES["xlsx"]: {}}}},
)
def risk_table_xlsx(_principal: Reader, session: SessionDep, run_id: int) -> Response:
    """Download a finished run as an XLSX workbook: one row per scenario, worst first."""
    return _table(session, run_id, "xlsx")
