"""Synthetic multi-tier ecosystems of any size, deterministic for a seed.

The networks follow the design's "Realistic numbers": tier 0 is the orchestrator's plants making a
handful of products; tiers 1..K are supplier sites, each making one item; every item has 1-3
qualified sources (about a third sole-sourced; the others are listed as ``alternates`` on the
links); every source of an item supplies every producer of each item that uses it (a BOM line), so
every site reaches a product. Regions are clustered: a part is mostly made in the region of the
item it goes into, so a regional shock hits several tiers at once. Time to recover is lognormal
(median four weeks, a tail of months, 7..364 days); inventory covers 0-30 days. A logistics
provider, a utility, a platform, a regulator, a financier and customers add the other link kinds.

Arrays are drawn with numpy; the many pydantic objects are made with ``model_construct`` (no
validation), so 100,000 sites take seconds. The output passes
:func:`~podium.ecosystem.spec.parse_spec` of its document (tested on small sizes).
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import repeat
from typing import Any, TypeVar, cast

import numpy as np
from pydantic import BaseModel

from podium.ecosystem.spec import (
    Actor,
    ActorKind,
    BomLine,
    EcosystemRole,
    EcosystemSpec,
    InventoryPosition,
    Item,
    ItemKind,
    Link,
    LinkKind,
    Site,
    SiteKind,
    ValueFlow,
)

__all__ = ["generate_ecosystem", "generated_row_counts"]

_M = TypeVar("_M", bound=BaseModel)

_REGIONS: tuple[tuple[str, str, str, float, float], ...] = (
    # (region, ISO country, city, latitude, longitude): industrial clusters
    ("Baden-Wuerttemberg", "DE", "Stuttgart", 48.78, 9.18),
    ("Lower Saxony", "DE", "Wolfsburg", 52.42, 10.79),
    ("Lombardy", "IT", "Brescia", 45.54, 10.22),
    ("Catalonia", "ES", "Martorell", 41.47, 1.93),
    ("Silesia", "PL", "Gliwice", 50.29, 18.67),
    ("Moravia", "CZ", "Ostrava", 49.82, 18.26),
    ("Western Transdanubia", "HU", "Gyor", 47.69, 17.63),
    ("Auvergne-Rhone-Alpes", "FR", "Lyon", 45.76, 4.84),
    ("Marmara", "TR", "Bursa", 40.19, 29.06),
    ("Michigan", "US", "Detroit", 42.33, -83.05),
    ("Carolinas", "US", "Greenville", 34.85, -82.39),
    ("Bajio", "MX", "Queretaro", 20.59, -100.39),
    ("Sao Paulo", "BR", "Campinas", -22.91, -47.06),
    ("Yangtze River Delta", "CN", "Suzhou", 31.30, 120.59),
    ("Pearl River Delta", "CN", "Dongguan", 23.02, 113.75),
    ("Chubu", "JP", "Nagoya", 35.18, 136.91),
    ("Gyeonggi", "KR", "Suwon", 37.26, 127.03),
    ("Northern Taiwan", "TW", "Hsinchu", 24.80, 120.97),
    ("Tamil Nadu", "IN", "Chennai", 13.08, 80.27),
    ("Eastern Seaboard", "TH", "Rayong", 12.68, 101.28),
)
_COORDS = np.array([r[3:] for r in _REGIONS])  # latitude, longitude per region
_PREFIXES = (
    "Alder", "Birch", "Cedar", "Delta", "Ember", "Fjord", "Granite", "Harbor", "Iris", "Juniper",
    "Kestrel", "Linden", "Maple", "Nordic", "Onyx", "Pioneer", "Quarry", "Raven", "Summit", "Tidal",
)  # fmt: skip
_TRADES = (
    "Components", "Castings", "Electronics", "Polymers", "Metals", "Precision", "Forge",
    "Fasteners", "Coatings", "Materials", "Machining", "Stampings",
)  # fmt: skip
_SOURCES = np.array([1, 2, 3])  # qualified sources per item, equally likely
_QUANTITIES = np.array([1.0, 1.0, 1.0, 1.0, 2.0, 2.0, 4.0])  # BOM units per parent unit
_LOCAL = 0.7  # chance a part is made in its parent's region (and a source in its part's)
_SHARED = 0.3  # chance a part also goes into a second item of the tier above


@dataclass
class _Net:
    """A network as arrays; sites are ordered by item, so an item's sources are one run."""

    n_plants: int
    n_products: int
    item_tier: np.ndarray
    item_count: np.ndarray  # producing sites per item (1..3 for parts)
    site_item: np.ndarray
    site_region: np.ndarray
    bom: tuple[np.ndarray, np.ndarray, np.ndarray]  # parent, child, quantity (child per parent)
    item_ids: list[str] = field(init=False)
    site_ids: list[str] = field(init=False)

    def __post_init__(self) -> None:
        """Name items and sites by tier: ``product-01``, ``t2-part-000123``, ``t2-site-000456``."""
        tiers = self.item_tier.tolist()
        self.item_ids = [
            f"product-{i + 1:02d}" if t == 0 else f"t{t}-part-{i:06d}" for i, t in enumerate(tiers)
        ]
        self.site_ids = [
            f"plant-{s + 1:02d}" if tiers[i] == 0 else f"t{tiers[i]}-site-{s:06d}"
            for s, i in enumerate(self.site_item.tolist())
        ]

    @property
    def item_first(self) -> np.ndarray:
        """Index of each item's first producing site."""
        return np.cumsum(self.item_count) - self.item_count


