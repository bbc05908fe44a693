"""The ecosystem map as Cytoscape.js elements: nodes (sites and actors) and edges (links).

Nodes carry their tier, region, kind and colour; positions follow a tiered layout (deep tiers on
the left, the orchestrator, then customers, then supporting actors on the right). Large
ecosystems are capped at :data:`MAX_NODES` nodes, nearest tiers first. Partner users see their own
actor and sites, the links that touch them, and each counterpart as a bare key.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.core.auth import Principal
from podium.ecosystem import entities, models
from podium.ecosystem.entities import Scope, scope_for

MAX_NODES = 3_000
MAX_EDGES = 12_000
COUNTERPART = "counterpart"

ACTOR_COLOURS: dict[str, str] = {
    "supplier": "#3b82f6",
    "contract_manufacturer": "#8b5cf6",
    "manufacturer": "#0f766e",
    "retailer": "#db2777",
    "logistics": "#f59e0b",
    "platform": "#06b6d4",
    "technology": "#6366f1",
    "data_intermediary": "#14b8a6",
    "utility": "#ca8a04",
    "regulator": "#dc2626",
    "certification_body": "#ea580c",
    "financier": "#16a34a",
    "research": "#a855f7",
    "customer": "#64748b",
    "complementor": "#84cc16",
    COUNTERPART: "#cbd5e1",
}
LINK_STYLES: dict[str, tuple[str, str]] = {
    "supplies": ("#94a3b8", "solid"),
    "ships": ("#f59e0b", "dashed"),
    "hosts_data": ("#0891b2", "dotted"),
    "powers": ("#ca8a04", "solid"),
    "regulates": ("#dc2626", "dashed"),
    "finances": ("#16a34a", "dotted"),
    "sells_to": ("#db2777", "solid"),
}
_LINK_FIELDS = ("item", "share", "capacity_per_day", "lead_time_days", "ttr_days", "spend_per_year")


@dataclass(frozen=True)
class MapFilter:
    """Server-side filters of the map; ``None`` means any."""

    max_tier: int | None = None
    region: str | None = None
    actor_kind: str | None = None
    link_kind: str | None = None


@dataclass
class MapData:
    """The elements to draw and what was left out."""

    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    total_nodes: int
    total_edges: int
    bands: list[dict[str, Any]] = field(default_factory=list)

    @property
    def capped(self) -> bool:
        """Whether nodes or edges were left out to keep the map drawable."""
        return len(self.nodes) < self.total_nodes or len(self.edges) < self.total_edges

    def note(self) -> str | None:
        """Say what was left out, and how to see it."""
        if not self.capped:
            return None
        return (
            f"Showing {len(self.nodes):,} of {self.total_nodes:,} nodes and "
            f"{len(self.edges):,} of {self.total_edges:,} links, nearest tiers first. "
            "Filter by tier, region, actor kind or link kind to see the rest."
        )

    def to_json(self) -> dict[str, Any]:
        """Return the Cytoscape elements with counts and the cap note."""
        return {
            "elements": {"nodes": self.nodes, "edges": self.edges},
            "total_nodes": self.total_nodes,
            "total_edges": self.total_edges,
            "shown_nodes": len(self.nodes),
            "shown_edges": len(self.edges),
            "capped": self.capped,
            "note": self.note(),
            "bands": self.bands,
        }


def map_data(
    *,
    session: Session,
    ecosystem: models.Ecosystem,
    principal: Principal,
    filters: MapFilter = MapFilter(),
    max_nodes: int = MAX_NODES,
    max_edges: int = MAX_EDGES,
) -> MapData:
    """Return the map of ``ecosystem`` the caller may see, filtered and capped."""
    scope = scope_for(session=session, ecosystem=ecosystem, principal=principal)
    links = _link_ends(session, scope, filters.link_kind)
    ends = {key for _, source, target in links for key in (source, target)}
    tiers = entities.node_tiers(session=session, ecosystem=ecosystem)
    found = _candidates(session, scope, tiers, ends)
    if filters.link_kind is not None:
        found = [c for c in found if c.key in ends]
    found = [c for c in found if _keep(c, filters)]
    if scope.own is not None:
        known = {c.key for c in found}
        found += [_Candidate(k, None, None, COUNTERPART, None, None) for k in sorted(ends - known)]
    found.sort(key=lambda c: (c.tier is None, c.tier or 0, c.key))
    shown = [_node(c) for c in found[:max_nodes]]
    keys = {n["id"] for n in shown}
    kept = [link for link in links if link[1] in keys and link[2] in keys]
    positions = tier_layout(shown, [(source, target) for _, source, target in kept])
    return MapData(
        nodes=[
            {"data": n, "position": dict(zip("xy", positions[n["id"]], strict=True))} for n in shown
        ],
        edges=_edges(session, scope, kept[:max_edges]),
        total_nodes=len(found),
        total_edges=len(kept),
        bands=bands(shown, positions),
    )


@dataclass(frozen=True)
class _Candidate:
    """A site or actor that may go on the map (``row`` None: a partner's counterpart)."""

    key: str
    tier: int | None
    region: str | None
    actor_kind: str
    row: Any
    owner: Any


def _candidates(
    session: Session, scope: Scope, tiers: Mapping[str, int], linked: set[str]
) -> list[_Candidate]:
    """Return every site, and the actors without sites or with links of their own."""
    eco, actor, site = scope.ecosystem.id, models.Actor, models.Site
    actors: dict[str, Any] = {
        row[0]: row
        for row in session.execute(
            select(
                actor.key, actor.name, actor.kind, actor.ecosystem_role, actor.country, actor.region
            ).where(actor.ecosystem_id == eco, scope.nodes(actor.key))
        )
    }
    sites = session.execute(
        select(site.key, site.name, site.kind, site.actor, site.country, site.region, site.city)
        .where(site.ecosystem_id == eco, scope.nodes(site.key))
        .order_by(site.id)
    ).all()
    found = []
    for row in sites:
        key, _, _, actor_key, _, region, _ = row
        owner = actors.get(actor_key)
        kind = owner[2] if owner is not None else COUNTERPART
        region = region or (owner[5] if owner is not None else None)
        found.append(_Candidate(key, tiers.get(key), region, kind, row, owner))
    with_sites = {row[3] for row in sites}
    for key, row in actors.items():
        if key not in with_sites or key in linked:
            found.append(_Candidate(key, tiers.get(key), row.region, row.kind, row, row))
    return found


def _keep(candidate: _Candidate, filters: MapFilter) -> bool:
    tier = candidate.tier
    if filters.max_tier is not None and (tier is None or tier > filters.max_tier):
        return False
    if filters.region is not None and candidate.region != filters.region:
        return False
    return filters.actor_kind is None or candidate.actor_kind == filters.actor_kind


def _node(candidate: _Candidate) -> dict[str, Any]:
    """Return the Cytoscape data of a node."""
    row, owner = candidate.row, candidate.owner
    is_site = row is not None and row is not owner
    return {
        "id": candidate.key,
        "label": row.name if row is not None else candidate.key,
        "type": "site" if is_site else "actor",
        "kind": row.kind if row is not None else COUNTERPART,
        "actor": owner.key if owner is not None else None,
        "actor_name": owner.name if owner is not None else None,
        "actor_kind": candidate.actor_kind,
        "role": owner.ecosystem_role if owner is not None else None,
        "country": (row.country or owner.country) if owner is not None else None,
        "region": candidate.region,
        "city": row.city if is_site else None,
        "tier": candidate.tier,
        "color": ACTOR_COLOURS.get(candidate.actor_kind, "#94a3b8"),
    }


def _link_ends(session: Session, scope: Scope, kind: str | None) -> Sequence[Any]:
    """Return (key, source, target) of the visible links, of one kind if given."""
    link = models.Link
    query = select(link.key, link.source, link.target).where(
        link.ecosystem_id == scope.ecosystem.id, scope.links()
    )
    if kind is not None:
        query = query.where(link.kind == kind)
    return session.execute(query.order_by(link.id)).all()


def _edges(session: Session, scope: Scope, links: Sequence[Any]) -> list[dict[str, Any]]:
    """Return the Cytoscape data of the given links, details read in chunks."""
    link, details = models.Link, {}
    keys = [row[0] for row in links]
    for start in range(0, len(keys), 1000):
        query = select(link.key, link.kind, *(getattr(link, f) for f in _LINK_FIELDS)).where(
            link.ecosystem_id == scope.ecosystem.id, link.key.in_(keys[start : start + 1000])
        )
        details.update({row.key: row for row in session.execute(query)})
    edges = []
    for row in links:
        more = details[row.key]
        colour, style = LINK_STYLES.get(more.kind, ("#94a3b8", "solid"))
        data = {"id": f"link:{row.key}", "key": row.key, "kind": more.kind}
        data |= {"source": row.source, "target": row.target, "color": colour, "style": style}
        edges.append({"data": data | {f: getattr(more, f) for f in _LINK_FIELDS}})
    return edges


# --- layout ---------------------------------------------------------------------------------------

ROW_GAP = 40.0
SUB_COLUMN_GAP = 56.0
BAND_GAP = 220.0
ROWS_MAX = 24
LOOSE_GAP = 120.0


def tier_layout(
    nodes: Sequence[Mapping[str, Any]], edges: Iterable[tuple[str, str]]
) -> dict[str, tuple[float, float]]:
    """Return an (x, y) per node: one band per tier, left to right, ordered to cut crossings.

    The deepest tier is on the left, the orchestrator (tier 0) next, then customers. Tier 0 is
    ordered by actor and key; each other band, from the orchestrator outwards, by the mean rank of
    its already placed neighbours (one barycentre sweep). Bands taller than :data:`ROWS_MAX` rows
    wrap into sub-columns. Other untiered nodes (regulators, platforms, utilities ...) go in rows
    below, each under the nodes it is linked to.
    """
    max_tier = max((int(n["tier"]) for n in nodes if n["tier"] is not None), default=0)
    columns: dict[int, list[Mapping[str, Any]]] = defaultdict(list)
    loose: list[Mapping[str, Any]] = []
    for node in nodes:
        if node["tier"] is not None:
            columns[max_tier - int(node["tier"])].append(node)
        elif node["actor_kind"] == "customer":
            columns[max_tier + 1].append(node)
        else:
            loose.append(node)
    neighbours: dict[str, list[str]] = defaultdict(list)
    for source, target in edges:
        neighbours[source].append(target)
        neighbours[target].append(source)
    rank: dict[str, float] = {}
    for column in [max_tier, *range(max_tier - 1, -1, -1), max_tier + 1]:
        members = columns.get(column, [])
        members.sort(key=lambda n: (_mean(n["id"], neighbours, rank), n["actor"] or "", n["id"]))
        for i, node in enumerate(members):
            rank[node["id"]] = i / max(1, len(members) - 1)
    positions = _place(columns)
    positions.update(_loose_rows(loose, neighbours, positions))
    return positions


def _mean(
    key: str, neighbours: Mapping[str, list[str]], values: Mapping[str, float], default: float = 0.5
) -> float:
    placed = [values[n] for n in neighbours.get(key, ()) if n in values]
    return sum(placed) / len(placed) if placed else default


def _place(columns: Mapping[int, list[Mapping[str, Any]]]) -> dict[str, tuple[float, float]]:
    positions: dict[str, tuple[float, float]] = {}
    x = 0.0
    for column in sorted(columns):
        members = columns[column]
        subs = math.ceil(len(members) / ROWS_MAX)
        rows = math.ceil(len(members) / subs)
        for i, node in enumerate(members):
            sub, row = divmod(i, rows)
            positions[node["id"]] = (x + sub * SUB_COLUMN_GAP, (row - (rows - 1) / 2) * ROW_GAP)
        x += (subs - 1) * SUB_COLUMN_GAP + BAND_GAP
    return positions


def bands(
    nodes: Sequence[Mapping[str, Any]], positions: Mapping[str, tuple[float, float]]
) -> list[dict[str, Any]]:
    """Return the label and centre x of each tier band (and the customers'), left to right."""
    spans: dict[str, list[float]] = defaultdict(list)
    for node in nodes:
        tier = node["tier"]
        if tier is not None:
            spans["Orchestrator" if tier == 0 else f"Tier {tier}"].append(positions[node["id"]][0])
        elif node["actor_kind"] == "customer":
            spans["Customers"].append(positions[node["id"]][0])
    found = [{"label": k, "x": (min(xs) + max(xs)) / 2} for k, xs in spans.items()]
    return sorted(found, key=lambda band: band["x"])


def _loose_rows(
    loose: Sequence[Mapping[str, Any]],
    neighbours: Mapping[str, list[str]],
    placed: Mapping[str, tuple[float, float]],
) -> dict[str, tuple[float, float]]:
    """Place nodes in rows under the bands, each near the mean x of its placed neighbours."""
    xs = [p[0] for p in placed.values()] or [0.0]
    left, right = min(xs), max(max(xs), min(xs) + 6 * LOOSE_GAP)
    y = max((p[1] for p in placed.values()), default=0.0) + 2.5 * ROW_GAP
    x_of = {key: p[0] for key, p in placed.items()}
    wanted = {n["id"]: _mean(n["id"], neighbours, x_of, right) for n in loose}
    positions: dict[str, tuple[float, float]] = {}
    previous = -math.inf
    for node in sorted(loose, key=lambda n: (wanted[n["id"]], n["id"])):
        x = max(wanted[node["id"]], previous + LOOSE_GAP)
        if x > right + LOOSE_GAP:
            x, y = left, y + 1.5 * ROW_GAP
        positions[node["id"]] = (x, y)
        previous = x
    return positions


def facets(
    *, session: Session, ecosystem: models.Ecosystem, principal: Principal
) -> dict[str, list[Any]]:
    """Return the filter choices of the map: tiers, regions, actor kinds and link kinds present."""
    scope = scope_for(session=session, ecosystem=ecosystem, principal=principal)
    eco, actor, site, link = ecosystem.id, models.Actor, models.Site, models.Link
    tiers = entities.node_tiers(session=session, ecosystem=ecosystem)
    regions: set[str] = set()
    for table in (actor, site):
        query = select(table.region).where(table.ecosystem_id == eco, scope.nodes(table.key))
        regions.update(r for r in session.scalars(query.distinct()) if r)
    kinds = session.scalars(
        select(actor.kind).where(actor.ecosystem_id == eco, scope.nodes(actor.key)).distinct()
    )
    link_kinds = session.scalars(
        select(link.kind).where(link.ecosystem_id == eco, scope.links()).distinct()
    )
    own_tiers = (t for k, t in tiers.items() if scope.own is None or k in scope.own)
    return {
        "tiers": sorted(set(own_tiers)),
        "regions": sorted(regions),
        "actor_kinds": sorted(kinds),
        "link_kinds": sorted(link_kinds),
    }
