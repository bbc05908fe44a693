"""Console pages of sharing and oversight: the data-sharing agreements (share, revoke), who
accessed whose data, and the orchestrator's exceptions and data quality.

Thin over :mod:`~podium.integrate.agreements`, :mod:`podium.core.audit` and
:mod:`~podium.integrate.exception_service`, like :mod:`~podium.integrate.pages`.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form
from sqlalchemy import select
from starlette.responses import Response

from podium.core import audit
from podium.core.auth import Permission, Principal, Role
from podium.core.errors import Forbidden, Invalid, PodiumError
from podium.ecosystem import entities
from podium.ecosystem import models as eco
from podium.integrate import (
    agreements,
    exception_service,
    service,
    views,
)
from podium.integrate.console import (
    AgreementPage,
    AuditPage,
    Csrf,
    ExceptionPage,
    ExceptionWorkPage,
    Field,
    HxRequest,
    Page,
    SharePage,
    form_date,
    visible_agreements,
)
from podium.web.forms import check_csrf

router = APIRouter(include_in_schema=False)
ACCESSES_SHOWN = 50


def _can_share(principal: Principal) -> bool:
    """Whether the caller makes agreements: a partner's admin, or the orchestrator's admin."""
    allowed = principal.is_partner or principal.role == Role.ADMIN
    return allowed and principal.can(Permission.AGREEMENT_WRITE)


def _counterparties(page: Page) -> set[str]:
    """Actors at the other end of a partner's links (every actor for the orchestrator)."""
    kind = "links" if page.principal.is_partner else "actors"
    found = entities.list_entities(
        **page.where, section=kind, principal=page.principal, limit=500
    ).items
    if kind == "actors":
        return {actor["id"] for actor in found}
    ends = {end for link in found for end in (link["source"], link["target"])}
    query = select(eco.Site.key, eco.Site.actor).where(
        eco.Site.ecosystem_id == page.ecosystem.id, eco.Site.key.in_(ends)
    )
    sites: dict[str, str] = {key: actor for key, actor in page.session.execute(query)}
    return {sites.get(end, end) for end in ends}


def _agreements_page(page: Page, *, status_code: int = 200, **context: Any) -> Response:
    """Render the agreements: the caller's own, those of others, and the form to share."""
    found, acting, can_share = visible_agreements(page), page.acting, _can_share(page.principal)
    choices = _counterparties(page) if can_share else set()
    names = page.names({k for _, a, _ in found for k in (a.provider, *a.recipients)} | choices)
    rows = [
        views.agreement_view(a, in_force=on, revoked_at=r.revoked_at, names=names)
        for r, a, on in found
    ]
    partner = page.principal.is_partner
    return page.render(
        "agreements.html",
        status_code=status_code,
        can_share=can_share,
        mine=[r for r in rows if r["provider"] == acting],
        others=[r for r in rows if r["provider"] != acting],
        recipients=views.recipient_choices(choices, names, acting=acting, partner=partner),
        datasets=[(d, views.title_of(d)) for d in agreements.SHAREABLE],
        purposes=views.PURPOSES,
        grains=views.GRAINS,
        **context,
    )


@router.get("/ecosystems/{name}/agreements")
def agreements_page(page: AgreementPage, created: str = "", revoked: str = "") -> Response:
    """Show which agreements share what with whom, and (for admins) share a dataset."""
    return _agreements_page(page, created=created, revoked=revoked, form=views.ShareForm())


@router.post("/ecosystems/{name}/agreements")
def share(page: SharePage, form: Annotated[views.ShareForm, Form()]) -> Response:
    """Share one of the caller's datasets with a recipient for a purpose, at a granularity."""
    check_csrf(page.request, form.csrf_token)
    try:
        provider = service.acting_actor(**page.who)
        document = views.odrl_policy(form, valid_until=form_date(form.valid_until))
        taken = (row.key for row, _ in agreements.visible(**page.who))
        key = views.agreement_key(provider, form.dataset, form.purpose, taken)
        recipients = [form.recipient] if form.recipient else []
        agreements.create(
            **page.who, document=document, key=key, recipients=recipients, dataset=form.dataset
        )
    except PodiumError as error:
        problems = [str(e.get("detail", "")) for e in error.errors] or [error.detail]
        return _agreements_page(
            page, status_code=error.status, form=form, refused=error.detail, problems=problems
        )
    return page.redirect(f"/agreements?created={quote(key)}")


