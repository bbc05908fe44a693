"""Capacity against need: bottlenecks (max flow, min cut) and switching constraints (pure).

Units: capacity and need in item units/day, inventory in item units, times in days.

**Bottlenecks.** The need of an item is its own demand plus its parents' need times the BOM
quantity (:func:`podium.mapping.supplygraph.item_need`). Its capacity is the maximum flow of the
item along its ``supplies`` and ``sells_to`` links (``capacity_per_day``) from the places that
make it (``produces`` it, or send it without receiving it) to the places that use it (make
something from it, or receive it without passing it on). The minimum cut names the links that
bind. Simplifications: sites have no capacity of their own, so a place that both makes and uses
an item, or a link with no capacity on an unbroken path, makes the capacity unlimited (no check);
each item is checked alone, so an input's capacity is not reduced by shortages further upstream,
and one item's capacity is shared by all the products it goes into in proportion to their need.
So a flagged bottleneck is certain (the links cannot carry the need), while an unflagged network
may still fall short when shortages combine (the stress test in
:mod:`podium.mapping.resilience` solves the full linear program).

**Switching constraints.** A supply link with no qualified alternate, into a place that has no
other source of the item, cannot be switched away from quickly: if it fails, the place lives on
its inventory of the item until the source recovers (``ttr_days``) or a new one is qualified
(``qualification_days``). The cover is ``on_hand / daily use`` (no inventory record: 0 days).
Daily use is the smaller of two upper bounds on what the place consumes: the capacity of the
item's links into it and the item's BOM-exploded need across the whole network; so the cover is
a conservative (low) estimate, and the gap a generous one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import networkx as nx

from podium.ecosystem.spec import EcosystemSpec, Link, LinkKind

_SOURCE = ("source",)  # virtual nodes: tuples never clash with string ids
_SINK = ("sink",)


@dataclass(frozen=True)
class ItemCapacity:
    """An item whose links cannot carry its need: capacity and need in units/day, the min cut."""

    item: str
    capacity: float
    need: float
    cut: tuple[Link, ...]

    @property
    def coverage(self) -> float:
        """Capacity over need (0-1 for a bottleneck)."""
        return self.capacity / self.need if self.need > 0 else 1.0

    def shortfall(self, demand: float) -> float:
        """Units/day of a product with this ``demand`` left unmade, sharing in proportion."""
        return demand * (1.0 - self.coverage)

    def describe(self, product: str, demand: float, limit: int = 4) -> str:
        """Return one sentence: capacity against need, the product's shortfall, the min cut."""
        cut = [f"{link.id} ({link.capacity_per_day:g}/day)" for link in self.cut]
        more = f" and {len(cut) - limit} more" if len(cut) > limit else ""
        return (
            f"the links of {self.item} carry at most {self.capacity:g} units/day to the sites "
            f"that use it, against a need of {self.need:g} units/day ({self.coverage:.0%}): "
            f"{product} falls short by {self.shortfall(demand):.4g} of {demand:g} units/day; "
            f"the min cut is {', '.join(cut[:limit])}{more}"
        )


def bottlenecks(
    links: Iterable[Link],
    need: dict[str, float],
    *,
    producers: dict[str, set[str]],
    users: dict[str, set[str]],
) -> list[ItemCapacity]:
    """Return the items whose maximum flow (units/day) is below their need, with the min cut.

    ``producers``: item -> places whose ``produces`` lists it; ``users``: item -> places that
    make something from it. Items with unlimited capacity are left out.

    Examples
    --------
    >>> from podium.ecosystem.spec import Link
    >>> links = [Link(id="a", kind="supplies", source="s1", target="w", item="c",
    ...               capacity_per_day=100),
    ...          Link(id="b", kind="supplies", source="w", target="p", item="c",
    ...               capacity_per_day=50)]
    >>> [(b.item, b.capacity, [link.id for link in b.cut])
    ...  for b in bottlenecks(links, {"c": 80.0}, producers={}, users={"c": {"p"}})]
    [('c', 50.0, ['b'])]
    """
    by_item: dict[str, list[Link]] = defaultdict(list)
    for link in links:
        if link.item is not None and link.kind in (LinkKind.SUPPLIES, LinkKind.SELLS_TO):
            by_item[link.item].append(link)
    out: list[ItemCapacity] = []
    for item, item_links in by_item.items():
        wanted = need.get(item, 0.0)
        if wanted <= 0:
            continue
        flow = _max_flow(item_links, producers.get(item, set()), users.get(item, set()))
        if flow is not None and flow[0] < wanted * (1 - 1e-9) and flow[1]:
            out.append(ItemCapacity(item, flow[0], wanted, flow[1]))
    return out


