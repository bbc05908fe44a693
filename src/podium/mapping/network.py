"""The supply network compiled for the stress test: production nodes, input rows, links, products.

A *node* is one item made (or handled) at one location: ``(site, item)``, or ``(actor, item)``
when a link names an actor without a site. A node needs, per unit, the inputs of its bill of
materials (the site's own lines if it has any, else the item's); a node that receives the item it
ships and has no bill of materials passes it through (one unit in per unit out). Inputs a site
needs but has no mapped source for are not modelled: the map does not show where they come from,
so they are taken to be available. An *input row* is one item consumed at one location; the
``supplies`` links feed input rows from nodes, up to ``capacity_per_day`` units/day.

Inventory of an item at a site is stock of the node that makes or ships it there (finished goods,
which still ship when the site is down), else stock of the input row that consumes it.

Products are items with ``demand_per_day`` > 0; a unit of lost demand costs the item's
``unit_profit`` (else ``unit_price - unit_cost``, else ``unit_price``, else 1: lost units).

Disruptions spread along ``powers``, ``hosts_data`` and ``ships`` links that have no alternates:
when their source is down, their target is down too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from podium.ecosystem.spec import EcosystemSpec, Item, LinkKind

DEPENDENCY_KINDS = frozenset({LinkKind.POWERS, LinkKind.HOSTS_DATA, LinkKind.SHIPS})
"""Link kinds whose source being down takes the target down (unless the link has alternates)."""


@dataclass
class Network:
    """Arrays of the compiled network (index-based; ids kept for reporting)."""

    locations: list[str]
    location_region: list[str | None]
    location_actor: list[str]
    location_ttr: np.ndarray  # days, per location (max TTR of its outgoing links, else default)
    dependents: dict[int, list[int]]  # location -> locations it takes down with it
    node_location: np.ndarray
    node_item: list[str]
    node_inventory: np.ndarray  # units of finished stock at the node
    row_location: np.ndarray
    row_item: list[str]
    row_inventory: np.ndarray  # units of input stock at the row
    use_row: np.ndarray  # BOM entries: the row consumed ...
    use_node: np.ndarray  # ... by the node ...
    use_quantity: np.ndarray  # ... in row units per node unit
    link_ids: list[str]
    link_node: np.ndarray  # source node of each supplies link
    link_row: np.ndarray  # input row it feeds
    link_capacity: np.ndarray  # units/day (inf when not given)
    products: list[str]
    product_demand: np.ndarray  # units/day
    product_profit: np.ndarray  # currency/unit
    sale_node: np.ndarray  # nodes that make a product ...
    sale_product: np.ndarray  # ... and which product
    location_index: dict[str, int] = field(default_factory=dict)

    @property
    def n_nodes(self) -> int:
        """Number of production nodes."""
        return len(self.node_item)

    @property
    def n_rows(self) -> int:
        """Number of input rows."""
        return len(self.row_item)


def unit_loss(item: Item) -> float:
    """Return the profit lost per unit of unmet demand (currency/unit; 1 when none is known)."""
    if item.unit_profit is not None:
        return float(item.unit_profit)
    if item.unit_price is not None:
        return float(item.unit_price - (item.unit_cost or 0.0))
    return 1.0


class _Builder:
    """Collects locations, nodes and rows while the spec is read."""

    def __init__(self, spec: EcosystemSpec) -> None:
        self.spec = spec
        self.site_actor = {s.id: s.actor for s in spec.sites}
        actors = {a.id: a for a in spec.actors}
        self.region = {a.id: a.region for a in spec.actors}
        self.region.update(
            {
                s.id: s.region or (actors[s.actor].region if s.actor in actors else None)
                for s in spec.sites
            }
        )
        self.locations: dict[str, int] = {}
        self.nodes: dict[tuple[int, str], int] = {}
        self.rows: dict[tuple[int, str], int] = {}

    def location(self, key: str) -> int:
        return self.locations.setdefault(key, len(self.locations))

    def node(self, location: int, item: str) -> int:
        return self.nodes.setdefault((location, item), len(self.nodes))

    def row(self, location: int, item: str) -> int:
        return self.rows.setdefault((location, item), len(self.rows))


def compile_network(spec: EcosystemSpec, *, default_ttr_days: float) -> Network:
    """Compile ``spec`` into the arrays the stress test solves over (see the module docstring)."""
    b = _Builder(spec)
    for site in spec.sites:
        b.location(site.id)
    supplies = [k for k in spec.links if k.kind is LinkKind.SUPPLIES and k.item is not None]
    for link in supplies:
        b.location(link.source)
        b.location(link.target)
    items = {i.id: i for i in spec.items}
    products = [i.id for i in spec.items if (i.demand_per_day or 0.0) > 0]
    for site in spec.sites:
        for item in site.produces:
            b.node(b.locations[site.id], item)
    delivered: dict[int, set[str]] = defaultdict(set)
    for link in supplies:
        b.node(b.locations[link.source], str(link.item))
        delivered[b.locations[link.target]].add(str(link.item))
    uses = _bill_of_materials(spec, b, delivered)
    link_ids, link_node, link_row, link_cap = [], [], [], []
    for link in supplies:
        target = (b.locations[link.target], str(link.item))
        if target not in b.rows:
            continue  # nothing at the target consumes it
        link_ids.append(link.id)
        link_node.append(b.nodes[(b.locations[link.source], str(link.item))])
        link_row.append(b.rows[target])
        link_cap.append(np.inf if link.capacity_per_day is None else link.capacity_per_day)
    node_inv, row_inv = _inventory(spec, b)
    product_index = {p: k for k, p in enumerate(products)}
    sales = [(n, product_index[item]) for (_, item), n in b.nodes.items() if item in product_index]
    location_ids = list(b.locations)
    return Network(
        locations=location_ids,
        location_region=[b.region.get(key) for key in location_ids],
        location_actor=[b.site_actor.get(key, key) for key in location_ids],
        location_ttr=_location_ttr(spec, b, default_ttr_days),
        dependents=_dependents(spec, b),
        node_location=np.array([loc for loc, _ in b.nodes], dtype=np.int64),
        node_item=[item for _, item in b.nodes],
        node_inventory=node_inv,
        row_location=np.array([loc for loc, _ in b.rows], dtype=np.int64),
        row_item=[item for _, item in b.rows],
        row_inventory=row_inv,
        use_row=np.array([u[0] for u in uses], dtype=np.int64),
        use_node=np.array([u[1] for u in uses], dtype=np.int64),
        use_quantity=np.array([u[2] for u in uses], dtype=float),
        link_ids=link_ids,
        link_node=np.array(link_node, dtype=np.int64),
        link_row=np.array(link_row, dtype=np.int64),
        link_capacity=np.array(link_cap, dtype=float),
        products=products,
        product_demand=np.array([float(items[p].demand_per_day or 0.0) for p in products]),
        product_profit=np.array([unit_loss(items[p]) for p in products]),
        sale_node=np.array([n for n, _ in sales], dtype=np.int64),
        sale_product=np.array([p for _, p in sales], dtype=np.int64),
        location_index=dict(b.locations),
    )


def _bill_of_materials(
    spec: EcosystemSpec, b: _Builder, delivered: dict[int, set[str]]
) -> list[tuple[int, int, float]]:
    """Return (row, node, quantity) per input a node needs and its site has a source for."""
    generic: dict[str, list[tuple[str, float]]] = defaultdict(list)
    local: dict[tuple[str, str], list[tuple[str, float]]] = defaultdict(list)
    for line in spec.bom:
        if line.site is None:
            generic[line.parent].append((line.child, line.quantity))
        else:
            local[(line.site, line.parent)].append((line.child, line.quantity))
    location_ids = list(b.locations)
    uses: list[tuple[int, int, float]] = []
    for (loc, item), node in list(b.nodes.items()):
        lines = local.get((location_ids[loc], item)) or generic.get(item, [])
        if not lines and item in delivered[loc]:
            lines = [(item, 1.0)]  # a pass-through: ships what it receives
        for child, quantity in lines:
            if child in delivered[loc]:
                uses.append((b.row(loc, child), node, quantity))
    return uses


def _inventory(spec: EcosystemSpec, b: _Builder) -> tuple[np.ndarray, np.ndarray]:
    """Return on-hand units per node (finished stock) and per input row."""
    node_inv = np.zeros(len(b.nodes))
    row_inv = np.zeros(len(b.rows))
    for position in spec.inventory:
        loc = b.locations.get(position.site)
        if loc is None:
            continue
        if (loc, position.item) in b.nodes:
            node_inv[b.nodes[(loc, position.item)]] += position.on_hand
        elif (loc, position.item) in b.rows:
            row_inv[b.rows[(loc, position.item)]] += position.on_hand
    return node_inv, row_inv


def _location_ttr(spec: EcosystemSpec, b: _Builder, default_ttr_days: float) -> np.ndarray:
    """Return each location's time to recover: the longest TTR of the links it serves (days)."""
    ttr = np.full(len(b.locations), np.nan)
    for link in spec.links:
        loc = b.locations.get(link.source)
        if loc is not None and link.ttr_days is not None:
            ttr[loc] = np.fmax(ttr[loc], link.ttr_days)
    return np.where(np.isnan(ttr), default_ttr_days, ttr)


def _dependents(spec: EcosystemSpec, b: _Builder) -> dict[int, list[int]]:
    """Return, per location, the locations that go down with it (via dependency links)."""
    sites_of: dict[str, list[str]] = defaultdict(list)
    for site in spec.sites:
        sites_of[site.actor].append(site.id)
    out: dict[int, list[int]] = defaultdict(list)
    for link in spec.links:
        if link.kind not in DEPENDENCY_KINDS or link.alternates:
            continue
        sources = [link.source, *sites_of.get(link.source, [])]
        targets = [link.target, *sites_of.get(link.target, [])]
        for source in _known(b, sources):
            out[source].extend(_known(b, targets))
    return dict(out)


def _known(b: _Builder, keys: Iterable[str]) -> list[int]:
    return [b.locations[k] for k in keys if k in b.locations]
