"""Actors, sites, items and links one by one: list (filtered, paginated), read, create, update,
delete, scoped to the caller.

Partners see only their own part of an ecosystem: their actor, its sites, the links that touch
them and the items on those links. Services never commit; the caller's unit of work does.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import ColumnElement, false, func, insert, or_, select, true
from sqlalchemy.orm import Session

from podium.core.auth import Principal
from podium.core.errors import Conflict, Invalid, NotFound
from podium.ecosystem import models
from podium.ecosystem.service import entity_counts, from_row, to_row
from podium.ecosystem.spec import ENTITY_SECTIONS, LinkKind
from podium.ecosystem.validation import REFERENCE_KINDS, entity_references, entity_rules
from podium.mapping.structure import supply_tiers

CRUD_SECTIONS = ("actors", "sites", "items", "links")


@dataclass(frozen=True)
class EntityFilter:
    """Filters of an entity listing; ``None`` means any."""

    kind: str | None = None
    region: str | None = None
    tier: int | None = None
    actor: str | None = None
    node: str | None = None  # links touching this actor or site


@dataclass
class Page:
    """One page of a listing and the cursor of the next (None at the end)."""

    items: list[dict[str, Any]]
    next_cursor: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def encode_cursor(last_id: int) -> str:
    """Return the opaque cursor that continues after row ``last_id``."""
    return base64.urlsafe_b64encode(f"id:{last_id}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    """Return the row id a cursor continues after, or raise Invalid."""
    try:
        kind, value = base64.urlsafe_b64decode(cursor.encode()).decode().split(":", 1)
        if kind != "id":
            raise ValueError(kind)
        return int(value)
    except (ValueError, UnicodeDecodeError) as exc:
        raise Invalid("cursor: not a cursor this API returned", [{"pointer": "#/cursor"}]) from exc


def list_entities(
    *,
    session: Session,
    ecosystem: models.Ecosystem,
    section: str,
    principal: Principal,
    filters: EntityFilter = EntityFilter(),
    cursor: str | None = None,
    limit: int = 100,
) -> Page:
    """Return one page of actors, sites, items or links, filtered and scoped to the caller."""
    table = _table(section)
    query = select(table.__table__).where(table.ecosystem_id == ecosystem.id)
    query = _apply_filters(session, ecosystem, section, table, query, filters)
    query = _apply_scope(session, ecosystem, section, table, query, principal)
    if cursor:
        query = query.where(table.id > decode_cursor(cursor))
    rows = list(session.execute(query.order_by(table.id).limit(limit + 1)).mappings())
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(
        items=[from_row(r) for r in rows],
        next_cursor=encode_cursor(rows[-1]["id"]) if more else None,
    )


def _table(section: str) -> Any:
    if section not in CRUD_SECTIONS:
        raise NotFound(f"no such collection {section!r}")
    return models.ENTITY_TABLES[section]


def _apply_filters(
    session: Session,
    ecosystem: models.Ecosystem,
    section: str,
    table: Any,
    query: Any,
    filters: EntityFilter,
) -> Any:
    if filters.kind is not None:
        query = query.where(table.kind == filters.kind)
    if filters.region is not None and hasattr(table, "region"):
        query = query.where(table.region == filters.region)
    if filters.actor is not None and section == "sites":
        query = query.where(table.actor == filters.actor)
    if filters.node is not None and section == "links":
        query = query.where(or_(table.source == filters.node, table.target == filters.node))
    if filters.tier is not None:
        if section not in ("sites", "actors"):
            raise Invalid("tier: only sites and actors have tiers", [{"pointer": "#/tier"}])
        keys = [
            k
            for k, t in node_tiers(session=session, ecosystem=ecosystem).items()
            if t == filters.tier
        ]
        query = query.where(table.key.in_(keys))
    return query


@dataclass(frozen=True)
class Scope:
    """What the caller may see of one ecosystem: ``own`` node keys, or everything (None).

    A partner sees its own actor and sites, the links that touch them and the items on those
    links; every read of entities, overviews and the map goes through this one rule.
    """

    ecosystem: models.Ecosystem
    own: frozenset[str] | None = None

    def nodes(self, column: Any) -> ColumnElement[bool]:
        """Condition on an actor/site key column."""
        return true() if self.own is None else column.in_(self.own)

    def links(self) -> ColumnElement[bool]:
        """Condition on links: those touching the caller's own nodes."""
        if self.own is None:
            return true()
        if not self.own:
            return false()
        return or_(models.Link.source.in_(self.own), models.Link.target.in_(self.own))

    def items(self, column: Any) -> ColumnElement[bool]:
        """Condition on an item key column: items on the links the caller sees."""
        if self.own is None:
            return true()
        link = models.Link
        return column.in_(
            select(link.item).where(link.ecosystem_id == self.ecosystem.id, self.links())
        )


