"""create_app(settings): the FastAPI application serving the API (/api/v1) and the console."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from podium.core.db import make_engine, session_factory
from podium.core.deps import Unauthenticated
from podium.core.errors import PodiumError
from podium.core.settings import Settings, get_settings

API_PREFIX = "/api/v1"
PROBLEM_JSON = "application/problem+json"
STATIC_DIR = Path(__file__).parent / "web" / "static"


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app over the database ``settings`` names (which must be migrated already)."""
    settings = settings or get_settings()
    app = FastAPI(
        title="Podium API",
        version="1",
        description="Orchestrate the ecosystem your operations depend on.",
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        lifespan=_lifespan(settings),
    )
    engine = make_engine(settings.database_url)
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = session_factory(engine)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie="podium_session",
        max_age=settings.session_max_age_s,
        same_site="lax",
        https_only=settings.secure_cookies,
    )
    _add_request_guards(app, settings)
    _add_error_handlers(app)
    _include_routers(app)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app


def _lifespan(settings: Settings) -> Any:
    """Run the governance sweeper while the app serves (``escalation_sweep_s`` = 0: none): it
    escalates what ran past its SLA and, daily, raises certification expiry exceptions.

    Deadlines are stored, so a restarted server's first sweep catches up with what came due
    while it was down.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        task = None
        if settings.escalation_sweep_s > 0:
            from podium.govern.sweeper import run_sweeper

            task = asyncio.create_task(
                run_sweeper(
                    app.state.session_factory,
                    settings.escalation_sweep_s,
                    warning_days=settings.certification_warning_days,
                )
            )
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    return lifespan


def _add_request_guards(app: FastAPI, settings: Settings) -> None:
    """Give every request an id (echoed as ``X-Request-ID``); refuse oversized partner data.

    The size check reads ``Content-Length`` before the body is received; bodies sent without it
    (chunked) are measured by the routes themselves.
    """

    @app.middleware("http")
    async def request_guards(request: Request, call_next: Any) -> Response:
        given = request.headers.get("x-request-id", "")
        request.state.request_id = given[:64] if given else uuid.uuid4().hex
        length = request.headers.get("content-length", "")
        limit = settings.max_submission_bytes
        if _carries_partner_data(request.url.path) and length.isdigit() and int(length) > limit:
            answer: Response = problem(
                request, 413, "Content too large", f"the body is over {limit} bytes"
            )
        else:
            answer = await call_next(request)
        answer.headers["X-Request-ID"] = request.state.request_id
        return answer


def _carries_partner_data(path: str) -> bool:
    return path.startswith(f"{API_PREFIX}/epcis/") or (
        path.startswith(f"{API_PREFIX}/ecosystems/") and "/data/" in path
    )


def _include_routers(app: FastAPI) -> None:
    from podium.align import contract_routes as align_contract_routes
    from podium.align import pages as align_pages
    from podium.align import routes as align_routes
    from podium.align import sharing_routes as align_sharing_routes
    from podium.core import routes as core_routes
    from podium.ecosystem import pages as ecosystem_pages
    from podium.ecosystem import routes as ecosystem_routes
    from podium.govern import (
        certification_pages,
        certification_routes,
        dispute_pages,
        dispute_routes,
        escalation_pages,
        escalation_routes,
        forum_pages,
        forum_routes,
        platform_pages,
        platform_routes,
    )
    from podium.integrate import epcis_routes
    from podium.integrate import pages as integrate_pages
    from podium.integrate import routes as integrate_routes
    from podium.integrate import sharing_pages as integrate_sharing_pages
    from podium.learn import pages as learn_pages
    from podium.learn import report_routes as learn_report_routes
    from podium.learn import routes as learn_routes
    from podium.learn import scorecard_routes as learn_scorecard_routes
    from podium.mapping import pages as mapping_pages
    from podium.mapping import routes as mapping_routes
    from podium.web import pages as web_pages

    app.include_router(core_routes.router, prefix=API_PREFIX)
    app.include_router(ecosystem_routes.router, prefix=API_PREFIX)
    app.include_router(mapping_routes.router, prefix=API_PREFIX)
    app.include_router(integrate_routes.router, prefix=API_PREFIX)
    app.include_router(epcis_routes.router, prefix=API_PREFIX)
    for api in (forum_routes, escalation_routes, dispute_routes, certification_routes):
        app.include_router(api.router, prefix=API_PREFIX)
    app.include_router(platform_routes.router, prefix=API_PREFIX)
    app.include_router(learn_routes.router, prefix=API_PREFIX)
    app.include_router(learn_scorecard_routes.router, prefix=API_PREFIX)
    app.include_router(learn_report_routes.router, prefix=API_PREFIX)
    for align_api in (align_routes, align_contract_routes, align_sharing_routes):
        app.include_router(align_api.router, prefix=API_PREFIX)
    app.include_router(web_pages.router)
    app.include_router(ecosystem_pages.router)
    app.include_router(mapping_pages.router)
    app.include_router(integrate_pages.router)
    app.include_router(integrate_sharing_pages.router)
    for pages in (
        forum_pages,
        escalation_pages,
        dispute_pages,
        certification_pages,
        platform_pages,
    ):
        app.include_router(pages.router)
    app.include_router(learn_pages.router)
    app.include_router(align_pages.router)


def problem(
    request: Request, status: int, title: str, detail: str, errors: Any = ()
) -> JSONResponse:
    """Return an RFC 9457 problem details response."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": str(request.url.path),
    }
    if errors:
        body["errors"] = list(errors)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def _wants_page(request: Request) -> bool:
    return not request.url.path.startswith(API_PREFIX) and request.method == "GET"


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(PodiumError)
    async def podium_error(request: Request, exc: PodiumError) -> Response:
        if isinstance(exc, Unauthenticated) and _wants_page(request):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
        return problem(request, exc.status, exc.title, exc.detail, exc.errors)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {"pointer": _pointer(err.get("loc", ())), "detail": err.get("msg", "")}
            for err in exc.errors()
        ]
        return problem(request, 422, "Invalid input", "the request is not valid", errors)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        title = {404: "Not found", 405: "Method not allowed", 413: "Content too large"}.get(
            exc.status_code, "Error"
        )
        return problem(request, exc.status_code, title, str(exc.detail))


def _pointer(loc: Any) -> str:
    """JSON pointer of a validation error: body fields from the body root, others by place."""
    parts = [str(p) for p in loc]
    if parts and parts[0] == "body":
        return "#/" + "/".join(parts[1:])
    return "#/" + "/".join(parts)
