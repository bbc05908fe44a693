"""The request context of every governance console page: who asks, about which ecosystem.

Each page module declares its dependencies with :func:`page_for`, naming the permission check and
the section of the ecosystem's paths its pages live under (``escalations``, ``govern`` ...); the
page then renders ``govern/<template>`` with what every governance template uses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from podium.core.auth import Permission, Principal
from podium.core.deps import SessionDep, get_request_id
from podium.ecosystem import models as eco
from podium.ecosystem import service as eco_service
from podium.govern import trail
from podium.web import render
from podium.web.forms import csrf_token


@dataclass(frozen=True)
class GovernPage:
    """One request to a governance page: the caller, the ecosystem it may see, and the section
    of that ecosystem's paths the page belongs to."""

    request: Request
    session: Session
    principal: Principal
    ecosystem: eco.Ecosystem
    section: str = ""

    @property
    def base(self) -> str:
        """The path of the section's pages, e.g. ``/ecosystems/manufacturer/escalations``."""
        root = f"/ecosystems/{quote(self.ecosystem.name, safe='')}"
        return f"{root}/{self.section}" if self.section else root

    @property
    def where(self) -> dict[str, Any]:
        """The keyword arguments naming the ecosystem to a service."""
        return {"session": self.session, "ecosystem": self.ecosystem}

    @property
    def who(self) -> dict[str, Any]:
        """The keyword arguments naming the ecosystem and the caller to a service."""
        return {**self.where, "principal": self.principal}

    @property
    def request_id(self) -> str:
        """The request's id for the audit log."""
        return get_request_id(self.request)

    def render(self, template: str, *, status_code: int = 200, **context: Any) -> Response:
        """Render ``govern/<template>`` with the ecosystem, the caller's party, what it may do
        and the form token (``context`` may override any of them)."""
        common: dict[str, Any] = {
            "nav": "govern",
            "ecosystem": self.ecosystem,
            "ecosystems": eco_service.list_ecosystems(
                session=self.session, principal=self.principal
            ),
            "base": self.base,
            "me": trail.party_of(self.principal),
            "can_write": self.principal.can(Permission.GOVERN_WRITE),
            "can_raise": self.principal.can(Permission.GOVERN_TAKE_PART),
            "csrf_token": csrf_token(self.request),
        }
        return render(
            self.request,
            f"govern/{template}",
            self.principal,
            status_code=status_code,
            **{**common, **context},
        )

    def redirect(self, path: str) -> Response:
        """See the page at ``path`` (under the section) after a change."""
        return RedirectResponse(self.base + path, status_code=303)


def page_for(dependency: Callable[..., Principal], section: str = "") -> Callable[..., GovernPage]:
    """Return a dependency that admits the callers ``dependency`` admits, to one ecosystem they
    may see (a partner: its own), as pages of ``section``."""

    def load(
        request: Request,
        name: str,
        session: SessionDep,
        principal: Principal = Depends(dependency),
    ) -> GovernPage:
        found = eco_service.get_ecosystem(session=session, name=name, principal=principal)
        trail.check_member(principal, found)
        return GovernPage(request, session, principal, found, section)

    return load
