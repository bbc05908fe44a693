"""FastAPI dependencies: the request's unit of work, the caller, and permission checks.

Every route declares what it needs with :func:`require` (or :func:`public` for the login page);
``tests/test_route_permissions.py`` walks the app and fails on a route that declares neither.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker

from podium.core.auth import Permission, Principal, User, principal_of, user_for_token
from podium.core.db import unit_of_work
from podium.core.errors import Forbidden, PodiumError
from podium.core.settings import Settings

SESSION_USER_KEY = "user_id"


class Unauthenticated(PodiumError):
    """No valid credentials came with the request."""

    def __init__(self) -> None:
        super().__init__(
            detail="sign in, or send 'Authorization: Bearer <token>'",
            status=401,
            title="Unauthorized",
        )


def get_settings_dep(request: Request) -> Settings:
    """Return the app's settings."""
    settings: Settings = request.app.state.settings
    return settings


def get_session(request: Request) -> Iterator[Session]:
    """Yield the request's unit of work: committed if the route succeeds, else rolled back."""
    factory: sessionmaker[Session] = request.app.state.session_factory
    with unit_of_work(factory) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def get_request_id(request: Request) -> str:
    """Return the request's id (from ``X-Request-ID``, else made by the app's middleware)."""
    request_id: str = request.state.request_id
    return request_id


RequestId = Annotated[str, Depends(get_request_id)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


def optional_principal(request: Request, session: SessionDep) -> Principal | None:
    """Return the caller from a bearer token or the console session cookie, else None."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token:
        user = user_for_token(session=session, token=token.strip())
        return principal_of(user) if user is not None else None
    user_id = request.session.get(SESSION_USER_KEY) if "session" in request.scope else None
    if isinstance(user_id, int):
        user = session.get(User, user_id)
        if user is not None and user.active:
            return principal_of(user)
    return None


def current_principal(
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> Principal:
    """Return the authenticated caller or refuse with 401."""
    if principal is None:
        raise Unauthenticated()
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require(permission: Permission) -> Callable[..., Principal]:
    """Return a dependency that admits only callers whose role grants ``permission``."""

    def check(principal: CurrentPrincipal) -> Principal:
        if not principal.can(permission):
            raise Forbidden(f"your role ({principal.role.value}) lacks {permission.value}")
        return principal

    check.podium_permission = permission  # type: ignore[attr-defined]
    return check


@dataclass(frozen=True)
class AnyOf:
    """What :func:`require_any` declares: several permissions, any of which admits the caller."""

    permissions: tuple[Permission, ...]

    @property
    def value(self) -> str:
        """The declaration as the route walker reports it, e.g. ``govern:read|govern:take_part``."""
        return "|".join(p.value for p in self.permissions)


def require_any(*permissions: Permission) -> Callable[..., Principal]:
    """Return a dependency that admits callers whose role grants any of ``permissions``.

    For views that show everything to one kind of caller and a part to another (a partner sees
    only what involves it); the route itself then narrows what the caller sees.
    """
    wanted = AnyOf(tuple(permissions))

    def check(principal: CurrentPrincipal) -> Principal:
        if not any(principal.can(p) for p in permissions):
            raise Forbidden(
                f"your role ({principal.role.value}) lacks {' or '.join(wanted.value.split('|'))}"
            )
        return principal

    check.podium_permission = wanted  # type: ignore[attr-defined]
    return check


def public() -> None:
    """Mark a route as open to anonymous callers (the login page only)."""


public.podium_public = True  # type: ignore[attr-defined]


def declared_permission(dependant: Any) -> str | None:
    """Return what a route's dependency tree declares: a permission, 'public', or None."""
    for dep in dependant.dependencies:
        call = dep.call
        if getattr(call, "podium_public", False):
            return "public"
        permission = getattr(call, "podium_permission", None)
        if permission is not None:
            return str(permission.value)
        found = declared_permission(dep)
        if found:
            return found
    return None