@router.post("/ecosystems/{name}/agreements/{key}/revoke")
def revoke(page: SharePage, key: str, csrf: Csrf = None) -> Response:
    """Revoke one of the caller's agreements now: reads through it stop at once."""
    check_csrf(page.request, csrf)
    agreements.revoke(**page.who, key=key)
    return page.redirect(f"/agreements?revoked={quote(key)}")


# --- accesses ---------------------------------------------------------------------------------


@router.get("/ecosystems/{name}/accesses")
def accesses_page(page: AuditPage, before: int | None = None, provider: str = "") -> Response:
    """Show who read or wrote partner data, newest first: a partner sees its own data's."""
    if page.principal.is_partner:
        provider = page.principal.partner_actor or ""
    found = audit.entries(
        session=page.session,
        ecosystem_id=page.ecosystem.id,
        provider=provider or None,
        limit=ACCESSES_SHOWN + 1,
        before=before,
    )
    shown = found[:ACCESSES_SHOWN]
    names = page.names([provider, *(e.provider for e in shown), *(e.partner_actor for e in shown)])
    return page.render(
        "accesses.html",
        entries=[views.access_view(e, names) for e in shown],
        provider=provider,
        provider_name=names.get(provider, provider),
        before=before,
        older=shown[-1].seq if len(found) > ACCESSES_SHOWN else None,
    )


# --- exceptions and data quality --------------------------------------------------------------


def _staff_only(page: Page) -> None:
    if page.principal.is_partner:
        raise Forbidden("the orchestrator's view of every partner is for its staff")


def _exceptions(page: Page, status: str) -> dict[str, Any]:
    found = exception_service.listing(**page.where)
    chosen = status if status in exception_service.STATUSES else ""
    names = page.names(e.owner for e in found)
    can_work = page.principal.can(Permission.EXCEPTION_WRITE)
    rows = views.exception_rows(found, names, chosen)
    return {**rows, "statuses": exception_service.STATUSES, "can_work": can_work}


def _after_change(page: Page, status: str, hx_request: str | None, **notice: Any) -> Response:
    """The exceptions fragment for htmx, else back to the page."""
    if hx_request is None:
        return page.redirect("/exceptions" + (f"?status={quote(status)}" if status else ""))
    return page.render("_exceptions.html", **_exceptions(page, status), **notice)


@router.get("/ecosystems/{name}/exceptions")
def exceptions_page(page: ExceptionPage, status: str = "") -> Response:
    """Show the exceptions raised over incoming data and each partner's data quality."""
    _staff_only(page)
    scores = service.quality_by_partner(**page.where)
    quality = views.quality_rows(scores, page.names(scores))
    return page.render("exceptions.html", quality=quality, **_exceptions(page, status))


@router.post("/ecosystems/{name}/exceptions/check")
def check_exceptions(
    page: ExceptionWorkPage, status: Field = "", csrf: Csrf = None, hx_request: HxRequest = None
) -> Response:
    """Run the exception rules over the current data now."""
    check_csrf(page.request, csrf)
    _staff_only(page)
    new = exception_service.check(**page.where)
    return _after_change(page, status, hx_request, new=new)


@router.post("/ecosystems/{name}/exceptions/{exception_id}/status")
def set_exception_status(
    page: ExceptionWorkPage,
    exception_id: int,
    new_status: Field = "",
    status: Field = "",
    csrf: Csrf = None,
    hx_request: HxRequest = None,
) -> Response:
    """Acknowledge, resolve or reopen an exception."""
    check_csrf(page.request, csrf)
    _staff_only(page)
    if new_status not in exception_service.STATUSES:
        raise Invalid(f"status: one of {', '.join(exception_service.STATUSES)}")
    exception_service.set_status(**page.where, exception_id=exception_id, status=new_status)
    return _after_change(page, status, hx_request)


# --- the overview's figures -------------------------------------------------------------------
