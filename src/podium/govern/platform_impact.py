"""What hangs on a platform partner, and what losing it (or part of it) for N days costs (pure).

:func:`exposure` reads the map: the platform's sites, its links (``supplies``, ``ships``,
``hosts_data``, ``powers`` ...), the sites that go down with it (dependency links without
alternates, the rule of :mod:`podium.mapping.network`), and everything downstream of these
through the supply network to the orchestrator's products; the products with no way around the
platform (every place that sells them has a site going down in its critical set, see
:mod:`podium.mapping.supplygraph`) are *stopped*.

:func:`terms_change` is the "terms change" scenario: the platform is lost, or degraded to a
share of its capacity, for N days. It is the time-to-recover / time-to-survive stress test of
Simchi-Levi et al. with the platform's sites (and those that go down with them) disrupted for
N days instead of their own TTR: the performance impact PI is the least profit lost over the N
days, using the remaining capacity, inventory and bills of materials; the time to survive TTS is
the longest the network meets all demand meanwhile (D. Simchi-Levi et al., "Identifying risks
and mitigating disruptions in the automotive supply chain", Interfaces 45(5):375-390, 2015).
A loss runs on the stress-test engine (:class:`podium.mapping.solver.Engine`). The engine takes
nodes down but has no degradation hook, so a degradation caps each affected node's production at
``share`` times its capacity in the engine's full program: the sum of its ``supplies`` links'
``capacity_per_day`` where every link out of it declares one and it sells nothing directly, else
its baseline output (the least steady-state flow that meets all demand: what the network draws
on it). Where the network could draw that output from other sources instead, the baseline is one
such plan; declare link capacities for an answer that does not depend on it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from podium.ecosystem.spec import EcosystemSpec
from podium.mapping.network import Network, compile_network
from podium.mapping.resilience import DEFAULT_TTR_DAYS, HORIZON_DAYS
from podium.mapping.solver import TOLERANCE, Engine, Outcome
from podium.mapping.supplygraph import (
    build_supply_graph,
    critical_sets,
    downstream_products,
    product_outlets,
)
from podium.mapping.ttr_lp import INF, Solution, set_mode


@dataclass(frozen=True)
class PlatformLink:
    """A link from one of the platform's sites (or the platform itself) to a dependent."""

    id: str
    kind: str
    source: str
    target: str
    item: str | None
    alternates: tuple[str, ...]


@dataclass(frozen=True)
class Exposure:
    """What depends on a platform: its sites and links, and what is downstream of them."""

    platform: str
    sites: tuple[str, ...]
    links: tuple[PlatformLink, ...]
    down_with: tuple[str, ...]
    dependent_sites: tuple[str, ...]
    items: tuple[str, ...]
    products: tuple[str, ...]
    stopped_products: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return the exposure as JSON-ready values."""
        return {
            "platform": self.platform,
            "sites": list(self.sites),
            "links": [dict(link.__dict__, alternates=list(link.alternates)) for link in self.links],
            "down_with": list(self.down_with),
            "dependent_sites": list(self.dependent_sites),
            "items": list(self.items),
            "products": list(self.products),
            "stopped_products": list(self.stopped_products),
        }


def platform_places(spec: EcosystemSpec, platform: str) -> list[str]:
    """Return the platform's sites, and the platform itself where a link names it directly."""
    if platform not in {a.id for a in spec.actors}:
        raise ValueError(f"no actor {platform!r} in ecosystem {spec.name!r}")
    sites = [s.id for s in spec.sites if s.actor == platform]
    named = any(platform in (link.source, link.target) for link in spec.links)
    return sites + ([platform] if named else [])


def _down(net: Network, places: list[str]) -> list[int]:
    """Return the locations of ``places`` and all that go down with them (network's rule)."""
    own = [net.location_index[p] for p in places if p in net.location_index]
    down, stack = set(own), list(own)
    while stack:
        for dependent in net.dependents.get(stack.pop(), []):
            if dependent not in down:
                down.add(dependent)
                stack.append(dependent)
    return sorted(down)


