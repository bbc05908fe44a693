"""Concentration of supply: Herfindahl-Hirschman indices and shared sub-tier causes (pure).

The Herfindahl-Hirschman index (HHI) of a set of shares is the sum of their squares: 1 for a single
supplier, ``1/n`` for ``n`` equal ones. The thresholds are those of the U.S. Department of Justice
and Federal Trade Commission, *Horizontal Merger Guidelines* (2010), §5.3: a market with an HHI
below 1,500 is unconcentrated, 1,500 to 2,500 moderately concentrated, above 2,500 highly
concentrated, on the guidelines' 0-10,000 scale; here the same thresholds on a 0-1 scale,
:data:`MODERATE_HHI` = 0.15 and :data:`HIGH_HHI` = 0.25.

A *shared cause* is a site whose loss alone stops several suppliers that look independent (see
:func:`shared_causes`); :func:`hidden_causes` finds them behind the orchestrator's multiple
sourcing at tier 1 (hidden sub-tier concentration: the "dual sourced" part whose two suppliers
depend on one wafer fab).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from podium.mapping.supplygraph import SupplyGraph, path_from, upstream_tree

MODERATE_HHI = 0.15
"""HHI (0-1) from which supply is moderately concentrated (DOJ/FTC 2010 §5.3: 1,500 of 10,000)."""
HIGH_HHI = 0.25
"""HHI (0-1) from which supply is highly concentrated (DOJ/FTC 2010 §5.3: 2,500 of 10,000)."""
DIMENSIONS = ("supplier", "country", "region")
"""What shares are grouped by: supplier actor, its country (ISO code) and its region."""


def hhi(weights: Iterable[float]) -> float:
    """Return the Herfindahl-Hirschman index (0-1) of non-negative weights.

    The weights are normalised to shares first; the index is the sum of the squared shares.
    No weight (or all zero) gives ``0.0``: nothing is concentrated.

    Examples
    --------
    >>> round(hhi([60, 40]), 4)
    0.52
    >>> hhi([1, 1, 1, 1]), hhi([5])
    (0.25, 1.0)
    """
    values = [float(w) for w in weights]
    total = sum(values)
    if total <= 0:
        return 0.0
    return sum((w / total) ** 2 for w in values)


def hhi_severity(value: float) -> str | None:
    """Return ``"high"`` (>= 0.25), ``"moderate"`` (>= 0.15) or ``None`` for an HHI on 0-1."""
    if value >= HIGH_HHI:
        return "high"
    if value >= MODERATE_HHI:
        return "moderate"
    return None


@dataclass(frozen=True)
class SupplyShare:
    """One supply link of an item, as the concentration analysis sees it.

    ``spend`` is currency/year, ``capacity`` item units/day; ``None`` where the link has none.
    ``country`` and ``region`` are the supplier's (``None`` when unknown).
    """

    item: str
    supplier: str
    country: str | None
    region: str | None
    spend: float | None
    capacity: float | None


@dataclass(frozen=True)
class Concentration:
    """The concentration of one item's supply along one dimension.

    ``basis`` says what was weighed: ``"spend"`` (currency/year) when every link of the item has
    a spend, else ``"capacity"`` (units/day) when every link has a capacity, else ``"links"``
    (each link counts once). ``shares`` are (group, share 0-1), largest first.
    """

    item: str
    dimension: str
    hhi: float
    basis: str
    total: float
    shares: tuple[tuple[str, float], ...]

    @property
    def severity(self) -> str | None:
        """The HHI's severity: ``"high"``, ``"moderate"`` or ``None`` (unconcentrated)."""
        return hhi_severity(self.hhi)

    def describe(self, currency: str = "EUR") -> str:
        """Return one sentence with the index, the largest shares and the total weighed."""
        top = ", ".join(f"{group} {share:.0%}" for group, share in self.shares[:3])
        more = f" and {len(self.shares) - 3} more" if len(self.shares) > 3 else ""
        unit = {"spend": f"{currency}/year of spend", "capacity": "units/day of capacity"}
        weighed = f"{self.total:,.0f} {unit[self.basis]}" if self.basis in unit else "its links"
        level = {"high": "highly", "moderate": "moderately"}.get(self.severity or "", "not")
        return (
            f"supply of {self.item} is {level} concentrated by {self.dimension}: HHI "
            f"{self.hhi:.2f} over {weighed} ({top}{more})"
        )