def scope_for(*, session: Session, ecosystem: models.Ecosystem, principal: Principal) -> Scope:
    """Return the caller's scope over ``ecosystem`` (nothing for another ecosystem's partner)."""
    if not principal.is_partner:
        return Scope(ecosystem)
    if principal.partner_ecosystem_id != ecosystem.id:
        return Scope(ecosystem, frozenset())
    own = partner_nodes(session=session, ecosystem=ecosystem, actor=principal.partner_actor or "")
    return Scope(ecosystem, frozenset(own))


def _apply_scope(
    session: Session,
    ecosystem: models.Ecosystem,
    section: str,
    table: Any,
    query: Any,
    principal: Principal,
) -> Any:
    if principal.is_partner and principal.partner_ecosystem_id != ecosystem.id:
        raise NotFound(f"no ecosystem {ecosystem.name!r}")
    scope = scope_for(session=session, ecosystem=ecosystem, principal=principal)
    if section == "links":
        return query.where(scope.links())
    if section == "items":
        return query.where(scope.items(table.key))
    return query.where(scope.nodes(table.key))


def partner_nodes(*, session: Session, ecosystem: models.Ecosystem, actor: str) -> list[str]:
    """Return the actor key and its site keys: what a partner user may see as its own."""
    sites = session.scalars(
        select(models.Site.key).where(
            models.Site.ecosystem_id == ecosystem.id, models.Site.actor == actor
        )
    )
    return [actor, *sites]


def node_tiers(*, session: Session, ecosystem: models.Ecosystem) -> dict[str, int]:
    """Return each actor's and site's supply tier (0 = the orchestrator; see supply_tiers)."""
    links = session.execute(
        select(models.Link.source, models.Link.target).where(
            models.Link.ecosystem_id == ecosystem.id, models.Link.kind == LinkKind.SUPPLIES.value
        )
    ).all()
    orchestrators = list(
        session.scalars(
            select(models.Actor.key).where(
                models.Actor.ecosystem_id == ecosystem.id,
                models.Actor.ecosystem_role == "orchestrator",
            )
        )
    )
    site_rows = session.execute(
        select(models.Site.key, models.Site.actor).where(models.Site.ecosystem_id == ecosystem.id)
    )
    site_actor = {site: actor for site, actor in site_rows}
    return supply_tiers(
        links=[(s, t) for s, t in links], roots=orchestrators, site_actor=site_actor
    )


def get_entity(
    *, session: Session, ecosystem: models.Ecosystem, section: str, key: str, principal: Principal
) -> dict[str, Any]:
    """Return one actor, site, item or link as spec fields, if the caller may see it."""
    table = _table(section)
    query = select(table.__table__).where(table.ecosystem_id == ecosystem.id, table.key == key)
    query = _apply_scope(session, ecosystem, section, table, query, principal)
    row = session.execute(query).mappings().first()
    if row is None:
        raise NotFound(f"no {section[:-1]} {key!r} in ecosystem {ecosystem.name!r}")
    return from_row(row)


def create_entity(
    *, session: Session, ecosystem: models.Ecosystem, section: str, data: Mapping[str, Any]
) -> dict[str, Any]:
    """Validate and add one actor, site, item or link; references must exist."""
    table = _table(section)
    entity = _validate(section, data)
    key: str = getattr(entity, "id")  # noqa: B009  (only sections with ids reach here)
    if session.scalar(select(table.id).where(table.ecosystem_id == ecosystem.id, table.key == key)):
        raise Conflict(f"{section[:-1]} {key!r} already exists", [{"pointer": "#/id"}])
    if section in ("actors", "sites") and any(
        _key_exists(session, t, ecosystem, key) for t in _REFERENCE_TABLES["node"]
    ):
        raise Conflict(f"an actor or site {key!r} already exists", [{"pointer": "#/id"}])
    _check_references(session, ecosystem, section, entity)
    session.execute(insert(table), [to_row(entity, ecosystem.id)])
    return entity.model_dump(mode="json")


