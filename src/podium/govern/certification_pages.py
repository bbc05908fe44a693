"""Console pages of governance: certifications (schemes, certifications with their status,
the eligibility query, trainings; staff certify and run the expiry check).

Thin over :mod:`podium.govern.certification_service`; a partner sees its own certifications and
trainings, and no eligibility query (it reveals other partners).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form
from starlette.responses import Response

from podium.core.auth import Permission
from podium.core.errors import Invalid, PodiumError
from podium.govern import certification_service as service
from podium.govern.console import GovernPage
from podium.govern.dispute_pages import ReadPage, WritePage, refusal
from podium.web.forms import check_csrf

router = APIRouter(include_in_schema=False)
Csrf = Annotated[str, Form(alias="csrf_token")]


def _day(text: str) -> date | None:
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise Invalid(f"{text!r} is no date: use YYYY-MM-DD") from None


def _page(page: GovernPage, *, status_code: int = 200, **context: Any) -> Response:
    can_query = page.principal.can(Permission.GOVERN_READ)
    query: dict[str, str] = {
        k: page.request.query_params.get(k, "") for k in ("process", "region", "min_level", "on")
    }
    found, query_error = None, None
    if can_query and query["process"]:
        try:
            found = service.eligible(
                session=page.session,
                ecosystem=page.ecosystem,
                process=query["process"],
                region=query["region"] or None,
                min_level=query["min_level"] or None,
                on=_day(query["on"]),
            )
        except PodiumError as error:
            query_error = error.detail
    warning_days = page.request.app.state.settings.certification_warning_days
    return page.render(
        "certifications.html",
        status_code=status_code,
        schemes=service.list_schemes(session=page.session, ecosystem=page.ecosystem),
        certifications=service.list_certifications(**page.who, warning_days=warning_days),
        warning_days=warning_days,
        trainings=service.list_trainings(**page.who),
        can_write=page.principal.can(Permission.GOVERN_WRITE),
        can_query=can_query,
        query=query,
        eligible=found,
        query_error=query_error,
        **context,
    )


@router.get("/ecosystems/{name}/certifications")
def certifications_page(page: ReadPage, checked: str = "") -> Response:
    """Schemes, certifications with status and expiry, eligibility, trainings."""
    return _page(page, checked=checked)


@router.post("/ecosystems/{name}/certifications")
def certify(
    page: WritePage,
    csrf: Csrf,
    scheme: Annotated[str, Form()],
    actor: Annotated[str, Form()],
    level: Annotated[str, Form()],
    issued_on: Annotated[str, Form()],
    site: Annotated[str, Form()] = "",
    expires_on: Annotated[str, Form()] = "",
) -> Response:
    """Certify a partner (or one of its sites)."""
    check_csrf(page.request, csrf)
    try:
        service.certify(
            **page.who,
            request_id=page.request_id,
            scheme=scheme,
            actor=actor.strip(),
            level=level.strip(),
            site=site.strip() or None,
            issued_on=_day(issued_on) or date.today(),
            expires_on=_day(expires_on),
        )
    except PodiumError as error:
        return _page(page, status_code=error.status, **refusal(error))
    return page.redirect("/certifications")


@router.post("/ecosystems/{name}/certifications/check-expiry")
def check_expiry(
    page: WritePage, csrf: Csrf, warning_days: Annotated[int, Form(ge=0, le=3650)]
) -> Response:
    """Raise exceptions for certifications expiring within ``warning_days`` or expired."""
    check_csrf(page.request, csrf)
    new = service.raise_expiry_exceptions(
        session=page.session, ecosystem=page.ecosystem, warning_days=warning_days
    )
    return page.redirect(f"/certifications?checked={new}")
