"""API routes of the ecosystem: whole ecosystems (create, import, export) and their entities.

Thin over :mod:`podium.ecosystem.service`. Reading needs ``ecosystem:read``; changing entities or
an ecosystem's header ``ecosystem:write``; creating, importing, replacing or deleting whole
ecosystems ``ecosystem:admin``. Partner users see only their own part: the service scopes it.
Each collection (actors, sites, items, links) gets the same five routes from
:func:`add_collection_routes`. Request bodies over ``settings.max_upload_bytes`` get a 413.

No ``from __future__ import annotations`` here: the collection routes are built in a function,
and FastAPI must see their body and query models as objects, not as names to look up.
"""

import re
import shutil
import tempfile
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import (
    APIRouter,
    Depends,
    File,
    Form,
    HTTPException,
    Query,
    Request,
    Response,
    UploadFile,
)
from fastapi.responses import FileResponse
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session
from starlette.background import BackgroundTask
from starlette.types import Message, Receive

from podium.core.auth import Permission, Principal
from podium.core.deps import CurrentPrincipal, SessionDep, SettingsDep, require
from podium.core.errors import Invalid
from podium.core.settings import Settings
from podium.ecosystem import entities, models, schemas, service

MEDIA_TYPES = {
    "yaml": "application/yaml",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "graphml": "application/graphml+xml",
}
"""Media type of each export format."""