@dataclass
class _Flows:
    """Supply links as site indices, with volumes and prices."""

    src: np.ndarray
    dst: np.ndarray
    item: np.ndarray
    qty: np.ndarray  # BOM quantity of the link's item per unit of the target's item
    flow: np.ndarray  # units/day along each link
    spend: np.ndarray  # currency/year along each link
    share: np.ndarray  # fraction of its item's volume each site makes
    volume: np.ndarray  # units/day each site makes
    need: np.ndarray  # units/day of each item
    price: np.ndarray  # currency/unit of each item (for products, their cost)


def generate_ecosystem(
    *, sites: int, tiers: int, seed: int, name: str | None = None
) -> EcosystemSpec:
    """Return a synthetic ecosystem of exactly ``sites`` sites over ``tiers`` supplier tiers.

    Deterministic for ``seed``. Plants are about ``sqrt(sites) / 6`` (1..50) making 1..6 products;
    three sites serve them (logistics hub, substation, data centre); the rest are supplier sites in
    about ``sites / 3`` actors of 1-5 sites. Raises ``ValueError`` below ``tiers + 4`` sites.

    Examples
    --------
    >>> spec = generate_ecosystem(sites=60, tiers=3, seed=7)
    >>> len(spec.sites), sorted({s.attributes.get("tier", 0) for s in spec.sites})
    (60, [0, 1, 2, 3])
    """
    n_plants = int(np.clip(round(np.sqrt(sites) / 6), 1, 50))
    n_suppliers = sites - n_plants - len(_SERVICE_SITES)
    if tiers < 1 or n_suppliers < tiers:
        raise ValueError(f"need tiers >= 1 and sites >= tiers + 4 (got {sites=}, {tiers=})")
    rng = np.random.default_rng(seed)
    net = _structure(rng, n_plants, min(n_plants, 6), _tier_sizes(n_suppliers, tiers))
    flows = _flows(rng, net)
    owner = _owners(rng, net)
    spec = _spec(rng, net, flows, owner)
    spec.name = name or f"synthetic-{sites}-t{tiers}-s{seed}"
    spec.title = f"Synthetic ecosystem: {sites} sites, {tiers} supplier tiers (seed {seed})"
    return spec


def generated_row_counts(spec: EcosystemSpec) -> dict[str, int]:
    """Return the number of rows per section, plus ``links.<kind>`` counts per link kind."""
    sections = ("actors", "sites", "items", "links", "bom", "inventory", "value_flows")
    counts = {section: len(getattr(spec, section)) for section in sections}
    kinds = Counter(link.kind.value for link in spec.links)
    return counts | {f"links.{kind}": n for kind, n in sorted(kinds.items())}


