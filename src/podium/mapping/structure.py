"""Structure analytics of the supply network (pure: a spec in, dataclasses out).

:func:`analyze_structure` maps where the orchestrator is exposed: tiers, single points of failure,
sole sources, concentration, hidden sub-tier concentration, bottlenecks, switching constraints and
risk visibility, each finding explained in words and numbers. The supply network and its AND/OR
reading of the BOM are described in :mod:`podium.mapping.supplygraph`; the concentration indices
and hidden sub-tier causes in :mod:`podium.mapping.concentration`; capacity checks in
:mod:`podium.mapping.capacity`; risk visibility in :mod:`podium.mapping.visibility`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from podium.ecosystem.spec import EcosystemRole, EcosystemSpec, Link, LinkKind
from podium.mapping import capacity, concentration, visibility
from podium.mapping.supplygraph import (
    SupplyGraph,
    bom_ancestors,
    build_supply_graph,
    critical_sets,
    downstream_products,
    item_need,
    item_products,
    path_from,
    product_outlets,
    upstream_tree,
)

CATEGORIES = (
    "spof", "sole_source", "concentration", "hidden_subtier", "bottleneck", "switching",
    "visibility",
)  # fmt: skip
"""The finding categories, in the order findings of one severity are listed."""
SEVERITIES = ("high", "moderate", "info")
"""The severities, most severe first."""
BOTTLENECK_HIGH_SHORTFALL = 0.1
"""A bottleneck is high when it leaves at least this share (0-1) of a product's demand unmet."""


@dataclass(frozen=True)
class Finding:
    """One explained structural exposure (see :func:`analyze_structure` for each category).

    ``subject`` is the site, actor, item or link id it is about; ``product`` the product item id
    it concerns (``None`` when it concerns none or several, which the explanation names);
    ``value`` the number behind it, in the unit the category states; ``path`` an example supply
    path of place ids from the subject towards a site that makes the product.
    """

    category: str
    severity: str
    subject: str
    product: str | None
    value: float | None
    explanation: str
    path: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Return the finding as JSON-ready values (``path`` as a list)."""
        return {**asdict(self), "path": list(self.path)}


def _rank(finding: Finding) -> tuple[int, int, float, str, str]:
    """Most severe first, then by category, larger value, subject and product."""
    return (
        SEVERITIES.index(finding.severity),
        CATEGORIES.index(finding.category),
        -(finding.value or 0.0),
        finding.subject,
        finding.product or "",
    )


@dataclass
class StructureReport:
    """The structure analysis of one ecosystem: tiers, findings (most severe first), visibility."""

    ecosystem: str
    tiers: dict[str, int]
    findings: list[Finding]
    visibility: dict[str, float]

    def by_category(self, category: str) -> list[Finding]:
        """Return the findings of one category, in report order."""
        return [f for f in self.findings if f.category == category]

    def counts(self) -> dict[str, int]:
        """Return the number of findings per category (every category, zeros included)."""
        counts = dict.fromkeys(CATEGORIES, 0)
        for finding in self.findings:
            counts[finding.category] += 1
        return counts

    def to_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready values."""
        return {
            "ecosystem": self.ecosystem,
            "tiers": dict(self.tiers),
            "visibility": dict(self.visibility),
            "counts": self.counts(),
            "findings": [f.to_dict() for f in self.findings],
        }

    def rows(self) -> list[dict[str, Any]]:
        """Return one flat dict per finding (path joined with ``" > "``) for tables and CSV."""
        return [
            {**f.to_dict(), "subject_tier": self.tiers.get(f.subject), "path": " > ".join(f.path)}
            for f in self.findings
        ]