def update_entity(
    *,
    session: Session,
    ecosystem: models.Ecosystem,
    section: str,
    key: str,
    changes: Mapping[str, Any],
) -> dict[str, Any]:
    """Apply a partial update (JSON merge) to one entity; its id cannot change."""
    table = _table(section)
    row = session.scalar(select(table).where(table.ecosystem_id == ecosystem.id, table.key == key))
    if row is None:
        raise NotFound(f"no {section[:-1]} {key!r} in ecosystem {ecosystem.name!r}")
    if "id" in changes and changes["id"] != key:
        raise Invalid("id: an id cannot change; create a new entity instead", [{"pointer": "#/id"}])
    current = from_row({c.key: getattr(row, c.key) for c in table.__table__.columns})
    entity = _validate(section, {**current, **changes})
    _check_references(session, ecosystem, section, entity)
    for column, value in to_row(entity, ecosystem.id).items():
        setattr(row, column, value)
    session.flush()
    return entity.model_dump(mode="json")


def delete_entity(*, session: Session, ecosystem: models.Ecosystem, section: str, key: str) -> None:
    """Delete one entity; refuse while other entities still refer to it."""
    table = _table(section)
    row = session.scalar(select(table).where(table.ecosystem_id == ecosystem.id, table.key == key))
    if row is None:
        raise NotFound(f"no {section[:-1]} {key!r} in ecosystem {ecosystem.name!r}")
    users = list(_referrers(session, ecosystem, section, key))
    if users:
        shown = ", ".join(users[:10]) + (" ..." if len(users) > 10 else "")
        raise Conflict(f"{section[:-1]} {key!r} is still referred to by {shown}")
    session.delete(row)
    session.flush()


def _validate(section: str, data: Mapping[str, Any]) -> BaseModel:
    try:
        return ENTITY_SECTIONS[section].model_validate(dict(data))
    except ValidationError as exc:
        errors = [
            {"pointer": "#/" + "/".join(str(p) for p in err["loc"]), "detail": err["msg"]}
            for err in exc.errors()
        ]
        raise Invalid(f"the {section[:-1]} is not valid", errors) from None


def _check_references(
    session: Session, ecosystem: models.Ecosystem, section: str, entity: BaseModel
) -> None:
    """Check the entity's own rules and that everything it refers to is stored."""
    problems = list(entity_rules(entity))
    for loc, kind, key in entity_references(section, entity):
        tables = _REFERENCE_TABLES[kind]
        if not any(_key_exists(session, t, ecosystem, key) for t in tables):
            problems.append((loc, f"unknown {REFERENCE_KINDS[kind]} {key!r}"))
    if problems:
        errors = [
            {"pointer": "#/" + "/".join(str(p) for p in loc), "detail": msg}
            for loc, msg in problems
        ]
        raise Invalid("; ".join(msg for _, msg in problems), errors)


_REFERENCE_TABLES: dict[str, tuple[Any, ...]] = {
    "actor": (models.Actor,),
    "site": (models.Site,),
    "node": (models.Actor, models.Site),
    "item": (models.Item,),
    "link": (models.Link,),
}


def _key_exists(session: Session, table: Any, ecosystem: models.Ecosystem, key: str) -> bool:
    query = select(table.id).where(table.ecosystem_id == ecosystem.id, table.key == key)
    return session.scalar(query) is not None


def _referrers(
    session: Session, ecosystem: models.Ecosystem, section: str, key: str
) -> Iterable[str]:
    eco = ecosystem.id
    if section in ("actors", "sites"):
        yield from (
            f"link {k}"
            for k in session.scalars(
                select(models.Link.key).where(
                    models.Link.ecosystem_id == eco,
                    or_(models.Link.source == key, models.Link.target == key),
                )
            )
        )
    if section == "actors":
        yield from (
            f"site {k}"
            for k in session.scalars(
                select(models.Site.key).where(
                    models.Site.ecosystem_id == eco, models.Site.actor == key
                )
            )
        )
    if section == "items":
        yield from (
            f"link {k}"
            for k in session.scalars(
                select(models.Link.key).where(
                    models.Link.ecosystem_id == eco, models.Link.item == key
                )
            )
        )
        count = session.scalar(
            select(func.count())
            .select_from(models.BomLine)
            .where(
                models.BomLine.ecosystem_id == eco,
                or_(models.BomLine.parent == key, models.BomLine.child == key),
            )
        )
        if count:
            yield f"{count} BOM line(s)"


def visible_counts(
    *, session: Session, ecosystem: models.Ecosystem, principal: Principal
) -> dict[str, int]:
    """Return the rows per section the caller may see (a partner: its part of the CRUD sections)."""
    if not principal.is_partner:
        return entity_counts(session=session, ecosystem_id=ecosystem.id)
    counts: dict[str, int] = {}
    for section in CRUD_SECTIONS:
        table = _table(section)
        query = select(table.id).where(table.ecosystem_id == ecosystem.id)
        query = _apply_scope(session, ecosystem, section, table, query, principal)
        counts[section] = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    return counts