def _spec(rng: np.random.Generator, net: _Net, flows: _Flows, owner: np.ndarray) -> EcosystemSpec:
    """Make the pydantic objects of the spec, unvalidated, with the garbage collector paused."""
    actors, sites, items = _services(net)
    with _gc_paused():
        return EcosystemSpec.model_construct(
            name="synthetic",
            description="Generated by podium.ecosystem.generate; all figures are synthetic.",
            currency="EUR",
            actors=[*_actors(rng, net, owner), *actors],
            sites=[*_sites(rng, net, owner), *sites],
            items=[*_items(rng, net, flows), *items],
            links=[*_supply_links(rng, net, flows), *_service_links(rng, net)],
            bom=_bom(net),
            inventory=_inventory(rng, net, flows),
            value_flows=_value_flows(rng, owner, flows),
        )


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while making many acyclic objects (about 30% faster)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# --- structure (arrays) ---------------------------------------------------------------------------


def _tier_sizes(n_suppliers: int, tiers: int) -> np.ndarray:
    """Split supplier sites over tiers, each deeper tier 1.2 times larger (at least one site)."""
    weights = 1.2 ** np.arange(tiers)
    sizes = 1 + np.floor((n_suppliers - tiers) * weights / weights.sum()).astype(np.int64)
    sizes[-1] += n_suppliers - sizes.sum()
    return sizes


def _source_counts(rng: np.random.Generator, n_sites: int) -> np.ndarray:
    """Group ``n_sites`` sites into items of 1-3 sources each (the last group trimmed)."""
    sizes = rng.choice(_SOURCES, size=n_sites)
    total = np.cumsum(sizes)
    m = int(np.searchsorted(total, n_sites)) + 1
    sizes = sizes[:m]
    sizes[-1] -= total[m - 1] - n_sites
    return sizes


