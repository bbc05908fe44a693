"""The supply network as an AND/OR graph of availability nodes, and its critical sets (pure).

The supply network is the ``supplies`` links: ``source -> target`` carrying ``item``; its nodes are
sites, or actors where a link names an actor (*places*). A place *makes* an item when its
``produces`` lists it or it is the source of a ``supplies`` or ``sells_to`` link of it.

The BOM turns it into an AND/OR graph of *availability nodes* ``(place, item)``: "the item is
available at the place". It is available if the place receives it from ANY supplying place where
it is available (OR), or makes it and has ALL its inputs (AND). The inputs of an item at a place are
its BOM children (lines for any site or for that place) that the place receives or makes; items a
place receives that are no BOM child of anything it makes count as inputs of everything it makes
(quantity 1), so a network without a BOM reads as "a site needs all it receives". BOM children a
place neither receives nor makes are unmapped and constrain nothing. A place that makes an item
with no mapped input is a raw source (it can always make it), unless it also receives the item:
then it is taken to pass on what it receives (a warehouse, a distribution centre that lists what
it stocks in ``produces``) and can only receive it.

**Critical set.** ``K(v)`` is the set of places whose loss alone makes node ``v`` unavailable.
Losing a place makes all its nodes unavailable, so bottom-up over the graph
``K(v) = {place(v)} | intersection(K(w) for each way w of getting the item)``, where a receipt from
a supplier is a way with the ``K`` of the supplier's node, and making is a way with
``union(K(input) for each input)``. This is exact for single losses (induction over the acyclic
graph). Along one input chain it is the set of dominators of ``v`` (what
``networkx.immediate_dominators`` gives on the reversed graph); the union is what the BOM's AND
adds: a place is critical if for *some* required input *every* source path passes through it.
Links that close a cycle are ignored (a loop cannot supply itself); a node left with no way of
getting its item is never available (its loss set is everything, the neutral element of the
intersection).
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from podium.ecosystem.spec import EcosystemSpec, LinkKind

__all__ = [
    "SupplyGraph",
    "bom_ancestors",
    "build_supply_graph",
    "critical_sets",
    "downstream_products",
    "item_need",
    "item_products",
    "path_from",
    "postorder",
    "product_outlets",
    "upstream_tree",
]

H = TypeVar("H", bound=Hashable)
_CARRIES = (LinkKind.SUPPLIES, LinkKind.SELLS_TO)


@dataclass
class SupplyGraph:
    """Availability nodes ``v`` (``places[v]``, ``items[v]``) and how each can be had.

    ``options[v]``: the supplier nodes it can be received from (any one suffices);
    ``inputs[v]``: the nodes it is made from (all needed), ``None`` where the place does not make
    the item. ``order``: every node after the nodes it depends on (cycle-closing links skipped).
    ``children``: the item-level BOM, parent -> child -> quantity (child units per parent unit;
    a line for any site wins over site-specific ones, of which the largest counts; implied inputs
    have quantity 1). ``users``: item -> places that make something from it.
    """

    places: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    index: dict[tuple[str, str], int] = field(default_factory=dict)
    options: list[tuple[int, ...]] = field(default_factory=list)
    inputs: list[tuple[int, ...] | None] = field(default_factory=list)
    order: list[int] = field(default_factory=list)
    children: dict[str, dict[str, float]] = field(default_factory=lambda: defaultdict(dict))
    users: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    makers: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def node(self, place: str, item: str) -> int:
        """Return the node of ``item`` at ``place``, adding it if new."""
        key = (place, item)
        v = self.index.get(key)
        if v is None:
            v = self.index[key] = len(self.places)
            self.places.append(place)
            self.items.append(item)
            self.options.append(())
            self.inputs.append(None)
        return v

    def deps(self, v: int) -> Iterator[int]:
        """Yield the nodes ``v`` depends on: its supplier nodes, then its inputs."""
        yield from self.options[v]
        yield from self.inputs[v] or ()


def build_supply_graph(spec: EcosystemSpec) -> SupplyGraph:
    """Return the availability graph of a spec's supply network (see the module docstring).

    Examples
    --------
    >>> spec = EcosystemSpec.model_validate({"name": "demo",
    ...     "sites": [{"id": s, "actor": "a", "name": s} for s in ("plant", "s1", "s2")],
    ...     "links": [{"id": f"{s}-part", "kind": "supplies", "source": s, "target": "plant",
    ...                "item": "part"} for s in ("s1", "s2")],
    ...     "bom": [{"parent": "pump", "child": "part", "quantity": 2}]})
    >>> spec.sites[0].produces.append("pump")
    >>> graph = build_supply_graph(spec)
    >>> pump = graph.index[("plant", "pump")]
    >>> [(graph.places[u], graph.items[u]) for u in graph.inputs[pump]]
    [('plant', 'part')]
    >>> [graph.places[u] for u in graph.options[graph.inputs[pump][0]]]
    ['s1', 's2']
    """
    makes: dict[str, dict[str, None]] = {
        site.id: dict.fromkeys(site.produces) for site in spec.sites
    }
    receives: dict[str, dict[str, list[str]]] = defaultdict(dict)
    for link in spec.links:
        if link.item is not None and link.kind in _CARRIES:
            makes.setdefault(link.source, {})[link.item] = None
            if link.kind == LinkKind.SUPPLIES:
                receives[link.target].setdefault(link.item, []).append(link.source)
    generic, local = _bom(spec)
    graph = SupplyGraph()
    for place in dict.fromkeys([*makes, *receives]):
        _add_place(graph, place, makes.get(place, {}), receives.get(place, {}), generic, local)
    graph.order = postorder(range(len(graph.places)), graph.deps)
    return graph


def _bom(
    spec: EcosystemSpec,
) -> tuple[dict[str, dict[str, float]], dict[tuple[str, str], dict[str, float]]]:
    """BOM lines for any site (parent -> child -> quantity) and per (parent, site)."""
    generic: dict[str, dict[str, float]] = defaultdict(dict)
    local: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    for line in spec.bom:
        if line.site is None:
            generic[line.parent][line.child] = line.quantity
        else:
            local[(line.parent, line.site)][line.child] = line.quantity
    return generic, local


def _add_place(
    graph: SupplyGraph,
    place: str,
    made: dict[str, None],
    got: dict[str, list[str]],
    generic: dict[str, dict[str, float]],
    local: dict[tuple[str, str], dict[str, float]],
) -> None:
    """Add the nodes of one place: what it receives (OR) and what it makes (AND)."""
    for item, sources in got.items():
        v = graph.node(place, item)
        graph.options[v] = tuple(dict.fromkeys(graph.node(s, item) for s in sources if s != place))
    bom = {p: generic.get(p, {}) | local.get((p, place), {}) for p in made}
    used = {c for kids in bom.values() for c in kids}
    implied = [c for c in got if c not in made and c not in used]
    for item in made:
        kids = [*bom[item], *implied]
        inputs = tuple(graph.node(place, c) for c in kids if c in made or c in got)
        if item in got and not inputs:
            continue  # it passes on what it receives: no making of its own
        graph.makers[item].append(place)
        graph.inputs[graph.node(place, item)] = inputs
        for child in kids:
            graph.users[child].add(place)
            quantity = generic.get(item, {}).get(child) or bom[item].get(child, 1.0)
            known = graph.children[item].get(child, 0.0)
            graph.children[item][child] = max(known, quantity)


def postorder(nodes: Iterable[H], deps: Callable[[H], Iterable[H]]) -> list[H]:
    """Return ``nodes`` (and what they reach) with each after its dependencies, cycles cut.

    An iterative depth-first search; a dependency met again while still open closes a cycle and
    is skipped. O(nodes + edges).

    Examples
    --------
    >>> postorder(["car"], {"car": ["wheel", "engine"], "engine": ["bolt"]}.get)
    ['wheel', 'bolt', 'engine', 'car']
    """
    seen: set[H] = set()
    order: list[H] = []
    for root in nodes:
        if root in seen:
            continue
        seen.add(root)
        stack = [(root, iter(deps(root) or ()))]
        while stack:
            node, todo = stack[-1]
            for dep in todo:
                if dep not in seen:
                    seen.add(dep)
                    stack.append((dep, iter(deps(dep) or ())))
                    break
            else:
                stack.pop()
                order.append(node)
    return order


def critical_sets(graph: SupplyGraph, keep: Iterable[int]) -> dict[int, frozenset[str]]:
    """Return the critical set (places whose loss alone stops it) of each node in ``keep``.

    Computed bottom-up in ``graph.order``; a node's set is dropped once every node that depends
    on it is done, unless kept. A supplier or input met through a link that closes a cycle is
    ignored; a node left with no way of getting its item is never available and is left out of
    the result. Time O(sum of the sets' sizes): about the number of nodes times the places that
    are sole links in their chains.
    """
    kept = set(keep)
    pending = [0] * len(graph.places)
    for v in range(len(graph.places)):
        for u in graph.deps(v):
            pending[u] += 1
    crit: dict[int, frozenset[str] | None] = {}
    done = bytearray(len(graph.places))
    for v in graph.order:
        crit[v] = _critical(graph, v, crit, done)
        done[v] = 1
        for u in graph.deps(v):
            pending[u] -= 1
            if not pending[u] and u not in kept:
                crit.pop(u, None)
    return {v: k for v in kept if (k := crit.get(v)) is not None}


def _critical(
    graph: SupplyGraph, v: int, crit: dict[int, frozenset[str] | None], done: bytearray
) -> frozenset[str] | None:
    """``K(v)``: its place, plus what every way of getting the item depends on (None: no way)."""
    ways = [k for u in graph.options[v] if done[u] and (k := crit[u]) is not None]
    inputs = graph.inputs[v]
    if inputs is not None:
        needs = [crit[u] for u in inputs if done[u]]
        if all(k is not None for k in needs):
            ways.append(frozenset().union(*(k for k in needs if k is not None)))
    if not ways:
        return None
    ways.sort(key=len)
    common = set(ways[0]).intersection(*ways[1:])
    common.add(graph.places[v])
    return frozenset(common)


def downstream_products(
    graph: SupplyGraph, outlets: Mapping[str, Iterable[int]]
) -> list[frozenset[str]]:
    """Return, per node, the products it (transitively) goes into.

    ``outlets``: product -> the nodes where the product counts as available (where it is sold or
    made). Equal sets are shared, so memory stays near one set per distinct combination.
    """
    empty: frozenset[str] = frozenset()
    out = [empty] * len(graph.places)
    shared: dict[frozenset[str], frozenset[str]] = {}
    for product, nodes in outlets.items():
        for v in nodes:
            union = out[v] | {product}
            out[v] = shared.setdefault(union, union)
    position = {v: k for k, v in enumerate(graph.order)}
    for v in reversed(graph.order):
        here = out[v]
        if not here:
            continue
        for u in graph.deps(v):
            if position[u] < position[v] and not here <= out[u]:
                union = out[u] | here
                out[u] = shared.setdefault(union, union)
    return out


def upstream_tree(
    graph: SupplyGraph, roots: Iterable[int], *, find: Iterable[str] | None = None
) -> tuple[dict[str, int], dict[int, int]]:
    """Breadth-first search up the supply from ``roots``: (place -> first node, next node).

    ``next[v]`` is the node ``v`` feeds on a shortest way to a root; :func:`path_from` walks it.
    With ``find`` (places), the search stops once it has met them all. O(nodes searched).
    """
    step: dict[int, int] = {}
    first: dict[str, int] = {}
    missing = set(find) if find is not None else None
    queue = deque(roots)
    seen = set(queue)
    while queue:
        v = queue.popleft()
        place = graph.places[v]
        if place not in first:
            first[place] = v
            if missing is not None:
                missing.discard(place)
                if not missing:
                    break
        for u in graph.deps(v):
            if u not in seen:
                seen.add(u)
                step[u] = v
                queue.append(u)
    return first, step


def path_from(graph: SupplyGraph, v: int, step: dict[int, int]) -> tuple[list[str], list[str]]:
    """Return the places and the items along the way from node ``v`` to its root.

    Consecutive repeats are merged (making an item from an input stays at one place).
    """
    places: list[str] = []
    items: list[str] = []
    while v >= 0:
        if not places or places[-1] != graph.places[v]:
            places.append(graph.places[v])
        if not items or items[-1] != graph.items[v]:
            items.append(graph.items[v])
        v = step.get(v, -1)
    return places, items


def item_need(graph: SupplyGraph, demand: dict[str, float]) -> dict[str, float]:
    """Return each item's need in units/day: its own demand plus its parents' need x quantity.

    ``demand`` is external demand (units/day) per item; the BOM is ``graph.children``, the
    item-level lines (including implied ones). Items on a cycle count each line once.

    Examples
    --------
    >>> graph = SupplyGraph()
    >>> graph.children.update({"pump": {"housing": 1.0}, "housing": {"ingot": 12.5}})
    >>> item_need(graph, {"pump": 40.0})
    {'pump': 40.0, 'housing': 40.0, 'ingot': 500.0}
    """
    need = defaultdict(float, demand)
    order = postorder(list(graph.children), lambda item: graph.children.get(item, {}))
    for parent in reversed(order):
        for child, quantity in graph.children.get(parent, {}).items():
            need[child] += need[parent] * quantity
    return dict(need)


def product_outlets(
    spec: EcosystemSpec, graph: SupplyGraph, products: Iterable[str]
) -> dict[str, list[int]]:
    """Return, per product, the nodes where it counts as available to its customers.

    The sources of its ``sells_to`` links (a ``sells_to`` link that names no item sells every
    item its source holds); where it has none, the places that make it. Products at no node are
    left out.
    """
    named: dict[str, list[str]] = defaultdict(list)
    unnamed: list[str] = []
    for link in spec.links:
        if link.kind == LinkKind.SELLS_TO:
            (named[link.item] if link.item is not None else unnamed).append(link.source)
    out = {}
    for product in products:
        sellers = [*named.get(product, []), *unnamed]
        nodes = [graph.index[(p, product)] for p in sellers if (p, product) in graph.index]
        if not nodes:
            nodes = [graph.index[(p, product)] for p in graph.makers.get(product, [])]
        if nodes:
            out[product] = list(dict.fromkeys(nodes))
    return out


def item_products(graph: SupplyGraph, below: Sequence[frozenset[str]]) -> dict[str, frozenset[str]]:
    """Return, per item, the products it goes into anywhere (``below`` per node)."""
    distinct: dict[str, set[frozenset[str]]] = defaultdict(set)
    for item, products in zip(graph.items, below, strict=True):
        distinct[item].add(products)
    return {item: frozenset().union(*sets) for item, sets in distinct.items()}


def bom_ancestors(graph: SupplyGraph, items: Iterable[str]) -> dict[str, list[str]]:
    """Return, per item, itself and every item it goes into through the BOM, sorted."""
    parents: dict[str, list[str]] = defaultdict(list)
    for parent, kids in graph.children.items():
        for child in kids:
            parents[child].append(parent)
    out = {}
    for item in items:
        seen, stack = {item}, [item]
        while stack:
            for parent in parents.get(stack.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    stack.append(parent)
        out[item] = sorted(seen)
    return out
