"""Console pages of partner data: upload, browse, download, and the Integrate summary (the
agreements, accesses and exceptions are in :mod:`~podium.integrate.sharing_pages`).

Thin over :mod:`~podium.integrate.service` and :mod:`~podium.integrate.access`; what the
templates show is shaped in :mod:`~podium.integrate.views`. Each page declares its permission
and reads one ecosystem the caller may see (a partner asking for another gets 404). Forms post
with the session cookie and the per-session CSRF token; an upload is all rows or none.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, File, UploadFile
from sqlalchemy import func, select
from starlette.responses import Response

from podium.core.auth import Permission
from podium.core.deps import RequestId, SettingsDep
from podium.core.errors import Invalid
from podium.integrate import (
    access,
    datasets,
    exception_service,
    models,
    service,
    tables,
    views,
)
from podium.integrate.console import (
    Csrf,
    DataPage,
    Field,
    Page,
    SubmitPage,
    form_date,
    visible_agreements,
)
from podium.web.forms import check_csrf

router = APIRouter(include_in_schema=False)
SHOWN_ROWS = 200
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


# --- partner data -----------------------------------------------------------------------------


def _row_counts(page: Page) -> dict[str, int]:
    """Current rows of each dataset: the partner's own, or every provider's for staff."""
    own = page.principal.partner_actor if page.principal.is_partner else None
    counts = {}
    for name, model in models.DATASET_TABLES.items():
        table: Any = model
        query = select(func.count()).where(
            table.ecosystem_id == page.ecosystem.id, table.current.is_(True)
        )
        if own is not None:
            query = query.where(table.provider == own)
        counts[name] = int(page.session.scalar(query) or 0)
    return counts


def _submissions(page: Page, dataset: str | None = None, limit: int = 10) -> list[Any]:
    return service.list_submissions(**page.who, dataset=dataset, limit=limit)


def _open_exceptions(page: Page) -> int | None:
    if not page.staff:
        return None
    return len(exception_service.listing(**page.where, status="open"))


def _data_context(page: Page) -> dict[str, Any]:
    """What the data home shows: datasets, recent submissions, quality, open exceptions."""
    latest = {name: next(iter(_submissions(page, name, 1)), None) for name in datasets.DATASETS}
    recent = _submissions(page)
    scores = service.quality_by_partner(**page.where)
    names = page.names({s.provider for s in recent} | set(scores))
    own = page.principal.partner_actor if page.principal.is_partner else None
    return {
        "datasets": views.dataset_rows(_row_counts(page), latest, names),
        "recent": [views.submission_view(s, names) for s in recent],
        "own_quality": views.quality_view(scores.get(own)) if own else None,
        "quality": views.quality_rows(scores, names) if page.staff else [],
        "open_exceptions": _open_exceptions(page),
        "can_submit": page.principal.can(Permission.DATA_SUBMIT),
    }


@router.get("/ecosystems/{name}/data")
def data_page(page: DataPage, submission: int | None = None) -> Response:
    """Show the partner data of an ecosystem: datasets, upload form, submissions, quality."""
    context = _data_context(page)
    stored = next((s for s in context["recent"] if s["id"] == submission), None)
    return page.render("data.html", stored=stored, **context)


@router.post("/ecosystems/{name}/data")
def upload(
    page: SubmitPage,
    settings: SettingsDep,
    request_id: RequestId,
    dataset: Field = "",
    file: Annotated[UploadFile | None, File()] = None,
    csrf: Csrf = None,
) -> Response:
    """Validate an uploaded CSV or XLSX file and store all its rows, or none and say why."""
    check_csrf(page.request, csrf)
    filename = file.filename if file is not None and file.filename else ""
    rows: list[int] = []
    try:
        if file is None or not filename:
            raise Invalid("choose a CSV or XLSX file to upload")
        limit = settings.max_submission_bytes
        content = file.file.read(limit + 1)
        records, rows = tables.validate_upload_rows(filename, content, dataset, limit)
        stored = service.submit(
            **page.who,
            dataset=dataset,
            records=records,
            source="upload",
            request_id=request_id,
            frozen_days=settings.frozen_horizon_days,
            swing_threshold=settings.forecast_swing_threshold,
        )
    except (datasets.DatasetError, Invalid) as error:
        errors = error.errors or [{"detail": str(error)}]
        if isinstance(error, Invalid) and rows:
            errors = tables.in_rows(errors, rows)
        refused = {"dataset": dataset, "filename": filename, "errors": views.upload_errors(errors)}
        status = error.status if isinstance(error, Invalid) else 422
        context = _data_context(page)
        return page.render("data.html", status_code=status, refused=refused, **context)
    return page.redirect(f"/data?submission={stored.id}#stored")


@router.get("/ecosystems/{name}/data/{dataset}")
def dataset_page(
    page: DataPage,
    request_id: RequestId,
    dataset: str,
    purpose: str = "",
    start: str = "",
    end: str = "",
    format: Literal["html", "csv", "xlsx"] = "html",
) -> Response:
    """Browse the rows of a dataset the caller may read and where they came from, or download
    them as CSV or XLSX (every read is audited)."""
    service.dataset_spec(dataset)
    query = {"purpose": purpose.strip(), "start": start.strip(), "end": end.strip()}
    error, result = None, access.ReadResult()
    try:
        result = access.read(
            **page.who,
            dataset=dataset,
            purpose=query["purpose"] or None,
            request_id=request_id,
            start=form_date(start),
            end=form_date(end),
            limit=SHOWN_ROWS + 1 if format == "html" else access.MAX_ROWS,
        )
    except Invalid as exc:
        if format != "html":
            raise
        error = exc.detail
    if format != "html":
        return _table_file(page, dataset, result.rows, format)
    rows, names = result.rows[:SHOWN_ROWS], page.names(s["provider"] for s in result.sources)
    columns = views.table_columns(rows)
    return page.render(
        "dataset.html",
        dataset=dataset,
        title=views.title_of(dataset),
        query=query,
        error=error,
        sources=views.source_rows(result.sources, names),
        columns=columns,
        rows=views.table_rows(rows, columns),
        more=len(result.rows) > SHOWN_ROWS,
        shown=SHOWN_ROWS,
        download="".join(f"&{k}={quote(v)}" for k, v in query.items() if v),
        purposes=views.purposes_of(
            [(a, on) for _, a, on in visible_agreements(page)], dataset, page.acting
        ),
    )


def _table_file(
    page: Page, dataset: str, rows: list[dict[str, Any]], format: Literal["csv", "xlsx"]
) -> Response:
    """Rows as a CSV or XLSX attachment."""
    content = tables.write_table(rows, views.table_columns(rows) or ["provider"], format)
    disposition = f'attachment; filename="{page.ecosystem.name}-{dataset}.{format}"'
    return Response(
        content, media_type=MEDIA_TYPES[format], headers={"Content-Disposition": disposition}
    )


# --- agreements -------------------------------------------------------------------------------


@router.get("/ecosystems/{name}/integrate/summary")
def summary(page: DataPage) -> Response:
    """Return the Integrate overview's figures for one ecosystem (an htmx fragment)."""
    counts = _row_counts(page)
    found = visible_agreements(page)
    last = _submissions(page, limit=1)
    return page.render(
        "_summary.html",
        rows=sum(counts.values()),
        filled=sum(1 for n in counts.values() if n),
        total=len(counts),
        in_force=sum(1 for _, _, on in found if on),
        agreements=len(found),
        last=views.when(last[0].submitted_at) if last else None,
        open_exceptions=_open_exceptions(page),
    )