def supply_tiers(
    *,
    links: Iterable[tuple[str, str]],
    roots: Iterable[str],
    site_actor: Mapping[str, str],
) -> dict[str, int]:
    """Return the supply tier of every actor and site that reaches the orchestrator.

    Tier 0 is the orchestrator (``roots``, actor ids) and its sites; a node that supplies a
    tier-``n`` node is at most tier ``n + 1`` (the shortest supply path counts). An actor's tier
    is the lowest tier of its sites. Nodes that do not reach the orchestrator through supply
    links are left out.

    Examples
    --------
    >>> tiers = supply_tiers(links=[("s1", "p"), ("s2", "s1")], roots=["oem"],
    ...                      site_actor={"p": "oem", "s1": "a", "s2": "b"})
    >>> sorted(tiers.items())
    [('a', 1), ('b', 2), ('oem', 0), ('p', 0), ('s1', 1), ('s2', 2)]
    """
    suppliers: dict[str, list[str]] = {}
    for source, target in links:
        suppliers.setdefault(target, []).append(source)
    root_set = set(roots)
    start = [*root_set, *(site for site, actor in site_actor.items() if actor in root_set)]
    tiers: dict[str, int] = dict.fromkeys(start, 0)
    queue = deque(start)
    while queue:
        node = queue.popleft()
        for supplier in suppliers.get(node, ()):
            if supplier not in tiers:
                tiers[supplier] = tiers[node] + 1
                queue.append(supplier)
    for site, actor in site_actor.items():
        if site in tiers and tiers[site] < tiers.get(actor, tiers[site] + 1):
            tiers[actor] = tiers[site]
    return tiers


def analyze_structure(spec: EcosystemSpec, *, visibility_tier: int = 2) -> StructureReport:
    """Return the tiers, the explained findings and the risk visibility of a spec.

    Tiers come from :func:`supply_tiers` over the ``supplies`` links, rooted at the actors whose
    ``ecosystem_role`` is ``orchestrator``. Products are items with ``demand_per_day > 0`` or of
    kind ``product``; a product is *available* where it is sold (the sources of its ``sells_to``
    links) or, without such links, where it is made (``produces``, or sending it without
    receiving it; see :func:`podium.mapping.supplygraph.product_outlets`).

    Categories, with what ``subject``, ``value`` and ``severity`` are:

    - ``spof``: a place (site, or actor named by a link) whose loss alone leaves the product
      available nowhere: it is in the critical set of every place the product is available at
      (the exact definition, for the BOM's AND of inputs and OR of sources, is in
      :mod:`podium.mapping.supplygraph`). Value: the product's demand in units/day; always high.
    - ``sole_source``: a supplies link that is the only one of its item into its target and lists
      no alternates. Subject: the link; value: its ``qualification_days``; high if the item is
      critical, else moderate.
    - ``concentration``: an item bought from suppliers (not the orchestrator's own sites) over two
      or more links whose supply has an HHI (0-1) of at least 0.15 by supplier actor, country or
      region, weighed by spend (see :mod:`podium.mapping.concentration`; thresholds from the U.S.
      DOJ/FTC Horizontal Merger Guidelines 2010, §5.3). Country is reported only where it is more
      concentrated than suppliers, region only where more than country (else it would repeat
      the finer finding). Subject: the item; value: the HHI; high from 0.25, moderate from 0.15.
    - ``hidden_subtier``: a sub-tier place whose loss alone stops two or more of the tier-1
      suppliers an orchestrator site buys one item from (it is in their critical sets), so the
      apparent dual sourcing shares one cause. Value: how many tier-1 suppliers; high if it also
      cuts the orchestrator site off the item altogether, else moderate.
    - ``bottleneck``: a product whose input's links cannot carry the BOM-exploded need (max flow
      below need, see :mod:`podium.mapping.capacity`). Subject: the item; value: the product's
      shortfall in units/day; high from :data:`BOTTLENECK_HIGH_SHORTFALL` of demand.
    - ``switching``: a sole link whose ``ttr_days`` or ``qualification_days`` outlasts the
      target's inventory cover. Subject: the link; value: the uncovered days; high if both do.
    - ``visibility``: one summary (info; value: the share of tier-1 spend mapped to
      ``visibility_tier``) and each tier-1 link of a critical item whose sub-tiers are not mapped
      that deep (moderate; subject: the link).

    ``visibility`` holds ``spend_share_tier_k`` and ``critical_share_tier_k`` for k = 1 ..
    ``visibility_tier``: the share (0-1) of tier-1 spend, and of critical items bought at tier 1,
    whose sub-tiers are mapped to tier k (a tier-1 link is visible to tier k when a chain of k - 1
    supply links leads into its source). A key is left out when there is nothing to share.

    Examples
    --------
    >>> spec = EcosystemSpec.model_validate({"name": "demo",
    ...     "actors": [{"id": "oem", "name": "OEM", "kind": "manufacturer",
    ...                 "ecosystem_role": "orchestrator"},
    ...                {"id": "sup", "name": "Supplier", "kind": "supplier"}],
    ...     "sites": [{"id": "plant", "actor": "oem", "name": "Plant", "produces": ["pump"]},
    ...               {"id": "foundry", "actor": "sup", "name": "Foundry"}],
    ...     "items": [{"id": "pump", "name": "Pump", "demand_per_day": 40},
    ...               {"id": "housing", "name": "Housing"}],
    ...     "links": [{"id": "l1", "kind": "supplies", "source": "foundry", "target": "plant",
    ...                "item": "housing", "capacity_per_day": 30}]})
    >>> report = analyze_structure(spec)
    >>> report.tiers["foundry"], [(f.category, f.subject) for f in report.by_category("spof")]
    (1, [('spof', 'foundry'), ('spof', 'plant')])
    >>> [(f.subject, f.product, f.value) for f in report.by_category("bottleneck")]
    [('housing', 'pump', 10.0)]

    Notes
    -----
    Time about linear in links plus the sizes of the critical sets (see
    :func:`podium.mapping.supplygraph.critical_sets`): a generated network of 100,000 sites and
    290,000 links takes about 15 s on one core.
    """
    ctx = _Context.build(spec)
    findings = [
        *_spofs(ctx),
        *_sole_sources(ctx),
        *_concentration(ctx),
        *_hidden(ctx),
        *_bottlenecks(ctx),
        *_switching(ctx),
    ]
    visibility, seen = _visibility(ctx, visibility_tier)
    findings.extend(seen)
    findings.sort(key=_rank)
    return StructureReport(spec.name, ctx.tiers, findings, visibility)