def exposure(spec: EcosystemSpec, platform: str) -> Exposure:
    """Return what depends on ``platform`` (an actor id): see the module docstring.

    ``dependent_sites`` are the places its links reach and everything downstream of them or of
    the places that go down with it (the platform's own sites excluded); ``items`` what flows
    from it and the items held or made at the dependent places; ``products`` the orchestrator's
    products any of these go into. Raises ValueError for an unknown actor.
    """
    places = platform_places(spec, platform)
    own = set(places)
    links = tuple(
        PlatformLink(
            link.id, str(link.kind), link.source, link.target, link.item, tuple(link.alternates)
        )
        for link in spec.links
        if link.source in own
    )
    net = compile_network(spec, default_ttr_days=DEFAULT_TTR_DAYS)
    down = [net.locations[k] for k in _down(net, places)]
    graph = build_supply_graph(spec)
    products = [i.id for i in spec.items if (i.demand_per_day or 0) > 0 or i.kind == "product"]
    outlets = product_outlets(spec, graph, products)
    below = downstream_products(graph, outlets)
    starts = own | set(down) | {link.target for link in links}
    reached = _downstream(graph.deps, len(graph.places), starts, graph.places)
    crit = critical_sets(graph, [v for nodes in outlets.values() for v in nodes])
    gone = set(down)
    stopped = [
        product
        for product, nodes in outlets.items()
        if nodes and all(v in crit and crit[v] & gone for v in nodes)
    ]
    dependent = (starts | {graph.places[v] for v in reached}) - own
    return Exposure(
        platform=platform,
        sites=tuple(places),
        links=links,
        down_with=tuple(sorted(set(down) - own)),
        dependent_sites=tuple(sorted(dependent)),
        items=tuple(sorted({graph.items[v] for v in reached} | {k.item for k in links if k.item})),
        products=tuple(sorted(set().union(*(below[v] for v in reached)))),
        stopped_products=tuple(sorted(stopped)),
    )


def _downstream(
    deps: Callable[[int], Iterable[int]], n: int, starts: set[str], places: list[str]
) -> set[int]:
    """Return the supply-graph nodes at ``starts`` and every node that depends on them."""
    users: dict[int, list[int]] = defaultdict(list)
    for v in range(n):
        for u in deps(v):
            users[u].append(v)
    seen = {v for v in range(n) if places[v] in starts}
    stack = list(seen)
    while stack:
        for v in users.get(stack.pop(), ()):
            if v not in seen:
                seen.add(v)
                stack.append(v)
    return seen


@dataclass(frozen=True)
class TermsChangeImpact:
    """The stress-test impact of losing (``capacity_share`` 0) or degrading a platform."""

    platform: str
    days: float
    capacity_share: float
    horizon_days: float
    currency: str
    sites_affected: tuple[str, ...]
    performance_impact: float
    lost_units: float
    tts_days: float
    tts_limited: bool
    products: tuple[str, ...]
    method: str

    @property
    def shortage_days(self) -> float:
        """Days demand is not met in full: max(0, days - TTS)."""
        return max(0.0, self.days - self.tts_days)

    def to_dict(self) -> dict[str, Any]:
        """Return the impact as JSON-ready values."""
        return {
            "platform": self.platform,
            "days": self.days,
            "capacity_share": self.capacity_share,
            "horizon_days": self.horizon_days,
            "currency": self.currency,
            "sites_affected": list(self.sites_affected),
            "performance_impact": self.performance_impact,
            "lost_units": self.lost_units,
            "tts_days": self.tts_days,
            "tts_limited": self.tts_limited,
            "shortage_days": self.shortage_days,
            "products": list(self.products),
            "method": self.method,
        }


