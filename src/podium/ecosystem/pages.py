"""Console pages of an ecosystem: the network map, its data, and its actor and link tables."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from podium.core.auth import Permission, Principal
from podium.core.deps import SessionDep, require
from podium.ecosystem import entities, models, service, views
from podium.ecosystem.overviews import counts, scope_for
from podium.web import render

router = APIRouter(include_in_schema=False)
Console = Annotated[Principal, Depends(require(Permission.CONSOLE))]
TABLE_ROWS = 25


def _blank(value: str | None) -> str | None:
    return value.strip() or None if value is not None else None


def map_filter(
    max_tier: Annotated[str | None, Query()] = None,
    region: Annotated[str | None, Query()] = None,
    actor_kind: Annotated[str | None, Query()] = None,
    link_kind: Annotated[str | None, Query()] = None,
) -> views.MapFilter:
    """Read the map filters from the query string (blank means any)."""
    tier = _blank(max_tier)
    return views.MapFilter(
        max_tier=int(tier) if tier is not None and tier.isdigit() else None,
        region=_blank(region),
        actor_kind=_blank(actor_kind),
        link_kind=_blank(link_kind),
    )


Filters = Annotated[views.MapFilter, Depends(map_filter)]


def _query(filters: views.MapFilter) -> str:
    """Return the query string of the filters that are set."""
    pairs = {k: v for k, v in vars(filters).items() if v is not None}
    return urlencode(pairs)


@router.get("/ecosystems/{name}/map")
def ecosystem_map(
    request: Request, name: str, session: SessionDep, principal: Console, filters: Filters
) -> Response:
    """Show the ecosystem map: the graph, its filters, a detail panel and the tables."""
    ecosystem = service.get_ecosystem(session=session, name=name, principal=principal)
    scope = scope_for(session=session, ecosystem=ecosystem, principal=principal)
    return render(
        request,
        "map/ecosystem_map.html",
        principal,
        nav="map",
        ecosystem=ecosystem,
        ecosystems=service.list_ecosystems(session=session, principal=principal),
        counts=counts(session, scope),
        facets=views.facets(session=session, ecosystem=ecosystem, principal=principal),
        filters=filters,
        query=_query(filters),
        actor_colours=views.ACTOR_COLOURS,
        link_styles=views.LINK_STYLES,
        max_nodes=views.MAX_NODES,
        actors=_actor_page(session, ecosystem, principal, filters, None),
        links=_link_page(session, ecosystem, principal, filters, None),
    )


@router.get("/ecosystems/{name}/map.json")
def ecosystem_map_json(
    name: str, session: SessionDep, principal: Console, filters: Filters
) -> JSONResponse:
    """Return the map as Cytoscape.js elements, filtered, capped and scoped to the caller."""
    ecosystem = service.get_ecosystem(session=session, name=name, principal=principal)
    data = views.map_data(
        session=session, ecosystem=ecosystem, principal=principal, filters=filters
    )
    return JSONResponse(data.to_json())


@router.get("/ecosystems/{name}/map/actors")
def actor_table(
    request: Request,
    name: str,
    session: SessionDep,
    principal: Console,
    filters: Filters,
    cursor: str | None = None,
) -> Response:
    """Return one page of the actor table (an htmx fragment)."""
    ecosystem = service.get_ecosystem(session=session, name=name, principal=principal)
    page = _actor_page(session, ecosystem, principal, filters, cursor)
    return render(request, "map/_actors.html", principal, ecosystem=ecosystem, actors=page)


@router.get("/ecosystems/{name}/map/links")
def link_table(
    request: Request,
    name: str,
    session: SessionDep,
    principal: Console,
    filters: Filters,
    cursor: str | None = None,
) -> Response:
    """Return one page of the link table (an htmx fragment)."""
    ecosystem = service.get_ecosystem(session=session, name=name, principal=principal)
    page = _link_page(session, ecosystem, principal, filters, cursor)
    return render(request, "map/_links.html", principal, ecosystem=ecosystem, links=page)


def _actor_page(
    session: Session,
    ecosystem: models.Ecosystem,
    principal: Principal,
    f: views.MapFilter,
    cursor: str | None,
) -> dict[str, Any]:
    found = entities.list_entities(
        session=session,
        ecosystem=ecosystem,
        section="actors",
        principal=principal,
        filters=entities.EntityFilter(kind=f.actor_kind, region=f.region),
        cursor=cursor,
        limit=TABLE_ROWS,
    )
    return {
        "rows": found.items,
        "next": found.next_cursor,
        "first": cursor is None,
        "query": _query(f),
    }


def _link_page(
    session: Session,
    ecosystem: models.Ecosystem,
    principal: Principal,
    f: views.MapFilter,
    cursor: str | None,
) -> dict[str, Any]:
    found = entities.list_entities(
        session=session,
        ecosystem=ecosystem,
        section="links",
        principal=principal,
        filters=entities.EntityFilter(kind=f.link_kind),
        cursor=cursor,
        limit=TABLE_ROWS,
    )
    return {
        "rows": found.items,
        "next": found.next_cursor,
        "first": cursor is None,
        "query": _query(f),
    }