class CappedBodyRoute(APIRoute):
    """An API route that refuses a request body over ``settings.max_upload_bytes`` with 413."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def capped(request: Request) -> Response:
            limit: int = request.app.state.settings.max_upload_bytes
            declared = request.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                raise _too_large(limit)
            return await handler(Request(request.scope, _capped_receive(request.receive, limit)))

        return capped


def _capped_receive(receive: Receive, limit: int) -> Receive:
    """Wrap ``receive`` to raise 413 once more than ``limit`` body bytes have arrived."""
    seen = 0

    async def capped() -> Message:
        nonlocal seen
        message = await receive()
        seen += len(message.get("body", b""))
        if seen > limit:
            raise _too_large(limit)
        return message

    return capped


def _too_large(limit: int) -> HTTPException:
    return HTTPException(413, f"the request body is over the limit of {limit:,} bytes")


router = APIRouter(route_class=CappedBodyRoute)

_read = require(Permission.ECOSYSTEM_READ)
_write = require(Permission.ECOSYSTEM_WRITE)
_admin = require(Permission.ECOSYSTEM_ADMIN)
Reader = Annotated[Principal, Depends(_read)]
Writer = Annotated[Principal, Depends(_write)]
Admin = Annotated[Principal, Depends(_admin)]


def _ecosystem(name: str, session: SessionDep, principal: CurrentPrincipal) -> models.Ecosystem:
    """Return the ecosystem the path names, if the caller may see it."""
    return service.get_ecosystem(session=session, name=name, principal=principal)


EcosystemDep = Annotated[models.Ecosystem, Depends(_ecosystem)]


def _read_ecosystem(
    session: Session, ecosystem: models.Ecosystem, principal: Principal
) -> schemas.EcosystemRead:
    counts = entities.visible_counts(session=session, ecosystem=ecosystem, principal=principal)
    return schemas.EcosystemRead.model_validate(ecosystem).model_copy(update={"counts": counts})


def _url(request: Request, route: str, **params: str) -> str:
    """Return the absolute URL of a named route, path parameters percent-encoded."""
    return str(request.url_for(route, **{k: quote(v, safe="") for k, v in params.items()}))


# --- ecosystems -----------------------------------------------------------------------------------


@router.get("/ecosystems", tags=["ecosystems"])
def list_ecosystems(principal: Reader, session: SessionDep) -> schemas.Page[schemas.EcosystemRead]:
    """List the ecosystems the caller may see, by name (all on one page)."""
    found = service.list_ecosystems(session=session, principal=principal)
    return schemas.Page[schemas.EcosystemRead](
        items=[_read_ecosystem(session, e, principal) for e in found]
    )


@router.post("/ecosystems", status_code=201, tags=["ecosystems"])
def create_ecosystem(
    principal: Admin,
    session: SessionDep,
    body: schemas.EcosystemCreate,
    request: Request,
    response: Response,
    replace: bool = False,
) -> schemas.EcosystemRead:
    """Create an ecosystem from a spec in the YAML/JSON layout (replace=true overwrites one)."""
    ecosystem = service.create_ecosystem(session=session, spec=body, replace=replace)
    response.headers["Location"] = _url(request, "get_ecosystem", name=ecosystem.name)
    return _read_ecosystem(session, ecosystem, principal)


@router.post("/ecosystems/import", status_code=201, tags=["ecosystems"])
def import_ecosystem(
    principal: Admin,
    session: SessionDep,
    request: Request,
    response: Response,
    file: Annotated[UploadFile, File(description="a YAML, JSON, XLSX or SCML file")],
    format: Annotated[schemas.ImportFormat | None, Form(description="else from suffix")] = None,
    name: Annotated[str | None, Form(pattern=r"^[^\s/]+$", max_length=200)] = None,
    replace: Annotated[bool, Form(description="overwrite an ecosystem of that name")] = False,
) -> schemas.EcosystemRead:
    """Import an ecosystem from an uploaded file, all or nothing (422 lists every problem)."""
    with _saved_upload(file) as path:
        ecosystem = service.import_file(
            session=session, path=path, format=format, name=name, replace=replace
        )
    response.headers["Location"] = _url(request, "get_ecosystem", name=ecosystem.name)
    return _read_ecosystem(session, ecosystem, principal)


@contextmanager
def _saved_upload(upload: UploadFile) -> Iterator[Path]:
    """Save an upload under a temporary folder, keeping a safe form of its file name."""
    safe = re.sub(r"[^\w.-]", "_", Path(upload.filename or "").name).lstrip(".") or "upload"
    with tempfile.TemporaryDirectory(prefix="podium-upload-") as folder:
        path = Path(folder) / safe
        with path.open("wb") as out:
            shutil.copyfileobj(upload.file, out)
        yield path


@router.get("/ecosystems/{name}", tags=["ecosystems"], name="get_ecosystem")
def get_ecosystem(
    principal: Reader, session: SessionDep, ecosystem: EcosystemDep
) -> schemas.EcosystemRead:
    """Return one ecosystem with the number of entities per section."""
    return _read_ecosystem(session, ecosystem, principal)


@router.patch("/ecosystems/{name}", tags=["ecosystems"])
def update_ecosystem(
    principal: Writer, session: SessionDep, ecosystem: EcosystemDep, body: schemas.EcosystemUpdate
) -> schemas.EcosystemRead:
    """Change an ecosystem's title, description or currency."""
    changes = body.model_dump(exclude_unset=True)
    service.update_ecosystem(session=session, ecosystem=ecosystem, changes=changes)
    return _read_ecosystem(session, ecosystem, principal)


@router.delete("/ecosystems/{name}", status_code=204, tags=["ecosystems"])
def delete_ecosystem(_principal: Admin, session: SessionDep, ecosystem: EcosystemDep) -> None:
    """Delete an ecosystem and everything in it."""
    service.delete_ecosystem(session=session, ecosystem=ecosystem)


@router.get(
    "/ecosystems/{name}/export",
    tags=["ecosystems"],
    response_class=FileResponse,
    responses={200: {"content": {media: {} for media in MEDIA_TYPES.values()}}},
)
def export_ecosystem(
    principal: Reader,
    session: SessionDep,
    ecosystem: EcosystemDep,
    format: schemas.ExportFormat = "yaml",
) -> FileResponse:
    """Download the whole ecosystem as a YAML, JSON, XLSX or GraphML file."""
    folder = Path(tempfile.mkdtemp(prefix="podium-export-"))
    path = folder / f"export.{format}"
    try:
        service.export_file(
            session=session, ecosystem=ecosystem, path=path, format=format, principal=principal
        )
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return FileResponse(
        path,
        media_type=MEDIA_TYPES[format],
        filename=f"{ecosystem.name}.{format}",
        background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True),
    )