def item_concentration(rows: Iterable[SupplyShare]) -> list[Concentration]:
    """Return the concentration of every item with two or more supply links, per dimension.

    Items with one supply link are left out (their HHI is 1 by construction; a single source is
    a sole-source finding). Links whose country or region is unknown are left out of that
    dimension only; a dimension with no known group is left out.

    Examples
    --------
    >>> rows = [SupplyShare("chip", "a", "DE", "EU", 60.0, None),
    ...         SupplyShare("chip", "b", "DE", "EU", 40.0, None)]
    >>> [(c.dimension, round(c.hhi, 2), c.basis) for c in item_concentration(rows)]
    [('supplier', 0.52, 'spend'), ('country', 1.0, 'spend'), ('region', 1.0, 'spend')]
    """
    by_item: dict[str, list[SupplyShare]] = defaultdict(list)
    for row in rows:
        by_item[row.item].append(row)
    out: list[Concentration] = []
    for item, links in by_item.items():
        if len(links) < 2:
            continue
        basis, weights = _weights(links)
        for dimension in DIMENSIONS:
            groups: dict[str, float] = defaultdict(float)
            for link, weight in zip(links, weights, strict=True):
                group = getattr(link, dimension)
                if group is not None:
                    groups[group] += weight
            total = sum(groups.values())
            if total > 0:
                ranked = sorted(groups.items(), key=lambda gw: (-gw[1], gw[0]))
                shares = tuple((group, weight / total) for group, weight in ranked)
                value = sum(share**2 for _, share in shares)
                out.append(Concentration(item, dimension, value, basis, total, shares))
    return out


def _weights(links: list[SupplyShare]) -> tuple[str, list[float]]:
    """Pick the basis of one item's shares: spend, else capacity, else one per link."""
    if all(link.spend is not None for link in links):
        return "spend", [float(link.spend or 0.0) for link in links]
    if all(link.capacity is not None for link in links):
        return "capacity", [float(link.capacity or 0.0) for link in links]
    return "links", [1.0] * len(links)


def shared_causes(
    critical: Mapping[str, Collection[str]], *, exclude: Collection[str] = ()
) -> dict[str, tuple[str, ...]]:
    """Return the causes shared by two or more suppliers: cause -> the suppliers it stops.

    ``critical`` maps each supplier to the nodes whose loss alone stops that supplier (its
    critical set, itself included). A node in the critical sets of two or more suppliers is a
    common cause of their failure: sourcing from both is not independent. The suppliers
    themselves and ``exclude`` are never causes. Suppliers are listed in sorted order.

    Examples
    --------
    >>> shared_causes({"velora": {"velora", "sorrel"}, "kinsei": {"kinsei", "sorrel"},
    ...                "other": {"other", "mine"}})
    {'sorrel': ('kinsei', 'velora')}
    """
    counts: dict[str, list[str]] = defaultdict(list)
    for supplier, nodes in critical.items():
        for node in nodes:
            counts[node].append(supplier)
    skip = set(critical) | set(exclude)
    return {
        node: tuple(sorted(suppliers))
        for node, suppliers in sorted(counts.items())
        if len(suppliers) >= 2 and node not in skip
    }


@dataclass
class HiddenCause:
    """A sub-tier place whose loss alone stops two or more tier-1 suppliers of one item.

    ``fed``: the tier-1 suppliers it stops, out of ``sources`` (all tier-1 suppliers of the item
    to ``targets``, the orchestrator sites that buy it); ``full``: it also cuts some target off
    the item altogether; ``path``: cause ... supplier, target (place ids).
    """

    cause: str
    item: str
    product: str | None
    path: tuple[str, ...]
    fed: set[str] = field(default_factory=set)
    sources: set[str] = field(default_factory=set)
    targets: list[str] = field(default_factory=list)
    full: bool = False


def hidden_causes(
    graph: SupplyGraph,
    crit: Mapping[int, frozenset[str]],
    receipts: Iterable[int],
    *,
    exclude: Collection[str],
    below: Sequence[frozenset[str]],
) -> list[HiddenCause]:
    """Return the shared causes behind apparently multiple tier-1 sourcing, per product.

    ``receipts``: nodes (an orchestrator site receiving an item) with two or more suppliers;
    ``crit``: the critical sets of those nodes and of their supplier nodes
    (:func:`~podium.mapping.supplygraph.critical_sets`); ``exclude``: places never taken as
    causes (the orchestrator's); ``below``: per node, the products it goes into. Sites buying
    one item from the same suppliers are searched once. One cause per (cause, item, product).
    """
    groups: dict[tuple[str, frozenset[int]], list[int]] = defaultdict(list)
    for v in receipts:
        options = frozenset(u for u in graph.options[v] if graph.places[u] not in exclude)
        groups[(graph.items[v], options)].append(v)
    merged: dict[tuple[str, str, str | None], HiddenCause] = {}
    for (item, options), targets in groups.items():
        sources = {graph.places[u]: crit[u] for u in options if u in crit}
        causes = shared_causes(sources, exclude=exclude)
        if not causes:
            continue
        first, step = upstream_tree(graph, options, find=causes)
        for cause, fed in causes.items():
            path = (*path_from(graph, first[cause], step)[0], graph.places[targets[0]])
            for v in targets:
                products: list[str | None] = [*sorted(below[v])] or [None]
                for product in products:
                    key = (cause, item, product)
                    found = merged.setdefault(key, HiddenCause(cause, item, product, path))
                    found.fed.update(fed)
                    found.sources.update(sources)
                    found.targets.append(graph.places[v])
                    found.full = found.full or cause in crit.get(v, ())
    return list(merged.values())
