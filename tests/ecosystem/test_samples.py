"""The sample ecosystems: valid, realistic in size and spread, connected, and showing their case."""

from __future__ import annotations

import re
from collections import defaultdict
from functools import cache

import pytest
import yaml

from podium.ecosystem.spec import (
    ActorKind,
    EcosystemRole,
    EcosystemSpec,
    ItemKind,
    Link,
    LinkKind,
    SiteKind,
)
from podium.ecosystem.validation import parse_spec
from podium.samples import SAMPLES, sample_path
from tests.factories import product_makers, unreached_sites

GOODS = (LinkKind.SUPPLIES, LinkKind.SELLS_TO, LinkKind.POWERS)  # links whose item a site makes


@cache
def load(name: str) -> EcosystemSpec:
    path = sample_path(name)
    return parse_spec(yaml.safe_load(path.read_text(encoding="utf-8")), source=str(path))


def links_of(spec: EcosystemSpec, kind: LinkKind) -> list[Link]:
    return [link for link in spec.links if link.kind is kind]


def orchestrator_nodes(spec: EcosystemSpec) -> set[str]:
    """The orchestrator actors and their sites."""
    orchestrators = {a.id for a in spec.actors if a.ecosystem_role is EcosystemRole.ORCHESTRATOR}
    return orchestrators | {site.id for site in spec.sites if site.actor in orchestrators}


def test_sample_registry() -> None:
    assert set(SAMPLES) == {"manufacturer", "retailer", "industrial_park"}
    assert all(path.is_file() and path == sample_path(name) for name, path in SAMPLES.items())
    with pytest.raises(KeyError, match="unknown sample"):
        sample_path("nope")


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_sample_parses_and_is_realistic_in_size_and_spread(name: str) -> None:
    spec = load(name)
    assert spec.name == name
    assert sample_path(name).read_text(encoding="utf-8").startswith("# Podium sample ecosystem")
    assert 30 <= len(spec.actors) <= 150
    assert len({site.region for site in spec.sites}) >= 3
    assert len({site.country for site in spec.sites}) >= 3
    assert all(s.latitude is not None and s.longitude is not None and s.city for s in spec.sites)
    assert all(a.country and re.fullmatch(r"[A-Z]{2}", a.country) for a in spec.actors)
    readable = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
    for entity in (*spec.actors, *spec.sites, *spec.items, *spec.links):
        assert readable.fullmatch(entity.id), entity.id
    assert sum(a.ecosystem_role is EcosystemRole.ORCHESTRATOR for a in spec.actors) == 1
    assert spec.bom and spec.inventory and spec.value_flows


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_sample_has_no_orphan_sites(name: str) -> None:
    spec = load(name)
    assert unreached_sites(spec, orchestrator_nodes(spec) | product_makers(spec)) == set()


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_produces_matches_the_items_a_site_sends_out(name: str) -> None:
    spec = load(name)
    sent: dict[str, set[str]] = defaultdict(set)
    for link in spec.links:
        if link.kind in GOODS and link.item:
            sent[link.source].add(link.item)
    for site in spec.sites:
        assert set(site.produces) == sent[site.id], site.id


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_every_bom_input_of_what_a_site_makes_arrives_there(name: str) -> None:
    spec = load(name)
    arriving = {(x.target, x.item) for x in spec.links if x.kind in GOODS}
    for site in spec.sites:
        for line in spec.bom:
            if line.parent in site.produces and line.site in (None, site.id):
                made_here = line.child in site.produces
                assert made_here or (site.id, line.child) in arriving, (site.id, line.child)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_supply_links_are_complete_and_consistent(name: str) -> None:
    spec = load(name)
    sources: dict[tuple[str, str | None], dict[str, float]] = defaultdict(dict)
    for link in links_of(spec, LinkKind.SUPPLIES):
        assert link.capacity_per_day and link.lead_time_days and link.spend_per_year
        assert link.ttr_days is not None and 1 <= link.ttr_days <= 364
        assert link.share is not None
        sources[link.target, link.item][link.source] = link.share
    for (target, item), shares in sources.items():
        assert sum(shares.values()) == pytest.approx(1.0), (target, item)
    for link in links_of(spec, LinkKind.SUPPLIES):
        assert set(link.alternates) == set(sources[link.target, link.item]) - {link.source}
    products = [item for item in spec.items if item.kind is ItemKind.PRODUCT]
    assert products and all(p.demand_per_day and p.unit_profit for p in products)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_inventory_covers_at_most_30_days(name: str) -> None:
    spec = load(name)
    inflow: dict[tuple[str, str | None], float] = defaultdict(float)  # capacity exceeds use
    for link in links_of(spec, LinkKind.SUPPLIES):
        inflow[link.target, link.item] += link.capacity_per_day or 0
    checked = [pos for pos in spec.inventory if (pos.site, pos.item) in inflow]
    assert checked
    assert all(0 <= pos.on_hand <= 30 * inflow[pos.site, pos.item] for pos in checked)