@dataclass
class _Context:
    """What the findings share: the spec, tiers, the supply graph and the products."""

    spec: EcosystemSpec
    tiers: dict[str, int]
    graph: SupplyGraph
    demand: dict[str, float]  # product -> units/day (0 when unknown)
    below: list[frozenset[str]]  # per graph node: the products it goes into
    need: dict[str, float]  # item -> units/day, BOM-exploded
    outlets: dict[str, list[int]]  # product -> the nodes where it is sold (else made)
    receipts: list[int]  # tier-0 nodes bought from two or more tier-1 places
    crit: dict[int, frozenset[str]]  # critical sets of outlets and receipts (if ever available)

    @classmethod
    def build(cls, spec: EcosystemSpec) -> _Context:
        """Compile the spec: tiers, the supply graph, products and their needs."""
        supplies = [link for link in spec.links if link.kind == LinkKind.SUPPLIES]
        roots = [a.id for a in spec.actors if a.ecosystem_role == EcosystemRole.ORCHESTRATOR]
        tiers = supply_tiers(
            links=((link.source, link.target) for link in supplies),
            roots=roots,
            site_actor={site.id: site.actor for site in spec.sites},
        )
        graph = build_supply_graph(spec)
        demand = {
            item.id: float(item.demand_per_day or 0.0)
            for item in spec.items
            if (item.demand_per_day or 0) > 0 or item.kind == "product"
        }
        outlets = product_outlets(spec, graph, demand)
        demand = {item: d for item, d in demand.items() if item in outlets}
        below = downstream_products(graph, outlets)
        receipts = [
            v
            for v, place in enumerate(graph.places)
            if tiers.get(place) == 0
            and sum(tiers.get(graph.places[u]) != 0 for u in graph.options[v]) >= 2
        ]
        keep = [*receipts, *(u for v in receipts for u in graph.options[v])]
        crit = critical_sets(graph, [*keep, *(v for nodes in outlets.values() for v in nodes)])
        need = item_need(graph, demand)
        return cls(spec, tiers, graph, demand, below, need, outlets, receipts, crit)

    def outlet_places(self, product: str) -> list[str]:
        """The places where a product counts as available."""
        return [self.graph.places[v] for v in self.outlets[product]]

    def products_at(self, place: str, item: str) -> frozenset[str]:
        """The products that ``item`` at ``place`` goes into."""
        v = self.graph.index.get((place, item))
        return self.below[v] if v is not None else frozenset()

    def supplies(self) -> Iterable[Link]:
        """The supplies links that carry an item."""
        return (
            link
            for link in self.spec.links
            if link.kind == LinkKind.SUPPLIES and link.item is not None
        )


