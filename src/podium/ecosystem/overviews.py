"""Read-only summaries of a stored ecosystem for the console's discipline overviews.

Each function answers one overview page (map, align, govern, integrate, learn, design) from the
foundation model, scoped to the caller: a partner user sees only rows that involve its own actor
and sites, exactly as :func:`podium.ecosystem.entities.list_entities` scopes them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from podium.core.auth import Principal
from podium.ecosystem import entities, models, service
from podium.ecosystem.entities import Scope, scope_for
from podium.ecosystem.spec import ActorKind, ItemKind, LinkKind

LIST_CAP = 200
"""Longest list an overview table shows; the page says when more exist."""


# --- map ------------------------------------------------------------------------------------------


@dataclass
class EcosystemSummary:
    """One ecosystem with the number of rows the caller may see per section."""

    name: str
    title: str | None
    description: str | None
    counts: dict[str, int]


def summaries(*, session: Session, principal: Principal) -> list[EcosystemSummary]:
    """Return every ecosystem the caller may see, with its visible actor/site/item/link counts."""
    found = []
    for eco in service.list_ecosystems(session=session, principal=principal):
        scope = scope_for(session=session, ecosystem=eco, principal=principal)
        found.append(EcosystemSummary(eco.name, eco.title, eco.description, counts(session, scope)))
    return found


def counts(session: Session, scope: Scope) -> dict[str, int]:
    """Return the visible number of actors, sites, items and links."""
    eco = scope.ecosystem.id

    def count(table: Any, condition: ColumnElement[bool]) -> int:
        query = select(func.count()).select_from(table).where(table.ecosystem_id == eco, condition)
        return int(session.scalar(query) or 0)

    items = scope.items(models.Item.key)
    return {
        "actors": count(models.Actor, scope.nodes(models.Actor.key)),
        "sites": count(models.Site, scope.nodes(models.Site.key)),
        "items": count(models.Item, items),
        "links": count(models.Link, scope.links()),
    }


def tier_profile(session: Session, scope: Scope) -> list[dict[str, Any]]:
    """Return per supply tier the number of visible sites and actors (untiered last)."""
    tiers = entities.node_tiers(session=session, ecosystem=scope.ecosystem)
    rows: dict[int | None, Counter[str]] = {}
    for section, table in (("actors", models.Actor), ("sites", models.Site)):
        keys = session.scalars(
            select(table.key).where(
                table.ecosystem_id == scope.ecosystem.id, scope.nodes(table.key)
            )
        )
        for key in keys:
            rows.setdefault(tiers.get(key), Counter())[section] += 1
    ordered = sorted(rows, key=lambda t: (t is None, t or 0))
    return [{"tier": t, "sites": rows[t]["sites"], "actors": rows[t]["actors"]} for t in ordered]


# --- align ----------------------------------------------------------------------------------------


@dataclass
class ValueTable:
    """Value flows per actor (and per link), with totals."""

    actors: list[dict[str, Any]] = field(default_factory=list)
    links: list[dict[str, Any]] = field(default_factory=list)
    totals: dict[str, float] = field(default_factory=dict)
    links_total: int = 0
    actors_total: int = 0


VALUE_FIELDS = ("created", "captured", "risk_borne", "invested")


def value_flows(session: Session, scope: Scope) -> ValueTable:
    """Return value created, captured, risk borne and invested per actor, and per link."""
    vf, eco = models.ValueFlow, scope.ecosystem.id
    sums = [func.sum(getattr(vf, f)).label(f) for f in VALUE_FIELDS]
    per_actor = session.execute(
        select(vf.actor, models.Actor.name, models.Actor.kind, *sums)
        .join(models.Actor, (models.Actor.ecosystem_id == eco) & (models.Actor.key == vf.actor))
        .where(vf.ecosystem_id == eco, scope.nodes(vf.actor))
        .group_by(vf.actor, models.Actor.name, models.Actor.kind)
    ).mappings()
    table = ValueTable(actors=[dict(r) for r in per_actor])
    table.totals = {f: sum(r[f] or 0.0 for r in table.actors) for f in VALUE_FIELDS}
    for row in table.actors:
        row["capture_rate"] = row["captured"] / row["created"] if row["created"] else None
        for f in ("captured", "risk_borne"):
            total = table.totals[f]
            row[f"{f}_share"] = row[f] / total if total else None
        row["misaligned"] = (row["risk_borne_share"] or 0) > (row["captured_share"] or 0) + 0.1
    table.actors.sort(key=lambda r: -(r["created"] or 0))
    table.actors_total = len(table.actors)
    del table.actors[LIST_CAP:]
    link_query = (
        select(vf.link, models.Link.kind, models.Link.source, models.Link.target, *sums)
        .join(models.Link, (models.Link.ecosystem_id == eco) & (models.Link.key == vf.link))
        .where(vf.ecosystem_id == eco, scope.links())
        .group_by(vf.link, models.Link.kind, models.Link.source, models.Link.target)
    )
    all_links = [dict(r) for r in session.execute(link_query).mappings()]
    all_links.sort(key=lambda r: -(r["created"] or 0))
    table.links, table.links_total = all_links[:LIST_CAP], len(all_links)
    return table


# --- govern and integrate -------------------------------------------------------------------------


@dataclass
class Oversight:
    """Actors of some kinds, and the links of one kind with both ends named."""

    actors: list[dict[str, Any]]
    links: list[dict[str, Any]]
    links_total: int


def oversight(
    session: Session, scope: Scope, kinds: Iterable[ActorKind], link_kind: LinkKind
) -> Oversight:
    """Return the actors of ``kinds`` (with their number of ``link_kind`` links) and those links."""
    eco, link = scope.ecosystem.id, models.Link
    actors = [
        dict(r)
        for r in session.execute(
            select(models.Actor.__table__)
            .where(
                models.Actor.ecosystem_id == eco,
                models.Actor.kind.in_([k.value for k in kinds]),
                scope.nodes(models.Actor.key),
            )
            .order_by(models.Actor.kind, models.Actor.name)
        ).mappings()
    ]
    where = (link.ecosystem_id == eco, link.kind == link_kind.value, scope.links())
    total = int(session.scalar(select(func.count()).select_from(link).where(*where)) or 0)
    rows = session.execute(
        select(link.key, link.source, link.target, link.item, link.ttr_days, link.spend_per_year)
        .where(*where)
        .order_by(link.id)
        .limit(LIST_CAP)
    ).mappings()
    links = [dict(r) for r in rows]
    per_source = Counter(session.scalars(select(link.source).where(*where)).all() if actors else ())
    for actor in actors:
        actor["link_count"] = per_source[actor["key"]]
    names = node_names(
        session, scope.ecosystem, {e for r in links for e in (r["source"], r["target"])}
    )
    for row in links:
        row["source_name"] = names.get(row["source"], row["source"])
        row["target_name"] = names.get(row["target"], row["target"])
    return Oversight(actors, links, total)


def node_names(
    session: Session, ecosystem: models.Ecosystem, keys: Iterable[str]
) -> dict[str, str]:
    """Return the display name of each actor or site key (sites as 'site (actor)')."""
    wanted = list(set(keys))
    names: dict[str, str] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        for key, name in session.execute(
            select(models.Actor.key, models.Actor.name).where(
                models.Actor.ecosystem_id == ecosystem.id, models.Actor.key.in_(chunk)
            )
        ):
            names[key] = name
        for key, name in session.execute(
            select(models.Site.key, models.Site.name).where(
                models.Site.ecosystem_id == ecosystem.id, models.Site.key.in_(chunk)
            )
        ):
            names[key] = name
    return names


# --- learn ----------------------------------------------------------------------------------------


def composition(session: Session, scope: Scope) -> dict[str, list[tuple[str, int]]]:
    """Return visible counts by actor kind, actor role, actor region, site kind and site region."""
    eco = scope.ecosystem.id

    def by(column: Any, table: Any) -> list[tuple[str, int]]:
        query = (
            select(column, func.count())
            .where(table.ecosystem_id == eco, scope.nodes(table.key))
            .group_by(column)
        )
        rows = [
            (str(value) if value is not None else "", int(n)) for value, n in session.execute(query)
        ]
        return sorted(rows, key=lambda r: (-r[1], r[0]))

    return {
        "Actors by kind": by(models.Actor.kind, models.Actor),
        "Actors by ecosystem role": by(models.Actor.ecosystem_role, models.Actor),
        "Actors by region": by(models.Actor.region, models.Actor),
        "Sites by kind": by(models.Site.kind, models.Site),
        "Sites by region": by(models.Site.region, models.Site),
    }


# --- design ---------------------------------------------------------------------------------------


def products(session: Session, scope: Scope) -> list[dict[str, Any]]:
    """Return the products with their demand and profit, and the visible sites that make them."""
    eco = scope.ecosystem.id
    items = [
        dict(r)
        for r in session.execute(
            select(models.Item.__table__)
            .where(models.Item.ecosystem_id == eco, models.Item.kind == ItemKind.PRODUCT.value)
            .order_by(models.Item.name)
        ).mappings()
    ]
    makers = _makers(session, scope, {i["key"] for i in items})
    visible = [i for i in items if scope.own is None or makers[i["key"]]]
    suppliers = _direct_suppliers(session, scope, {m["key"] for ms in makers.values() for m in ms})
    for product in visible:
        product["sites"] = makers[product["key"]]
        product["suppliers"] = len(set().union(*(suppliers[m["key"]] for m in product["sites"])))
        demand, profit = product["demand_per_day"], product["unit_profit"]
        product["profit_per_day"] = (
            demand * profit if demand is not None and profit is not None else None
        )
    return visible


def _direct_suppliers(session: Session, scope: Scope, sites: set[str]) -> dict[str, set[str]]:
    """Return, per site, the sources of the supplies links into it."""
    link = models.Link
    found: dict[str, set[str]] = defaultdict(set)
    keys = sorted(sites)
    for start in range(0, len(keys), 500):
        query = select(link.target, link.source).where(
            link.ecosystem_id == scope.ecosystem.id,
            link.kind == LinkKind.SUPPLIES.value,
            link.target.in_(keys[start : start + 500]),
            scope.links(),
        )
        for target, source in session.execute(query):
            found[target].add(source)
    return found


def _makers(session: Session, scope: Scope, wanted: set[str]) -> dict[str, list[dict[str, Any]]]:
    """Return, per wanted item, the visible sites that produce it (with their actor's name)."""
    eco, site, actor = scope.ecosystem.id, models.Site, models.Actor
    makers: dict[str, list[dict[str, Any]]] = {k: [] for k in wanted}
    rows = session.execute(
        select(site.key, site.name, site.region, site.country, site.produces, actor.name)
        .join(actor, (actor.ecosystem_id == eco) & (actor.key == site.actor))
        .where(site.ecosystem_id == eco, scope.nodes(site.key))
        .order_by(site.id)
    )
    for key, name, region, country, produces, actor_name in rows:
        for made in set(produces or ()) & wanted:
            makers[made].append(
                {
                    "key": key,
                    "name": name,
                    "actor": actor_name,
                    "region": region,
                    "country": country,
                }
            )
    return makers