def terms_change(
    spec: EcosystemSpec,
    platform: str,
    *,
    days: float,
    capacity_share: float = 0.0,
    horizon_days: float = HORIZON_DAYS,
) -> TermsChangeImpact:
    """Return the impact of the platform lost (share 0) or at ``capacity_share`` for ``days``.

    Parameters
    ----------
    spec : the ecosystem.
    platform : the platform's actor id.
    days : how long the platform is lost or degraded (days, > 0).
    capacity_share : the share of its capacity it keeps, 0 (lost) to 1 (unchanged).
    horizon_days : the cap on TTS (days).

    Examples
    --------
    >>> import podium
    >>> from podium.samples import SAMPLES
    >>> lost = terms_change(podium.load(SAMPLES["manufacturer"]), "nimbus", days=2)
    >>> lost.products, lost.performance_impact  # e-axle-hd: 70 units short at 1,650 each
    (('e-axle-hd',), 115500.0)
    """
    if not days > 0:
        raise ValueError(f"days must be above 0, not {days!r}")
    if not 0.0 <= capacity_share <= 1.0:
        raise ValueError(f"capacity_share must be between 0 and 1, not {capacity_share!r}")
    net = compile_network(spec, default_ttr_days=days)
    down = _down(net, platform_places(spec, platform))
    nodes = np.flatnonzero(np.isin(net.node_location, down)).tolist()
    engine = Engine(net, horizon_days=horizon_days)
    if capacity_share == 0.0:
        outcome = engine.solve(nodes, days)
    else:
        outcome = _degraded(engine, nodes, days, capacity_share)
    return TermsChangeImpact(
        platform=platform,
        days=float(days),
        capacity_share=float(capacity_share),
        horizon_days=float(horizon_days),
        currency=spec.currency,
        sites_affected=tuple(net.locations[k] for k in down),
        performance_impact=outcome.performance_impact,
        lost_units=outcome.lost_units,
        tts_days=outcome.tts_days,
        tts_limited=outcome.tts_limited,
        products=tuple(net.products[p] for p in outcome.products),
        method=outcome.method,
    )


def node_capacity(engine: Engine, nodes: list[int]) -> np.ndarray:
    """Return each node's capacity (units/day): declared link capacities, else baseline output.

    Declared capacities count where every ``supplies`` link out of the node has one and it sells
    nothing directly; otherwise the node's baseline output (see the module docstring).
    """
    net, graph = engine.net, engine.graph
    baseline = engine.baseline[: net.n_nodes]
    capacity = np.empty(len(nodes))
    for k, node in enumerate(nodes):
        out = net.link_capacity[graph.node_out[node]]
        declared = len(out) > 0 and not graph.node_sales[node] and bool(np.isfinite(out).all())
        capacity[k] = float(out.sum()) if declared else float(baseline[node])
    return capacity


def _degraded(engine: Engine, nodes: list[int], days: float, share: float) -> Outcome:
    """Solve PI and TTS with ``nodes`` capped at ``share`` of their capacity for ``days``."""
    if not nodes:
        return Outcome(0.0, 0.0, engine.horizon, False, (), "unreached")
    net, lay, model = engine.net, engine.program.layout, engine.full
    cols = np.asarray(nodes, dtype=np.int64)
    zeros = np.zeros(len(cols))
    model.set_bounds(cols, zeros, share * node_capacity(engine, nodes))
    try:
        set_mode(model, "pi", engine.lost_cols, lay.w, net.product_profit, days, engine.horizon)
        pi = model.solve()
        set_mode(model, "tts", engine.lost_cols, lay.w, net.product_profit, days, engine.horizon)
        tts = model.solve()
    finally:
        model.set_bounds(cols, zeros, np.full(len(cols), INF))
    rates = pi.x[engine.lost_cols]
    undisrupted = 0.0
    if not engine.baseline_ok:
        set_mode(model, "pi", engine.lost_cols, lay.w, net.product_profit, days, engine.horizon)
        undisrupted = days * model.solve().objective
    lost = tuple(int(p) for p in np.flatnonzero(rates > TOLERANCE))
    tts_days, limited = _tts(tts, lay.w, engine.horizon)
    loss = max(0.0, days * pi.objective - undisrupted)
    return Outcome(loss, days * float(rates.sum()), tts_days, limited, lost, "degraded")


def _tts(solution: Solution, w_col: int, horizon: float) -> tuple[float, bool]:
    """Return TTS (days, capped at the horizon) and whether it is below the horizon."""
    if not solution.feasible:
        return 0.0, True
    w = float(solution.x[w_col])
    if w <= 1.0 + 1e-9:
        return horizon, False
    return horizon / w, True


__all__ = [
    "Exposure",
    "PlatformLink",
    "TermsChangeImpact",
    "exposure",
    "node_capacity",
    "platform_places",
    "terms_change",
]
