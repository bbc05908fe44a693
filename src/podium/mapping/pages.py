"""Console pages of exposure: run stress tests and structure analyses, watch them, read results.

``/ecosystems/{name}/exposure`` shows the latest stress test and structure analysis of an
ecosystem: the map coloured by Risk Exposure Index, the top risks, the structural findings and
the risk table. Analysts start new runs from it (a form posted with the session cookie and a
per-session CSRF token); the page polls a small progress fragment and reloads its results when a
run is done.
"""

from __future__ import annotations

import io
import re
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, BackgroundTasks, Depends, Form, Header, Request
from fastapi.responses import JSONResponse, RedirectResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from podium.core.auth import Permission, Principal
from podium.core.deps import SessionDep, require
from podium.core.errors import NotFound, PodiumError
from podium.ecosystem import models as eco_models
from podium.ecosystem import service as eco_service
from podium.mapping import models, service, views
from podium.web import render
from podium.web.forms import check_csrf, csrf_token

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal, Depends(require(Permission.ANALYSIS_READ))]
Runner = Annotated[Principal, Depends(require(Permission.ANALYSIS_RUN))]
STRESS, STRUCTURE = "stress_test", "structure"
BY_CHOICES = (("site", "Each site"), ("actor", "Each actor"), ("region", "Each region"))


def _ecosystem(session: Session, name: str, principal: Principal) -> eco_models.Ecosystem:
    return eco_service.get_ecosystem(session=session, name=name, principal=principal)


def _latest(
    session: Session, ecosystem: eco_models.Ecosystem, kind: str, *, only_done: bool = True
) -> models.AnalysisRun | None:
    return service.latest_run(session=session, ecosystem=ecosystem, kind=kind, only_done=only_done)


def _results_context(session: Session, ecosystem: eco_models.Ecosystem) -> dict[str, Any]:
    """Return what the results fragment shows: the latest runs, their views and the table."""
    stress_run = _latest(session, ecosystem, STRESS)
    structure_run = _latest(session, ecosystem, STRUCTURE)
    previous = _previous(session, ecosystem, stress_run)
    stress = views.stress_view(stress_run, previous) if stress_run is not None else None
    structure = None
    if structure_run is not None:
        names = service.entity_names(
            session=session, ecosystem=ecosystem, keys=views.subjects(structure_run)
        )
        structure = views.structure_view(structure_run, names)
    table = views.table_page(stress) if stress is not None else None
    return {"stress": stress, "structure": structure, "table": table}


def _previous(
    session: Session, ecosystem: eco_models.Ecosystem, run: models.AnalysisRun | None
) -> models.AnalysisRun | None:
    """Return the finished stress test just before ``run`` if it took down the same kind of
    scenario (site, actor or region), else None: only then do the scenarios compare."""
    if run is None:
        return None
    for other in service.list_runs(session=session, ecosystem=ecosystem, kind=STRESS, limit=20):
        if other.id < run.id and other.status == "done":
            same = other.parameters.get("by") == run.parameters.get("by")
            return other if same else None
    return None


@router.get("/ecosystems/{name}/exposure")
def exposure_page(request: Request, name: str, session: SessionDep, principal: Reader) -> Response:
    """Show where the ecosystem is exposed: runs, the REI map, top risks, findings, risk table."""
    ecosystem = _ecosystem(session, name, principal)
    active = [
        views.progress_view(run)
        for kind in (STRESS, STRUCTURE)
        if (run := _latest(session, ecosystem, kind, only_done=False)) is not None
        and run.status in ("queued", "running")
    ]
    return render(
        request,
        "map/exposure.html",
        principal,
        nav="map",
        ecosystem=ecosystem,
        ecosystems=eco_service.list_ecosystems(session=session, principal=principal),
        can_run=principal.can(Permission.ANALYSIS_RUN),
        csrf_token=csrf_token(request),
        by_choices=BY_CHOICES,
        default_by="site",
        default_horizon=365,
        stress_kind=STRESS,
        structure_kind=STRUCTURE,
        active=active,
        **_results_context(session, ecosystem),
    )


@router.post("/ecosystems/{name}/exposure/runs")
def start_run(
    request: Request,
    name: str,
    session: SessionDep,
    principal: Runner,
    background: BackgroundTasks,
    kind: Annotated[str, Form()],
    csrf: Annotated[str | None, Form(alias="csrf_token")] = None,
    by: Annotated[str, Form()] = "site",
    horizon_days: Annotated[str, Form()] = "365",
    hx_request: Annotated[str | None, Header()] = None,
) -> Response:
    """Start a stress test or structure analysis; answer with its progress fragment."""
    check_csrf(request, csrf or request.headers.get("x-csrf-token"))
    ecosystem = _ecosystem(session, name, principal)
    try:
        run = service.start_run(
            session=session,
            ecosystem=ecosystem,
            kind=kind,
            parameters=_parameters(kind, by, horizon_days),
            user_id=principal.user_id,
        )
    except PodiumError as exc:
        if hx_request is None:
            raise
        return render(request, "map/_exposure_alert.html", principal, message=exc.detail)
    # The request's unit of work ends only after the background task: commit the queued run
    # now, so the task (in sessions of its own) sees it and does not wait behind this lock.
    progress, eco_name = views.progress_view(run), ecosystem.name
    session.commit()
    session.close()
    factory = request.app.state.session_factory
    background.add_task(service.execute_run, sessions=factory, run_id=progress["id"])
    if hx_request is None:
        return RedirectResponse(f"/ecosystems/{quote(eco_name)}/exposure", status_code=303)
    return render(
        request,
        "map/_exposure_progress.html",
        principal,
        status_code=202,
        ecosystem={"name": eco_name},
        run=progress,
    )


