"""The array-level structure of a synthetic ecosystem: tiers, items, sites, BOM lines and flows.

Everything here is numpy arrays drawn from one random generator, in a fixed order, so a seed gives
the same network; :mod:`podium.ecosystem.generate` turns the arrays into the spec's objects.
Tier 0 is the orchestrator's products made at its plants; each deeper tier's parts go into items
of the tier above (30% into a second one too), with 1-3 qualified sources each, mostly in the
region of the item they go into. Volumes are product demand exploded down the BOM; prices are
built bottom-up (own value added plus inputs, marked up).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "REGIONS",
    "Flows",
    "Net",
    "build_flows",
    "build_structure",
    "lognormal_days",
    "owners",
    "tier_sizes",
]

REGIONS: tuple[tuple[str, str, str, float, float], ...] = (
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
_SOURCES = np.array([1, 2, 3])  # qualified sources per item, equally likely
_QUANTITIES = np.array([1.0, 1.0, 1.0, 1.0, 2.0, 2.0, 4.0])  # BOM units per parent unit
_LOCAL = 0.7  # chance a part is made in its parent's region (and a source in its part's)
_SHARED = 0.3  # chance a part also goes into a second item of the tier above


@dataclass
class Net:
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

    def alternates(self) -> list[list[str]]:
        """For each site, the other qualified sources of its item (site ids)."""
        out: list[list[str]] = [[] for _ in self.site_ids]
        for first, count in zip(self.item_first.tolist(), self.item_count.tolist(), strict=True):
            if count > 1 and first >= self.n_plants:
                group = self.site_ids[first : first + count]
                for j in range(count):
                    out[first + j] = group[:j] + group[j + 1 :]
        return out


@dataclass
class Flows:
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


def tier_sizes(n_suppliers: int, tiers: int) -> np.ndarray:
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
    m, n_regions = len(count), len(REGIONS)
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


def build_structure(
    rng: np.random.Generator, n_plants: int, n_products: int, sizes: np.ndarray
) -> Net:
    """Draw items, sites and BOM lines tier by tier (tier 0: products made at plants)."""
    extra = rng.integers(0, n_products, n_plants - n_products)
    plant_item = np.sort(np.concatenate([np.arange(n_products), extra]))
    plant_region = rng.integers(0, len(REGIONS), n_plants)
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
    return Net(
        n_plants,
        n_products,
        np.concatenate(tiers),
        np.concatenate(counts),
        np.concatenate(site_item),
        np.concatenate(site_region),
        bom,
    )


def build_flows(rng: np.random.Generator, net: Net) -> Flows:
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
    return Flows(src, dst, child[line], qty[line], flow, spend, share, volume, need, price)


def _item_need(rng: np.random.Generator, net: Net) -> np.ndarray:
    """Units/day of each item: product demand (200-2,000/day) exploded down the BOM."""
    parent, child, qty = net.bom
    need = np.zeros(len(net.item_tier))
    need[: net.n_products] = np.round(rng.uniform(200, 2000, net.n_products))
    child_tier = net.item_tier[child]
    for k in range(1, int(net.item_tier.max()) + 1):
        at = child_tier == k
        need += np.bincount(child[at], need[parent[at]] * qty[at], minlength=len(need))
    return need


def _item_price(rng: np.random.Generator, net: Net) -> np.ndarray:
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


def owners(rng: np.random.Generator, net: Net) -> np.ndarray:
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


def lognormal_days(rng: np.random.Generator, median: float, sigma: float, n: int) -> np.ndarray:
    """Whole days drawn from a lognormal distribution (a long right tail)."""
    return np.round(np.exp(rng.normal(np.log(median), sigma, n)))
