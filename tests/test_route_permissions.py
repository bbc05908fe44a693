"""Default deny: every route of the app declares a permission (or is deliberately public), and no
route answers an anonymous caller with data."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import BaseRoute, Mount

from podium.app import API_PREFIX, create_app
from podium.core.db import upgrade_database
from podium.core.deps import declared_permission
from podium.core.settings import Settings

PUBLIC = {"/login", "/logout"}
"""Paths that may be public. Add one here only deliberately (and say why in its route)."""


@dataclass(frozen=True)
class Route:
    """One route as the app serves it: the route object, its full path, methods, dependencies."""

    route: BaseRoute
    path: str
    methods: frozenset[str]
    dependant: Any

    def __str__(self) -> str:
        return f"{' '.join(sorted(self.methods)) or type(self.route).__name__} {self.path}"


def served_routes(app: FastAPI) -> Iterator[Route]:
    """Yield every route with its prefix (FastAPI >= 0.160 includes routers lazily)."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # older FastAPI copies included routes into app.routes
        contexts: Any = app.routes
    else:
        contexts = iter_route_contexts(app.routes)
    for context in contexts:
        route = getattr(context, "original_route", context)
        yield Route(
            route=route,
            path=str(getattr(context, "path", "")),
            methods=frozenset(getattr(context, "methods", None) or ()) - {"HEAD", "OPTIONS"},
            dependant=getattr(context, "dependant", None),
        )


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    url = f"sqlite:///{tmp_path_factory.mktemp('permissions') / 'podium.db'}"
    upgrade_database(url)
    return create_app(Settings(database_url=url, secret_key="test-secret-key"))


def checked_routes(app: FastAPI) -> list[Route]:
    return [r for r in served_routes(app) if not isinstance(r.route, Mount)]


def test_the_walk_finds_the_api_and_the_console(app: FastAPI) -> None:
    paths = {r.path for r in checked_routes(app)}
    assert f"{API_PREFIX}/ecosystems/{{name}}/actors/{{key}}" in paths
    assert f"{API_PREFIX}/me" in paths and "/login" in paths
    assert any(not p.startswith(API_PREFIX) and p not in PUBLIC for p in paths)


def test_every_route_declares_a_permission(app: FastAPI) -> None:
    undeclared = [
        str(r)
        for r in checked_routes(app)
        if not isinstance(r.route, APIRoute) or declared_permission(r.dependant) is None
    ]
    assert not undeclared, "routes without require(...) or public: " + ", ".join(undeclared)


def test_only_the_sign_in_routes_are_public(app: FastAPI) -> None:
    public = {r.path for r in checked_routes(app) if declared_permission(r.dependant) == "public"}
    assert public <= PUBLIC, f"unexpected public routes: {sorted(public - PUBLIC)}"


def test_anonymous_callers_are_refused_everywhere(app: FastAPI) -> None:
    """One request per route and method with no credentials: 401 from the API, sign-in for pages."""
    wrong: list[str] = []
    with TestClient(app, follow_redirects=False) as client:
        for route in checked_routes(app):
            if declared_permission(route.dependant) == "public":
                continue
            path = re.sub(r"\{[^}]+\}", "1", route.path)
            for method in sorted(route.methods):
                response = client.request(method, path)
                if not _refused(route.path, response.status_code, response.headers):
                    wrong.append(f"{method} {path} -> {response.status_code}")
    assert not wrong, "routes that did not refuse an anonymous caller: " + ", ".join(wrong)


def _refused(path: str, status: int, headers: Any) -> bool:
    if path.startswith(API_PREFIX):
        return status == 401
    signing_in = status in (302, 303, 307) and headers.get("location", "").startswith("/login")
    return status == 401 or signing_in