def test_manufacturer_has_long_qualification_sole_sources_and_alternates() -> None:
    spec = load("manufacturer")
    supplies = links_of(spec, LinkKind.SUPPLIES)
    assert {link.kind for link in spec.links} == set(LinkKind)
    long_sole = [x for x in supplies if (x.qualification_days or 0) >= 90 and not x.alternates]
    long_dual = [x for x in supplies if (x.qualification_days or 0) >= 90 and x.alternates]
    assert long_sole and long_dual
    critical = {item.id for item in spec.items if item.critical and item.kind is ItemKind.PART}
    assert all(90 <= (x.qualification_days or 0) <= 270 for x in supplies if x.item in critical)
    weeks = sorted((x.ttr_days or 0) / 7 for x in supplies)
    assert weeks[0] <= 3 and weeks[-1] >= 40 and weeks[len(weeks) // 2] <= 12  # skewed
    kinds = {a.kind for a in spec.actors}
    wanted = {ActorKind.CONTRACT_MANUFACTURER, ActorKind.LOGISTICS, ActorKind.TECHNOLOGY}
    wanted |= {ActorKind.UTILITY, ActorKind.REGULATOR, ActorKind.FINANCIER, ActorKind.CUSTOMER}
    assert wanted <= kinds


def test_manufacturer_has_a_hidden_sub_tier_and_three_tiers() -> None:
    spec = load("manufacturer")
    supplies = links_of(spec, LinkKind.SUPPLIES)
    plants = {s.id for s in spec.sites if s.actor == "hartwell"}
    tier1 = {(x.source, x.item, x.target) for x in supplies if x.target in plants}
    feeds: dict[str, set[str]] = defaultdict(set)
    for link in supplies:
        feeds[link.source].add(link.target)
    hidden = [
        (sub, item, plant)
        for sub, targets in feeds.items()
        for (_, item, plant) in tier1
        if len({t for t in targets if (t, item, plant) in tier1}) >= 2
    ]
    assert ("sorrel-durham", "power-module", "hartwell-stuttgart") in hidden
    depth = {p: 0 for p in plants}
    for _ in range(5):
        for link in supplies:
            if link.target in depth and link.source not in plants:
                depth[link.source] = min(depth.get(link.source, 9), depth[link.target] + 1)
    assert max(depth.values()) == 3


def test_retailer_logistics_providers_all_share_data_with_the_platform() -> None:
    spec = load("retailer")
    owner = {site.id: site.actor for site in spec.sites}
    platforms = {a.id for a in spec.actors if a.kind is ActorKind.PLATFORM}
    assert platforms
    sharing = {
        owner.get(link.source, link.source)
        for link in links_of(spec, LinkKind.HOSTS_DATA)
        if owner.get(link.target, link.target) in platforms
    }
    logistics = {a.id for a in spec.actors if a.kind is ActorKind.LOGISTICS}
    assert len(logistics) >= 6 and logistics <= sharing
    regions = {site.region for site in spec.sites if owner[site.id] in logistics}
    assert len(regions) >= 4
    items = {item.id: item for item in spec.items}
    lanes = {x.item for x in links_of(spec, LinkKind.SHIPS)}
    assert lanes and all(lane and items[lane].kind is ItemKind.SERVICE for lane in lanes)
    assert any(item.kind is ItemKind.DATA for item in spec.items)
    kinds = {site.kind for site in spec.sites}
    assert {SiteKind.DISTRIBUTION_CENTRE, SiteKind.STORE, SiteKind.WAREHOUSE} <= kinds


def test_industrial_park_substation_is_overbooked_and_a_battery_is_funded() -> None:
    spec = load("industrial_park")
    items = {item.id: item for item in spec.items}
    powers = links_of(spec, LinkKind.POWERS)
    energy = [items[item] for item in {x.item for x in powers if x.item}]
    assert energy and all(e.kind is ItemKind.ENERGY and "MWh" in e.unit for e in energy)
    substations = [s for s in spec.sites if s.kind is SiteKind.SUBSTATION]
    assert len(substations) == 1
    substation = substations[0]
    capacity = substation.attributes["capacity_mwh_per_day"]
    supply_in = sum(x.capacity_per_day or 0 for x in powers if x.target == substation.id)
    load_out = sum(x.capacity_per_day or 0 for x in powers if x.source == substation.id)
    assert supply_in == pytest.approx(capacity)
    assert load_out > capacity
    owner = {site.id: site.actor for site in spec.sites}
    kinds = {a.id: a.kind for a in spec.actors}
    fed = {kinds[owner[x.target]] for x in powers if x.source == substation.id}
    assert {ActorKind.MANUFACTURER, ActorKind.TECHNOLOGY} <= fed
    assert {ActorKind.REGULATOR, ActorKind.FINANCIER, ActorKind.UTILITY} <= set(kinds.values())
    battery = [v for v in spec.value_flows if v.invested > 0 and "battery" in (v.note or "")]
    assert battery
