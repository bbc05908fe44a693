"""Console pages of the shell: sign in and out, home, and one overview per discipline."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from podium.core.auth import Permission, Principal, authenticate
from podium.core.deps import SESSION_USER_KEY, SessionDep, optional_principal, public, require
from podium.ecosystem import models, overviews, service
from podium.ecosystem.entities import Scope, scope_for
from podium.ecosystem.spec import ActorKind, LinkKind
from podium.govern import board
from podium.web import render

router = APIRouter(include_in_schema=False)
Console = Annotated[Principal, Depends(require(Permission.CONSOLE))]
MaybePrincipal = Annotated[Principal | None, Depends(optional_principal)]


def safe_next(target: str | None) -> str:
    """Return ``target`` if it is a path on this site, else ``/`` (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    if any(ord(c) < 32 or c == "\\" for c in target):
        return "/"
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else "/"


# --- sign in and out ------------------------------------------------------------------------------


@router.get("/login", dependencies=[Depends(public)])
def login_form(request: Request, principal: MaybePrincipal, next: str | None = None) -> Response:
    """Show the sign-in form (or go on if already signed in)."""
    if principal is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "login.html", None, next=safe_next(next), error=None, username="")


@router.post("/login", dependencies=[Depends(public)])
def login(
    request: Request,
    session: SessionDep,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Check the credentials, start a console session and go to ``next`` (a local path)."""
    user = authenticate(session=session, username=username.strip(), password=password)
    if user is None:
        return render(
            request,
            "login.html",
            None,
            status_code=401,
            next=safe_next(next),
            error="Wrong username or password.",
            username=username,
        )
    request.session.clear()
    request.session[SESSION_USER_KEY] = user.id
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/logout", dependencies=[Depends(public)])
def logout(request: Request) -> Response:
    """End the console session."""
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


# --- home and the discipline overviews ------------------------------------------------------------


@router.get("/")
def home(request: Request, session: SessionDep, principal: Console) -> Response:
    """List the ecosystems the user may see, with their size and links to their map."""
    found = overviews.summaries(session=session, principal=principal)
    return render(request, "home.html", principal, nav="home", summaries=found)


def _chosen(
    session: Session, principal: Principal, name: str | None
) -> tuple[list[models.Ecosystem], models.Ecosystem | None]:
    """Return the ecosystems the user may see and the one chosen (the first if none named)."""
    visible = service.list_ecosystems(session=session, principal=principal)
    if name:
        return visible, service.get_ecosystem(session=session, name=name, principal=principal)
    return visible, visible[0] if visible else None


def _overview(
    request: Request,
    session: Session,
    principal: Principal,
    discipline: str,
    name: str | None,
    build: Any,
) -> Response:
    """Render ``<discipline>/overview.html`` with what ``build(session, scope)`` returns."""
    visible, chosen = _chosen(session, principal, name)
    data: dict[str, Any] = {}
    if chosen is not None:
        scope = scope_for(session=session, ecosystem=chosen, principal=principal)
        data = build(session, scope)
    return render(
        request,
        f"{discipline}/overview.html",
        principal,
        nav=discipline,
        ecosystems=visible,
        ecosystem=chosen,
        **data,
    )


@router.get("/map")
def map_overview(
    request: Request, session: SessionDep, principal: Console, ecosystem: str | None = None
) -> Response:
    """Map: the ecosystems with their size, and the chosen one's sites and actors per tier."""

    def build(db: Session, scope: Scope) -> dict[str, Any]:
        return {
            "summaries": overviews.summaries(session=db, principal=principal),
            "tiers": overviews.tier_profile(db, scope),
        }

    return _overview(request, session, principal, "map", ecosystem, build)


@router.get("/align")
def align_overview(
    request: Request, session: SessionDep, principal: Console, ecosystem: str | None = None
) -> Response:
    """Align: value created, captured, risk borne and invested per actor."""

    def build(db: Session, scope: Scope) -> dict[str, Any]:
        return {"values": overviews.value_flows(db, scope)}

    return _overview(request, session, principal, "align", ecosystem, build)


@router.get("/govern")
def govern_overview(
    request: Request, session: SessionDep, principal: Console, ecosystem: str | None = None
) -> Response:
    """Govern: the governance board (escalations, forums, disputes, certification, platforms)
    and the regulators and certification bodies with what they regulate."""
    kinds = (ActorKind.REGULATOR, ActorKind.CERTIFICATION_BODY)

    def build(db: Session, scope: Scope) -> dict[str, Any]:
        data: dict[str, Any] = {
            "oversight": overviews.oversight(db, scope, kinds, LinkKind.REGULATES),
            "board": None,
        }
        if principal.can(Permission.GOVERN_READ) or principal.can(Permission.GOVERN_TAKE_PART):
            settings = request.app.state.settings
            data["board"] = board.build(
                session=db,
                ecosystem=scope.ecosystem,
                principal=principal,
                warning_days=settings.certification_warning_days,
            )
        return data

    return _overview(request, session, principal, "govern", ecosystem, build)


@router.get("/integrate")
def integrate_overview(
    request: Request, session: SessionDep, principal: Console, ecosystem: str | None = None
) -> Response:
    """Integrate: platforms and data intermediaries, and who hosts whose data."""
    kinds = (ActorKind.PLATFORM, ActorKind.DATA_INTERMEDIARY, ActorKind.TECHNOLOGY)

    def build(db: Session, scope: Scope) -> dict[str, Any]:
        return {"oversight": overviews.oversight(db, scope, kinds, LinkKind.HOSTS_DATA)}

    return _overview(request, session, principal, "integrate", ecosystem, build)


@router.get("/learn")
def learn_overview(
    request: Request, session: SessionDep, principal: Console, ecosystem: str | None = None
) -> Response:
    """Learn: the ecosystem's size and composition by kind, role, region and tier."""

    def build(db: Session, scope: Scope) -> dict[str, Any]:
        return {
            "counts": overviews.counts(db, scope),
            "composition": overviews.composition(db, scope),
            "tiers": overviews.tier_profile(db, scope),
        }

    return _overview(request, session, principal, "learn", ecosystem, build)


@router.get("/design")
def design_overview(
    request: Request, session: SessionDep, principal: Console, ecosystem: str | None = None
) -> Response:
    """Design: the products with their demand, and the sites that make them."""

    def build(db: Session, scope: Scope) -> dict[str, Any]:
        return {"products": overviews.products(db, scope)}

    return _overview(request, session, principal, "design", ecosystem, build)