def _tier(
    rng: np.random.Generator, prev: np.ndarray, item_region: np.ndarray, n_sites: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Draw one tier: items (source count, region), BOM lines (parent, child), site regions.

    Each item of the tier above gets a child where there are enough; 30% of parts also go into a
    second item; parts and their sources mostly stay in their parent's region.
    """
    count = _source_counts(rng, n_sites)
    m, n_regions = len(count), len(_REGIONS)
    ids = len(item_region) + np.arange(m)
    pos = rng.integers(0, len(prev), size=m)
    cover = min(m, len(prev))
    pos[rng.permutation(m)[:cover]] = rng.permutation(len(prev))[:cover]
    parent = prev[pos]
    region = np.where(rng.random(m) < _LOCAL, item_region[parent], rng.integers(0, n_regions, m))
    shared = rng.random(m) < _SHARED
    second = prev[rng.integers(0, len(prev), int(shared.sum()))]
    distinct = second != parent[shared]
    moved = rng.random(n_sites) >= _LOCAL
    site_region = np.where(moved, rng.integers(0, n_regions, n_sites), np.repeat(region, count))
    parents = np.concatenate([parent, second[distinct]])
    return count, region, parents, np.concatenate([ids, ids[shared][distinct]]), site_region


def _structure(rng: np.random.Generator, n_plants: int, n_products: int, sizes: np.ndarray) -> _Net:
    """Draw items, sites and BOM lines tier by tier (tier 0: products made at plants)."""
    extra = rng.integers(0, n_products, n_plants - n_products)
    plant_item = np.sort(np.concatenate([np.arange(n_products), extra]))
    plant_region = rng.integers(0, len(_REGIONS), n_plants)
    item_region = plant_region[np.searchsorted(plant_item, np.arange(n_products))]
    tiers, counts = [np.zeros(n_products, np.int64)], [np.bincount(plant_item)]
    site_item, site_region = [plant_item], [plant_region]
    parents: list[np.ndarray] = []
    children: list[np.ndarray] = []
    prev = np.arange(n_products)
    for k, n_sites in enumerate(sizes.tolist(), start=1):
        count, region, parent, child, regions = _tier(rng, prev, item_region, n_sites)
        prev = len(item_region) + np.arange(len(count))
        item_region = np.concatenate([item_region, region])
        tiers.append(np.full(len(count), k))
        counts.append(count)
        site_item.append(np.repeat(prev, count))
        site_region.append(regions)
        parents.append(parent)
        children.append(child)
    child_all = np.concatenate(children)
    bom = (np.concatenate(parents), child_all, rng.choice(_QUANTITIES, size=len(child_all)))
    return _Net(
        n_plants,
        n_products,
        np.concatenate(tiers),
        np.concatenate(counts),
        np.concatenate(site_item),
        np.concatenate(site_region),
        bom,
    )


def _flows(rng: np.random.Generator, net: _Net) -> _Flows:
    """Expand BOM lines into supply links (every source to every producer) with volumes."""
    parent, child, qty = net.bom
    n_src, n_dst = net.item_count[child], net.item_count[parent]
    per_line = n_src * n_dst
    line = np.repeat(np.arange(len(per_line)), per_line)
    offset = np.arange(per_line.sum()) - np.repeat(np.cumsum(per_line) - per_line, per_line)
    src = net.item_first[child][line] + offset % n_src[line]
    dst = net.item_first[parent][line] + offset // n_src[line]
    weight = rng.uniform(0.5, 1.5, len(net.site_item))
    share = weight / np.bincount(net.site_item, weight)[net.site_item]
    need = _item_need(rng, net)
    price = _item_price(rng, net)
    volume = need[net.site_item] * share
    flow = volume[dst] * qty[line] * share[src]
    spend = np.round(flow * 365.0 * price[child[line]])
    return _Flows(src, dst, child[line], qty[line], flow, spend, share, volume, need, price)


def _item_need(rng: np.random.Generator, net: _Net) -> np.ndarray:
    """Units/day of each item: product demand (200-2,000/day) exploded down the BOM."""
    parent, child, qty = net.bom
    need = np.zeros(len(net.item_tier))
    need[: net.n_products] = np.round(rng.uniform(200, 2000, net.n_products))
    child_tier = net.item_tier[child]
    for k in range(1, int(net.item_tier.max()) + 1):
        at = child_tier == k
        need += np.bincount(child[at], need[parent[at]] * qty[at], minlength=len(need))
    return need


def _item_price(rng: np.random.Generator, net: _Net) -> np.ndarray:
    """Currency/unit of each item: own value added plus its inputs' cost, marked up, bottom-up."""
    parent, child, qty = net.bom
    price = np.exp(rng.normal(np.log(4.0), 0.9, len(net.item_tier)))
    markup = rng.uniform(1.05, 1.3, len(net.item_tier))
    parent_tier = net.item_tier[parent]
    for k in range(int(net.item_tier.max()) - 1, -1, -1):
        at = parent_tier == k
        inputs = np.bincount(parent[at], qty[at] * price[child[at]], minlength=len(price))
        price = np.where(net.item_tier == k, (price + inputs) * markup, price)
    return np.round(price, 2)


def _owners(rng: np.random.Generator, net: _Net) -> np.ndarray:
    """Return the actor index per site (-1 for the orchestrator's plants).

    Supplier actors own runs of 1-5 sites taken in (region, tier) order, so an actor's sites
    mostly share a region and a tier.
    """
    tier = net.item_tier[net.site_item]
    order = np.lexsort((rng.random(len(tier)), tier, net.site_region))
    order = order[order >= net.n_plants]
    sizes = rng.integers(1, 6, size=len(order))
    sizes = sizes[: int(np.searchsorted(np.cumsum(sizes), len(order))) + 1]
    owner = np.full(len(tier), -1)
    owner[order] = np.repeat(np.arange(len(sizes)), sizes)[: len(order)]
    return owner


# --- objects --------------------------------------------------------------------------------------


def _rows(model: type[_M], n: int, **columns: Any) -> list[_M]:
    """Make ``n`` unvalidated objects from columns: a list per field, or one value for all rows.

    Fields left out get their defaults here (a fresh one per row from a factory), because
    ``model_construct`` is several times slower when it has to fill them in itself.
    """
    for name, info in model.model_fields.items():
        if name in columns:
            continue
        if info.default_factory is None:
            columns[name] = info.default
        else:
            factory = cast(Callable[[], Any], info.default_factory)
            columns[name] = [factory() for _ in range(n)]
    names = list(columns)
    cols = [c if isinstance(c, list) else repeat(c, n) for c in columns.values()]
    make = model.model_construct
    return [make(**dict(zip(names, row, strict=True))) for row in zip(*cols, strict=False)]


def _actor_name(a: int) -> str:
    n = len(_PREFIXES) * len(_TRADES)
    base = f"{_PREFIXES[a % len(_PREFIXES)]} {_TRADES[(a // len(_PREFIXES)) % len(_TRADES)]}"
    return base if a < n else f"{base} {a // n + 1}"


def _place(region: np.ndarray) -> dict[str, list[str]]:
    """Country, region and city columns for region indices."""
    rows = [_REGIONS[r] for r in region.tolist()]
    return {
        "country": [r[1] for r in rows],
        "region": [r[0] for r in rows],
        "city": [r[2] for r in rows],
    }


def _actors(rng: np.random.Generator, net: _Net, owner: np.ndarray) -> list[Actor]:
    """Supplier actors (10% contract manufacturers) in the region of one of their sites."""
    n = int(owner.max()) + 1
    region = np.zeros(n, np.int64)
    region[owner[owner >= 0]] = net.site_region[owner >= 0]
    place = _place(region)
    kinds = (ActorKind.SUPPLIER, ActorKind.CONTRACT_MANUFACTURER)
    return _rows(
        Actor,
        n,
        id=[f"supplier-{a:06d}" for a in range(n)],
        name=[_actor_name(a) for a in range(n)],
        kind=[kinds[k] for k in (rng.random(n) < 0.1).tolist()],
        country=place["country"],
        region=place["region"],
    )


def _sites(rng: np.random.Generator, net: _Net, owner: np.ndarray) -> list[Site]:
    """Plants and supplier sites near their region's city, each making one item."""
    n, region = len(owner), net.site_region
    jitter = rng.normal(0.0, 0.3, (2, n))
    lat, lon = (np.round(_COORDS[region, j] + jitter[j], 4).tolist() for j in (0, 1))
    place = _place(region)
    title = [_actor_name(a) if a >= 0 else "Plant" for a in owner.tolist()]
    return _rows(
        Site,
        n,
        id=net.site_ids,
        actor=[f"supplier-{a:06d}" if a >= 0 else "orchestrator" for a in owner.tolist()],
        name=[f"{t} {c}" for t, c in zip(title, place["city"], strict=True)],
        kind=SiteKind.PLANT,
        **place,
        latitude=lat,
        longitude=lon,
        produces=[[net.item_ids[i]] for i in net.site_item.tolist()],
        attributes=[{"tier": t} for t in net.item_tier[net.site_item].tolist()],
    )


def _items(rng: np.random.Generator, net: _Net, flows: _Flows) -> list[Item]:
    """Products (demand units/day; cost, price, profit per unit) and parts (price, tier family)."""
    p, tiers = net.n_products, net.item_tier[net.n_products :].tolist()
    cost = flows.price[:p]
    margin = np.round(cost * rng.uniform(0.1, 0.3, p), 2)
    products = _rows(
        Item,
        p,
        id=net.item_ids[:p],
        name=[f"Product {i + 1}" for i in range(p)],
        kind=ItemKind.PRODUCT,
        demand_per_day=flows.need[:p].tolist(),
        unit_price=np.round(cost + margin, 2).tolist(),
        unit_cost=cost.tolist(),
        unit_profit=margin.tolist(),
        critical=True,
    )
    parts = _rows(
        Item,
        len(tiers),
        id=net.item_ids[p:],
        name=[f"Part {i} (tier {t})" for i, t in enumerate(tiers, start=p)],
        family=[f"tier-{t}" for t in tiers],
        unit_price=flows.price[p:].tolist(),
    )
    return products + parts


def _alternates(net: _Net) -> list[list[str]]:
    """For each site, the other qualified sources of its item (site ids)."""
    out: list[list[str]] = [[] for _ in net.site_ids]
    for first, count in zip(net.item_first.tolist(), net.item_count.tolist(), strict=True):
        if count > 1 and first >= net.n_plants:
            group = net.site_ids[first : first + count]
            for j in range(count):
                out[first + j] = group[:j] + group[j + 1 :]
    return out


def _lognormal_days(rng: np.random.Generator, median: float, sigma: float, n: int) -> np.ndarray:
    """Whole days drawn from a lognormal distribution (a long right tail)."""
    return np.round(np.exp(rng.normal(np.log(median), sigma, n)))


def _supply_links(rng: np.random.Generator, net: _Net, flows: _Flows) -> list[Link]:
    """One supplies link per (source, target, item): share, capacity, lead time, TTR, spend.

    TTR is drawn per source site: median 28 days, a tail of months, clipped to 7..364; the
    qualification time of a new source is drawn per item (median 60 days, 14..365).
    """
    n, src, ids = len(flows.src), flows.src.tolist(), net.site_ids
    alternates = _alternates(net)
    ttr = np.clip(_lognormal_days(rng, 28.0, 0.8, len(ids)), 7, 364)
    qualification = np.clip(_lognormal_days(rng, 60.0, 0.7, len(net.item_ids)), 14, 365)
    return _rows(
        Link,
        n,
        id=[f"supply-{k:07d}" for k in range(n)],
        kind=LinkKind.SUPPLIES,
        source=[ids[s] for s in src],
        target=[ids[t] for t in flows.dst.tolist()],
        item=[net.item_ids[i] for i in flows.item.tolist()],
        share=np.round(flows.share[flows.src], 4).tolist(),
        capacity_per_day=np.round(flows.flow * rng.uniform(1.1, 1.8, n), 2).tolist(),
        lead_time_days=np.clip(_lognormal_days(rng, 10.0, 0.6, n), 1, 90).tolist(),
        ttr_days=ttr[flows.src].tolist(),
        qualification_days=qualification[flows.item].tolist(),
        alternates=[list(alternates[s]) for s in src],
        spend_per_year=flows.spend.tolist(),
    )


def _bom(net: _Net) -> list[BomLine]:
    """One BOM line per (parent item, child item), in child units per parent unit."""
    parent, child, qty = (a.tolist() for a in net.bom)
    ids = net.item_ids
    return _rows(
        BomLine,
        len(qty),
        parent=[ids[p] for p in parent],
        child=[ids[c] for c in child],
        quantity=qty,
    )


def _inventory(rng: np.random.Generator, net: _Net, flows: _Flows) -> list[InventoryPosition]:
    """Each site's output, and each plant's inputs, at 0-30 days of cover (15% hold none)."""
    n = len(net.site_ids)
    days = rng.uniform(0.0, 30.0, n) * (rng.random(n) >= 0.15)
    into = (flows.dst < net.n_plants) & (flows.src == net.item_first[flows.item])
    dst = flows.dst[into]
    site = np.concatenate([np.arange(n), dst]).tolist()
    item = np.concatenate([net.site_item, flows.item[into]]).tolist()
    use = flows.volume[dst] * flows.qty[into] * rng.uniform(0.0, 30.0, len(dst))
    return _rows(
        InventoryPosition,
        len(site),
        site=[net.site_ids[s] for s in site],
        item=[net.item_ids[i] for i in item],
        on_hand=np.round(np.concatenate([flows.volume * days, use])).tolist(),
    )


def _value_flows(rng: np.random.Generator, owner: np.ndarray, flows: _Flows) -> list[ValueFlow]:
    """Yearly value (currency) per supplier actor: sales created, margin captured, risk, capex."""
    sales = np.bincount(owner[flows.src], flows.spend)
    a = len(sales)
    return _rows(
        ValueFlow,
        a,
        actor=[f"supplier-{k:06d}" for k in range(a)],
        created=sales.tolist(),
        captured=np.round(sales * rng.uniform(0.03, 0.15, a)).tolist(),
        risk_borne=np.round(sales * rng.uniform(0.01, 0.06, a)).tolist(),
        invested=np.round(sales * rng.uniform(0.02, 0.1, a) * (rng.random(a) < 0.1)).tolist(),
    )


# --- the orchestrator and its service partners ----------------------------------------------------

_HOME = {"country": "DE", "region": "Baden-Wuerttemberg"}
_AT = {**_HOME, "city": "Stuttgart", "latitude": 48.78, "longitude": 9.18}
_SERVICE_ACTORS = (  # id, name, kind
    ("logistics", "Synthetic Freight", ActorKind.LOGISTICS),
    ("utility", "Synthetic Power", ActorKind.UTILITY),
    ("platform", "Synthetic Cloud", ActorKind.PLATFORM),
    ("regulator", "Synthetic Safety Authority", ActorKind.REGULATOR),
    ("financier", "Synthetic Trade Bank", ActorKind.FINANCIER),
)
_SERVICE_SITES = (  # site, actor, site kind, link kind to each plant, item
    ("logistics-hub", "logistics", SiteKind.HUB, LinkKind.SHIPS, "freight-lane"),
    ("substation", "utility", SiteKind.SUBSTATION, LinkKind.POWERS, "electricity"),
    ("data-centre", "platform", SiteKind.DATA_CENTRE, LinkKind.HOSTS_DATA, "planning-data"),
)
_SERVICE_ITEMS = (  # id, kind, unit
    ("freight-lane", ItemKind.SERVICE, "shipment"),
    ("electricity", ItemKind.ENERGY, "MWh"),
    ("planning-data", ItemKind.DATA, "dataset"),
)


def _services(net: _Net) -> tuple[list[Actor], list[Site], list[Item]]:
    """The orchestrator, service partners and customers (one per product), with sites and items."""
    actors = [
        Actor(
            id="orchestrator",
            name="Synthetic OEM",
            kind=ActorKind.MANUFACTURER,
            ecosystem_role=EcosystemRole.ORCHESTRATOR,
            **_HOME,
        )
    ]
    actors += [
        Actor(id=i, name=n, kind=k, ecosystem_role=EcosystemRole.PARTNER, **_HOME)
        for i, n, k in _SERVICE_ACTORS
    ]
    actors += [
        Actor(id=f"customer-{p + 1:02d}", name=f"Customer {p + 1}", kind=ActorKind.CUSTOMER)
        for p in range(net.n_products)
    ]
    # energy is made at the substation (and sent on powers links); services and data are not
    sites = [
        Site(
            id=s,
            actor=a,
            name=s.replace("-", " ").title(),
            kind=k,
            produces=[i] if k is SiteKind.SUBSTATION else [],
            **_AT,
        )
        for s, a, k, _, i in _SERVICE_SITES
    ]
    items = [
        Item(id=i, name=i.replace("-", " ").capitalize(), kind=k, unit=u)
        for i, k, u in _SERVICE_ITEMS
    ]
    return actors, sites, items


def _service_links(rng: np.random.Generator, net: _Net) -> list[Link]:
    """Links to each plant: ships, powers (MWh/day), hosts_data, regulates; sells_to a customer."""
    plants = net.site_ids[: net.n_plants]
    ends: list[tuple[LinkKind, str, str, str | None]] = [
        (k, s, p, i) for s, _, _, k, i in _SERVICE_SITES for p in plants
    ]
    ends += [(LinkKind.REGULATES, "regulator", p, None) for p in plants]
    ends += [
        (LinkKind.SELLS_TO, p, f"customer-{x + 1:02d}", net.item_ids[x])
        for p, x in zip(plants, net.site_item.tolist(), strict=False)
    ]
    ends += [(LinkKind.FINANCES, "financier", "orchestrator", None)]
    load = rng.integers(20, 200, len(ends)).tolist()  # MWh/day on powers links
    ttr = rng.integers(1, 15, len(ends)).tolist()
    links = [
        Link(
            id=f"{k.value}-{s}-{t}",
            kind=k,
            source=s,
            target=t,
            item=i,
            capacity_per_day=float(c) if k is LinkKind.POWERS else None,
            ttr_days=float(d),
        )
        for (k, s, t, i), c, d in zip(ends, load, ttr, strict=True)
    ]
    return links