def _max_flow(
    links: Sequence[Link], producers: set[str], users: set[str]
) -> tuple[float, tuple[Link, ...]] | None:
    """Max flow of one item from its makers to its users and the cut links; None if unlimited."""
    senders = {link.source for link in links}
    receivers = {link.target for link in links}
    sources = (senders - receivers) | producers
    sinks = (receivers - senders) | users
    if sources & sinks:
        return None
    if not senders & receivers:  # one hop: every link goes from a maker to a user
        if any(link.capacity_per_day is None for link in links):
            return None
        return sum(float(link.capacity_per_day or 0.0) for link in links), tuple(links)
    graph = nx.DiGraph()
    for link in links:
        old = graph.get_edge_data(link.source, link.target)
        if old is None:
            graph.add_edge(link.source, link.target, links=[link])
        else:
            old["links"].append(link)
    for _, _, data in graph.edges(data=True):
        caps = [link.capacity_per_day for link in data["links"]]
        if all(cap is not None for cap in caps):
            data["capacity"] = float(sum(cap or 0.0 for cap in caps))
    graph.add_edges_from((_SOURCE, s) for s in sources)
    graph.add_edges_from((u, _SINK) for u in sinks)
    try:
        value, (reach, _) = nx.minimum_cut(graph, _SOURCE, _SINK)
    except nx.NetworkXUnbounded:
        return None
    cut = tuple(link for link in links if link.source in reach and link.target not in reach)
    return float(value), cut


@dataclass(frozen=True)
class SwitchingGap:
    """A sole link whose time to recover or to qualify a new source exceeds the target's cover.

    ``daily_use`` in units/day from ``use_basis`` (``"link capacity"`` or ``"BOM need"``);
    ``cover_days`` = ``on_hand / daily_use``; ``exceeded`` names what outlasts the cover
    (``"ttr"``, ``"qualification"``); ``gap_days`` = the shortest of those minus the cover:
    the days the target runs short even on the quicker way back.
    """

    link: Link
    on_hand: float
    daily_use: float
    use_basis: str
    cover_days: float
    exceeded: tuple[str, ...]
    gap_days: float

    def describe(self) -> str:
        """Return one sentence: the cover, what outlasts it, and by how many days."""
        link, ways = self.link, []
        if "ttr" in self.exceeded:
            ways.append(f"{link.source} takes {link.ttr_days:g} days to recover")
        if "qualification" in self.exceeded:
            ways.append(f"qualifying a new source takes {link.qualification_days:g} days")
        return (
            f"{link.target} holds {self.cover_days:.1f} days of {link.item} ({self.on_hand:g} "
            f"units at {self.daily_use:g}/day by {self.use_basis}) but {' and '.join(ways)}: "
            f"{_SHORT[self.exceeded].format(days=self.gap_days)} (link {link.id})"
        )


_SHORT = {
    ("ttr", "qualification"): "it runs short for {days:.0f} days even on the quicker way back",
    ("ttr",): "waiting for recovery leaves it short for {days:.0f} days",
    ("qualification",): "switching to a new source leaves it short for {days:.0f} days",
}


def switching_gaps(spec: EcosystemSpec, need: dict[str, float]) -> list[SwitchingGap]:
    """Return the switching constraints of a spec's supply links (see the module docstring).

    ``need``: units/day per item (BOM-exploded). Links into a place that has another source of
    the item, or that list alternates, are left out, as are places whose daily use is unknown.
    """
    stock: dict[tuple[str, str], float] = defaultdict(float)
    for position in spec.inventory:
        stock[(position.site, position.item)] += position.on_hand
    into: dict[tuple[str, str], list[Link]] = defaultdict(list)
    for link in spec.links:
        if link.kind == LinkKind.SUPPLIES and link.item is not None:
            into[(link.target, link.item)].append(link)
    out: list[SwitchingGap] = []
    for (target, item), links in into.items():
        if len({link.source for link in links}) > 1:
            continue
        use = _daily_use(links, need.get(item, 0.0))
        if use is None:
            continue
        on_hand = stock.get((target, item), 0.0)
        out.extend(_gaps(links, on_hand, *use))
    return out


def _daily_use(links: list[Link], need: float) -> tuple[float, str] | None:
    """The smaller known upper bound on a place's use of an item (units/day), and its basis."""
    caps = [link.capacity_per_day for link in links if link.capacity_per_day is not None]
    bounds = [(float(sum(caps)), "link capacity")] if caps else []
    if need > 0:
        bounds.append((need, "BOM need"))
    use = min(bounds, default=None)
    return use if use is not None and use[0] > 0 else None


def _gaps(links: list[Link], on_hand: float, use: float, basis: str) -> list[SwitchingGap]:
    """The gaps of a place's sole links of one item."""
    cover = on_hand / use
    out = []
    for link in links:
        if link.alternates:
            continue
        days = {"ttr": link.ttr_days, "qualification": link.qualification_days}
        over = {name: d for name, d in days.items() if d is not None and d > cover}
        if over:
            gap = min(over.values()) - cover
            out.append(SwitchingGap(link, on_hand, use, basis, cover, tuple(over), gap))
    return out