def _listing(names: Iterable[str], limit: int = 4) -> str:
    """Names in order (sorted if a set), the first ``limit`` and how many more."""
    names = sorted(names) if isinstance(names, (set, frozenset)) else list(names)
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


def _names(products: Iterable[str], none: str = "no product") -> str:
    """``"product a"``, ``"products a, b and c"`` or ``none``."""
    names = sorted(products)
    if not names:
        return none
    return f"product {names[0]}" if len(names) == 1 else f"products {_listing(names)}"


def _only(products: frozenset[str]) -> str | None:
    """The one product, if there is exactly one."""
    return next(iter(products)) if len(products) == 1 else None


def _spofs(ctx: _Context) -> list[Finding]:
    """Places in the critical set of every place a product is available at."""
    graph = ctx.graph
    out = []
    for product, nodes in ctx.outlets.items():
        sets = [ctx.crit[v] for v in nodes if v in ctx.crit]
        if not sets:
            continue  # never available: nothing in particular is critical
        common = frozenset.intersection(*sets)
        first, step = upstream_tree(graph, nodes)
        demand = ctx.demand[product]
        for place in sorted(common):
            places, items = path_from(graph, first[place], step)
            text = (
                f"{place} is a single point of failure for {product} ({demand:g} units/day): "
                f"no site that sells or makes it ({_listing(ctx.outlet_places(product))}) can go "
                "on without it"
            )
            if len(places) > 1:
                text += f"; e.g. {' > '.join(places)} carries {' > '.join(items)}"
            out.append(Finding("spof", "high", place, product, demand, text, tuple(places)))
    return out


def _sole_sources(ctx: _Context) -> list[Finding]:
    """Supplies links that are the only source of their item for their target."""
    into: dict[tuple[str, str], list[Link]] = {}
    for link in ctx.supplies():
        into.setdefault((link.target, str(link.item)), []).append(link)
    critical = {item.id for item in ctx.spec.items if item.critical}
    out = []
    for (target, item), links in into.items():
        link = links[0]
        if len(links) > 1 or link.alternates:
            continue
        products = ctx.products_at(target, item)
        qual = link.qualification_days
        text = (
            f"{link.source} is the only source of {item} for {target} (link {link.id}), with no "
            f"qualified alternate{f' (qualifying one takes {qual:g} days)' if qual else ''}; "
            f"it goes into {_names(products)}"
        )
        severity = "high" if item in critical else "moderate"
        path = (link.source, target)
        out.append(Finding("sole_source", severity, link.id, _only(products), qual, text, path))
    return out


def _concentration(ctx: _Context) -> list[Finding]:
    """Items whose supply is concentrated (HHI >= 0.15), each dimension only if it adds."""
    actors = {actor.id: actor for actor in ctx.spec.actors}
    sites = {site.id: site for site in ctx.spec.sites}
    rows = []
    for link in ctx.supplies():
        if ctx.tiers.get(link.source) == 0:
            continue  # the orchestrator's own sites are not suppliers
        site = sites.get(link.source)
        owner = site.actor if site else link.source
        actor = actors.get(owner)
        rows.append(
            concentration.SupplyShare(
                item=str(link.item),
                supplier=owner,
                country=(site and site.country) or (actor and actor.country) or None,
                region=(site and site.region) or (actor and actor.region) or None,
                spend=link.spend_per_year,
                capacity=link.capacity_per_day,
            )
        )
    products, finer = item_products(ctx.graph, ctx.below), dict[str, float]()
    out = []
    for found in concentration.item_concentration(rows):  # supplier, country, region per item
        coarser = found.hhi > finer.get(found.item, 0.0) + 1e-9
        finer[found.item] = found.hhi
        if found.severity is None or not coarser:
            continue
        into = products.get(found.item, frozenset())
        text = f"{found.describe(ctx.spec.currency)}; it goes into {_names(into)}"
        value = round(found.hhi, 4)
        out.append(Finding("concentration", found.severity, found.item, _only(into), value, text))
    return out


