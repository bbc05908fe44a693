"""Console pages of Integrate: partner data (upload, browse, download), the data-sharing
agreements, who accessed whose data, and the orchestrator's exceptions and data quality.

Thin over :mod:`~podium.integrate.service`, :mod:`~podium.integrate.access`,
:mod:`~podium.integrate.agreements` and :mod:`~podium.integrate.exception_service`; what the
templates show is shaped in :mod:`~podium.integrate.views`. Each page declares its permission
and reads one ecosystem the caller may see (a partner asking for another gets 404). Forms post
with the session cookie and the per-session CSRF token; an upload is all rows or none.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Header, Request, UploadFile
from fastapi.responses import RedirectResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.responses import Response

from podium.core import audit
from podium.core.auth import Permission, Principal, Role
from podium.core.deps import RequestId, SessionDep, SettingsDep, require
from podium.core.errors import Forbidden, Invalid, PodiumError
from podium.ecosystem import entities, overviews
from podium.ecosystem import models as eco
from podium.ecosystem import service as eco_service
from podium.integrate import (
    access,
    agreements,
    datasets,
    exception_service,
    models,
    service,
    tables,
    views,
)
from podium.web import render
from podium.web.forms import check_csrf, csrf_token

router = APIRouter(include_in_schema=False)
SHOWN_ROWS = 200
ACCESSES_SHOWN = 50
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
Csrf = Annotated[str | None, Form(alias="csrf_token")]
HxRequest = Annotated[str | None, Header()]
Field = Annotated[str, Form()]


@dataclass(frozen=True)
class Page:
    """One request to an Integrate page: the caller and the ecosystem it may see."""

    request: Request
    session: Session
    principal: Principal
    ecosystem: eco.Ecosystem

    @property
    def base(self) -> str:
        """The path of the ecosystem's pages."""
        return f"/ecosystems/{quote(self.ecosystem.name, safe='')}"

    @property
    def where(self) -> dict[str, Any]:
        """The keyword arguments naming the ecosystem to a service."""
        return {"session": self.session, "ecosystem": self.ecosystem}

    @property
    def who(self) -> dict[str, Any]:
        """The keyword arguments naming the ecosystem and the caller to a service."""
        return {**self.where, "principal": self.principal}

    @cached_property
    def acting(self) -> str | None:
        """The actor whose data is the caller's own: its partner, or the orchestrator."""
        if self.principal.is_partner:
            return self.principal.partner_actor
        return service.orchestrator_actor(session=self.session, ecosystem=self.ecosystem)

    @property
    def staff(self) -> bool:
        """Whether the caller sees every partner (the orchestrator's staff)."""
        return not self.principal.is_partner and self.principal.can(Permission.EXCEPTION_READ)

    def names(self, keys: Iterable[str | None]) -> dict[str, str]:
        """Display names of actor and site keys."""
        return overviews.node_names(self.session, self.ecosystem, {k for k in keys if k})

    def render(self, template: str, *, status_code: int = 200, **context: Any) -> Response:
        """Render ``integrate/<template>`` with the ecosystem, the caller's actor and token."""
        acting, session = self.acting, self.session
        return render(
            self.request,
            f"integrate/{template}",
            self.principal,
            status_code=status_code,
            nav="integrate",
            ecosystem=self.ecosystem,
            ecosystems=eco_service.list_ecosystems(session=session, principal=self.principal),
            base=self.base,
            acting=acting,
            acting_name=self.names([acting]).get(acting or "", acting),
            staff=self.staff,
            csrf_token=csrf_token(self.request),
            **context,
        )

    def redirect(self, path: str) -> Response:
        """See the page at ``path`` (under the ecosystem's) after a change."""
        return RedirectResponse(self.base + path, status_code=303)


def _page_for(permission: Permission) -> Callable[..., Page]:
    """Return a dependency that admits callers with ``permission`` to one ecosystem's page."""
    allowed = require(permission)

    def load(
        request: Request, name: str, session: SessionDep, principal: Principal = Depends(allowed)
    ) -> Page:
        found = eco_service.get_ecosystem(session=session, name=name, principal=principal)
        return Page(request, session, principal, found)

    return load


DataPage = Annotated[Page, Depends(_page_for(Permission.DATA_READ))]
SubmitPage = Annotated[Page, Depends(_page_for(Permission.DATA_SUBMIT))]
AgreementPage = Annotated[Page, Depends(_page_for(Permission.AGREEMENT_READ))]
SharePage = Annotated[Page, Depends(_page_for(Permission.AGREEMENT_WRITE))]
AuditPage = Annotated[Page, Depends(_page_for(Permission.AUDIT_READ))]
ExceptionPage = Annotated[Page, Depends(_page_for(Permission.EXCEPTION_READ))]
ExceptionWorkPage = Annotated[Page, Depends(_page_for(Permission.EXCEPTION_WRITE))]


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


def _day(text: str) -> date | None:
    """A date from a form field (blank: none); refuse anything but YYYY-MM-DD."""
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise Invalid(f"{text!r} is no date: use YYYY-MM-DD") from None


def _visible(page: Page) -> list[tuple[Any, Any, bool]]:
    """The agreements the caller may see: (row, agreement, in force now)."""
    found = agreements.visible(**page.who)
    return [(row, agreement, agreements.in_force(row, agreement)) for row, agreement in found]


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
            start=_day(start),
            end=_day(end),
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
        purposes=views.purposes_of([(a, on) for _, a, on in _visible(page)], dataset, page.acting),
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
    found, acting, can_share = _visible(page), page.acting, _can_share(page.principal)
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
        document = views.odrl_policy(form, valid_until=_day(form.valid_until))
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


@router.get("/ecosystems/{name}/integrate/summary")
def summary(page: DataPage) -> Response:
    """Return the Integrate overview's figures for one ecosystem (an htmx fragment)."""
    counts = _row_counts(page)
    found = _visible(page)
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
