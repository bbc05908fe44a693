"""API route of the executive ecosystem review: the report of a period as HTML or PDF.

Thin over :func:`podium.learn.report_service.gather` and :mod:`podium.learn.report`; reading needs
``learn:read`` (a partner gets its own numbers, without segments and exposure).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response

from podium.core.auth import Permission, Principal
from podium.core.deps import SessionDep, require
from podium.ecosystem import service as eco_service
from podium.learn import report_service
from podium.learn.report import render_html, render_pdf

router = APIRouter(tags=["learn"])
Reader = Annotated[Principal, Depends(require(Permission.LEARN_READ))]
MEDIA_TYPES = {"html": "text/html; charset=utf-8", "pdf": "application/pdf"}


@router.get(
    "/ecosystems/{name}/report",
    response_class=Response,
    responses={200: {"content": {"text/html": {}, "application/pdf": {}}}},
)
def get_report(
    principal: Reader,
    session: SessionDep,
    name: str,
    period: Annotated[
        str | None, Query(description="2026, 2026-Q3, 2026-09 or 2026-W36; default: last quarter")
    ] = None,
    format: Literal["html", "pdf"] = "html",
) -> Response:
    """Return the executive ecosystem review of a period (KPIs and trends, scorecards,
    exposure, segments and recommendations, initiatives, learning log) as HTML or PDF."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    chosen = report_service.report_period(period)
    data = report_service.gather(
        session=session, ecosystem=ecosystem, period=chosen, principal=principal
    )
    content = render_pdf(data) if format == "pdf" else render_html(data).encode()
    filename = f"{ecosystem.name}-review-{chosen.label}.{format}"
    return Response(
        content,
        media_type=MEDIA_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