def _hidden(ctx: _Context) -> list[Finding]:
    """Sub-tier places in the critical sets of several tier-1 sources of one item."""
    tier0 = {p for p, t in ctx.tiers.items() if t == 0}
    found = concentration.hidden_causes(
        ctx.graph, ctx.crit, ctx.receipts, exclude=tier0, below=ctx.below
    )
    out = []
    for hidden in found:
        n, at = len(hidden.fed), _listing(hidden.targets)
        text = (
            f"{hidden.cause} feeds {n} tier-1 suppliers of {hidden.item} ({_listing(hidden.fed)})"
            f" for {_names([hidden.product] if hidden.product else [])} at {at}: their "
            f"{'dual' if n == 2 else 'multiple'} sourcing shares one cause"
        )
        if hidden.full:
            text += f"; losing it cuts {at} off {hidden.item} altogether"
        else:
            text += f" ({n} of {len(hidden.sources)} tier-1 sources)"
        severity = "high" if hidden.full else "moderate"
        subject, product, path = hidden.cause, hidden.product, hidden.path
        out.append(Finding("hidden_subtier", severity, subject, product, float(n), text, path))
    return out


def _bottlenecks(ctx: _Context) -> list[Finding]:
    """Products whose input's links cannot carry its need (max flow below need, min cut)."""
    producers: dict[str, set[str]] = {}
    for site in ctx.spec.sites:
        for item in site.produces:
            producers.setdefault(item, set()).add(site.id)
    found = capacity.bottlenecks(
        ctx.spec.links, ctx.need, producers=producers, users=ctx.graph.users
    )
    using = bom_ancestors(ctx.graph, (short.item for short in found))
    out = []
    for short in found:
        for product in using[short.item]:
            demand = ctx.demand.get(product, 0.0)
            if demand > 0:
                lost = short.shortfall(demand)
                severity = "high" if lost >= BOTTLENECK_HIGH_SHORTFALL * demand else "moderate"
                text = short.describe(product, demand)
                value = round(lost, 4)
                out.append(Finding("bottleneck", severity, short.item, product, value, text))
    return out


def _switching(ctx: _Context) -> list[Finding]:
    """Sole links whose time to recover or to qualify a new source outlasts the cover."""
    out = []
    for gap in capacity.switching_gaps(ctx.spec, ctx.need):
        link = gap.link
        products = ctx.products_at(link.target, str(link.item))
        text = f"{gap.describe()}; it goes into {_names(products)}"
        severity = "high" if len(gap.exceeded) == 2 else "moderate"
        path = (link.source, link.target)
        value = round(gap.gap_days, 2)
        out.append(Finding("switching", severity, link.id, _only(products), value, text, path))
    return out


def _visibility(ctx: _Context, depth: int) -> tuple[dict[str, float], list[Finding]]:
    """Shares of tier-1 spend and critical items mapped to each tier, and the blind spots."""
    critical = {item.id for item in ctx.spec.items if item.critical}
    found = visibility.risk_visibility(ctx.spec.links, ctx.tiers, critical, depth)
    out = []
    spend = found.shares.get(f"spend_share_tier_{depth}")
    crit = found.shares.get(f"critical_share_tier_{depth}")
    if spend is not None or crit is not None:
        parts = [f"{spend:.0%} of tier-1 spend"] if spend is not None else []
        parts += [f"{crit:.0%} of the critical items bought at tier 1"] if crit is not None else []
        text = (
            f"{' and '.join(parts)} ({len(found.tier1)} tier-1 links) have their sub-tiers "
            f"mapped to tier {depth}"
        )
        roots = {p for p, t in ctx.tiers.items() if t == 0}
        subject = next((a.id for a in ctx.spec.actors if a.id in roots), ctx.spec.name)
        value = spend if spend is not None else crit
        out.append(Finding("visibility", "info", subject, None, value, text))
    for link in found.blind:
        products = ctx.products_at(link.target, str(link.item))
        text = (
            f"{link.source} supplies critical {link.item} to {link.target} (link {link.id}) but "
            f"its own supply is not mapped to tier {depth}; it goes into {_names(products)}"
        )
        path = (link.source, link.target)
        out.append(Finding("visibility", "moderate", link.id, _only(products), None, text, path))
    return found.shares, out
