"""What every Integrate console page shares: the request's caller and ecosystem (:class:`Page`),
the permission each page needs, and the form fields every form posts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Form, Header, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from podium.core.auth import Permission, Principal
from podium.core.deps import SessionDep, require
from podium.core.errors import Invalid
from podium.ecosystem import models as eco
from podium.ecosystem import overviews
from podium.ecosystem import service as eco_service
from podium.integrate import agreements, service
from podium.web import render
from podium.web.forms import csrf_token

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


def page_for(permission: Permission) -> Callable[..., Page]:
    """Return a dependency that admits callers with ``permission`` to one ecosystem's page."""
    allowed = require(permission)

    def load(
        request: Request, name: str, session: SessionDep, principal: Principal = Depends(allowed)
    ) -> Page:
        found = eco_service.get_ecosystem(session=session, name=name, principal=principal)
        return Page(request, session, principal, found)

    return load


DataPage = Annotated[Page, Depends(page_for(Permission.DATA_READ))]
SubmitPage = Annotated[Page, Depends(page_for(Permission.DATA_SUBMIT))]
AgreementPage = Annotated[Page, Depends(page_for(Permission.AGREEMENT_READ))]
SharePage = Annotated[Page, Depends(page_for(Permission.AGREEMENT_WRITE))]
AuditPage = Annotated[Page, Depends(page_for(Permission.AUDIT_READ))]
ExceptionPage = Annotated[Page, Depends(page_for(Permission.EXCEPTION_READ))]
ExceptionWorkPage = Annotated[Page, Depends(page_for(Permission.EXCEPTION_WRITE))]


def form_date(text: str) -> date | None:
    """A date from a form field (blank: none); refuse anything but YYYY-MM-DD."""
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise Invalid(f"{text!r} is no date: use YYYY-MM-DD") from None


def visible_agreements(page: Page) -> list[tuple[Any, Any, bool]]:
    """The agreements the caller may see: (row, agreement, in force now)."""
    found = agreements.visible(**page.who)
    return [(row, agreement, agreements.in_force(row, agreement)) for row, agreement in found]