def _parameters(kind: str, by: str, horizon_days: str) -> dict[str, Any]:
    """Return the parameters of a run of ``kind`` from the form's fields (the service checks)."""
    if kind != STRESS:
        return {}
    try:
        horizon: float | str = float(horizon_days)
    except ValueError:
        horizon = horizon_days
    return {"by": by, "horizon_days": horizon}


def _run(session: Session, ecosystem: eco_models.Ecosystem, run_id: int) -> models.AnalysisRun:
    run = service.get_run(session=session, run_id=run_id)
    if run.ecosystem_id != ecosystem.id:
        raise NotFound(f"no analysis run {run_id} in {ecosystem.name!r}")
    return run


@router.get("/ecosystems/{name}/exposure/runs/{run_id}/progress")
def run_progress(
    request: Request, name: str, run_id: int, session: SessionDep, principal: Reader
) -> Response:
    """Return a run's progress fragment; when it is done, tell the page to reload its results."""
    ecosystem = _ecosystem(session, name, principal)
    run = _run(session, ecosystem, run_id)
    response = render(
        request,
        "map/_exposure_progress.html",
        principal,
        ecosystem=ecosystem,
        run=views.progress_view(run),
    )
    if run.status == "done":
        response.headers["HX-Trigger"] = "exposure-updated"
    return response


@router.get("/ecosystems/{name}/exposure/results")
def results(request: Request, name: str, session: SessionDep, principal: Reader) -> Response:
    """Return the results fragment: top risks, findings, risk table (figures out of band)."""
    ecosystem = _ecosystem(session, name, principal)
    return render(
        request,
        "map/_exposure_results.html",
        principal,
        ecosystem=ecosystem,
        oob=True,
        **_results_context(session, ecosystem),
    )


@router.get("/ecosystems/{name}/exposure/risk-table")
def risk_table(
    request: Request,
    name: str,
    session: SessionDep,
    principal: Reader,
    sort: str = "rei",
    dir: str = "desc",
    page: int = 1,
) -> Response:
    """Return one sorted page of the latest stress test's risk table (an htmx fragment)."""
    ecosystem = _ecosystem(session, name, principal)
    run = _latest(session, ecosystem, STRESS)
    if run is None or run.status != "done":
        raise NotFound(f"no finished stress test of {ecosystem.name!r}")
    stress = views.stress_view(run, None)
    table = views.table_page(stress, sort=sort, direction=dir, page=page)
    return render(request, "map/_exposure_table.html", principal, ecosystem=ecosystem, table=table)


@router.get("/ecosystems/{name}/exposure/rei.json")
def rei_json(name: str, session: SessionDep, principal: Reader) -> JSONResponse:
    """Return each site's REI from the latest stress test and the marks of the latest structure."""
    ecosystem = _ecosystem(session, name, principal)
    stress_run = _latest(session, ecosystem, STRESS)
    structure_run = _latest(session, ecosystem, STRUCTURE)
    return JSONResponse(views.map_payload(stress_run, structure_run))


MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _download(session: Session, name: str, principal: Principal, format: str) -> Response:
    """Return the latest finished stress test's risk table as a CSV or XLSX attachment."""
    ecosystem = _ecosystem(session, name, principal)
    run = _latest(session, ecosystem, STRESS)
    if run is None:
        raise NotFound(f"no finished stress test of {ecosystem.name!r}")
    buffer = io.BytesIO()
    service.write_risk_table(service.risk_table(run), buffer, format=format)
    filename = f"{ecosystem.name}-risk-table-{run.id}.{format}"
    plain = re.sub(r"[^\w.-]", "_", filename.encode("ascii", "replace").decode())
    disposition = f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(filename, safe='')}"
    return Response(
        buffer.getvalue(),
        media_type=MEDIA_TYPES[format],
        headers={"Content-Disposition": disposition},
    )


@router.get("/ecosystems/{name}/exposure/risk-table.csv")
def risk_table_csv(name: str, session: SessionDep, principal: Reader) -> Response:
    """Download the latest stress test's risk table as CSV: one row per scenario, worst first."""
    return _download(session, name, principal, "csv")


@router.get("/ecosystems/{name}/exposure/risk-table.xlsx")
def risk_table_xlsx(name: str, session: SessionDep, principal: Reader) -> Response:
    """Download the latest stress test's risk table as an XLSX workbook."""
    return _download(session, name, principal, "xlsx")