# --- entities -------------------------------------------------------------------------------------


def page_size(limit: int | None, settings: Settings) -> int:
    """Return the rows per page: ``limit``, or the default; refuse more than the maximum."""
    if limit is None:
        return settings.page_size_default
    if limit > settings.page_size_max:
        detail = f"at most {settings.page_size_max}"
        raise Invalid(f"limit: {detail}", [{"pointer": "#/query/limit", "detail": detail}])
    return limit


def add_collection_routes(c: schemas.Collection) -> None:
    """Add the list, create, get, update and delete routes of one entity collection."""
    one, many = c.singular, c.section
    base = f"/ecosystems/{{name}}/{many}"

    @router.get(base, response_model=c.page, tags=[many], name=f"list_{many}")
    def list_entities(
        principal: Reader,
        session: SessionDep,
        settings: SettingsDep,
        ecosystem: EcosystemDep,
        query: Annotated[c.query, Query()],  # type: ignore[name-defined]
    ) -> dict[str, Any]:
        """Return one page of the collection's entities the caller may see, filtered."""
        filters = query.model_dump(mode="json", exclude={"cursor", "limit"})
        page = entities.list_entities(
            session=session,
            ecosystem=ecosystem,
            section=many,
            principal=principal,
            filters=entities.EntityFilter(**filters),
            cursor=query.cursor,
            limit=page_size(query.limit, settings),
        )
        return {"items": page.items, "next_cursor": page.next_cursor}

    @router.post(base, status_code=201, response_model=c.read, tags=[many], name=f"create_{one}")
    def create_entity(
        _principal: Writer,
        session: SessionDep,
        ecosystem: EcosystemDep,
        body: c.create,  # type: ignore[name-defined]
        request: Request,
        response: Response,
    ) -> dict[str, Any]:
        """Add one entity to the collection; everything it refers to must exist."""
        data = body.model_dump()
        created = entities.create_entity(
            session=session, ecosystem=ecosystem, section=many, data=data
        )
        response.headers["Location"] = _url(
            request, f"get_{one}", name=ecosystem.name, key=created["id"]
        )
        return created

    @router.get(f"{base}/{{key}}", response_model=c.read, tags=[many], name=f"get_{one}")
    def get_entity(
        principal: Reader, session: SessionDep, ecosystem: EcosystemDep, key: str
    ) -> dict[str, Any]:
        """Return one entity of the collection."""
        return entities.get_entity(
            session=session, ecosystem=ecosystem, section=many, key=key, principal=principal
        )

    @router.patch(f"{base}/{{key}}", response_model=c.read, tags=[many], name=f"update_{one}")
    def update_entity(
        _principal: Writer,
        session: SessionDep,
        ecosystem: EcosystemDep,
        key: str,
        body: c.update,  # type: ignore[name-defined]
    ) -> dict[str, Any]:
        """Change some fields of one entity (the fields sent); its id cannot change."""
        changes = body.model_dump(exclude_unset=True)
        return entities.update_entity(
            session=session, ecosystem=ecosystem, section=many, key=key, changes=changes
        )

    @router.delete(f"{base}/{{key}}", status_code=204, tags=[many], name=f"delete_{one}")
    def delete_entity(
        _principal: Writer, session: SessionDep, ecosystem: EcosystemDep, key: str
    ) -> None:
        """Delete one entity; 409 while other entities still refer to it."""
        entities.delete_entity(session=session, ecosystem=ecosystem, section=many, key=key)


for _collection in schemas.COLLECTIONS:
    add_collection_routes(_collection)
