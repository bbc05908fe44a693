"""The synthetic generator: deterministic, the right size, valid, and shaped like real networks."""

from __future__ import annotations

from collections import Counter, defaultdict
from functools import cache

import numpy as np
import pytest

from podium.ecosystem.generate import generate_ecosystem, generated_row_counts
from podium.ecosystem.spec import EcosystemSpec, ItemKind, LinkKind
from podium.ecosystem.validation import parse_spec
from tests.factories import product_makers, unreached_sites


@cache
def generated(sites: int, tiers: int, seed: int = 11) -> EcosystemSpec:
    return generate_ecosystem(sites=sites, tiers=tiers, seed=seed)


def supplies(spec: EcosystemSpec) -> list:
    return [link for link in spec.links if link.kind is LinkKind.SUPPLIES]


def test_same_seed_same_ecosystem_other_seed_another() -> None:
    first = generate_ecosystem(sites=200, tiers=3, seed=5).to_document()
    assert generate_ecosystem(sites=200, tiers=3, seed=5).to_document() == first
    assert generate_ecosystem(sites=200, tiers=3, seed=6).to_document() != first


@pytest.mark.parametrize(("sites", "tiers"), [(8, 4), (60, 3), (400, 4), (1500, 6)])
def test_small_outputs_validate_and_have_the_requested_size(sites: int, tiers: int) -> None:
    spec = generated(sites, tiers)
    parsed = parse_spec(spec.to_document())
    assert parsed == spec
    assert len(spec.sites) == sites
    assert {site.attributes.get("tier") for site in spec.sites} == {None, *range(tiers + 1)}
    assert generated_row_counts(spec)["sites"] == sites


def test_too_few_sites_for_the_tiers_is_an_error() -> None:
    with pytest.raises(ValueError, match="tiers"):
        generate_ecosystem(sites=6, tiers=4, seed=1)


def test_actors_own_one_to_five_sites_and_are_about_a_third_of_sites() -> None:
    spec = generated(3000, 5)
    per_actor = Counter(site.actor for site in spec.sites if site.actor.startswith("supplier-"))
    assert set(per_actor.values()) <= {1, 2, 3, 4, 5}
    assert 0.25 * 3000 < len(spec.actors) < 0.45 * 3000


def test_every_site_reaches_a_product_and_every_link_kind_occurs() -> None:
    spec = generated(3000, 5)
    assert unreached_sites(spec, product_makers(spec)) == set()
    assert {link.kind for link in spec.links} == set(LinkKind)


def test_about_a_third_of_inputs_are_sole_sourced_and_alternates_name_the_others() -> None:
    spec = generated(3000, 5)
    sources: dict[tuple[str, str | None], set[str]] = defaultdict(set)
    for link in supplies(spec):
        sources[link.target, link.item].add(link.source)
    fan_in = Counter(len(s) for s in sources.values())
    assert set(fan_in) == {1, 2, 3}
    assert 0.25 < fan_in[1] / len(sources) < 0.42
    for link in supplies(spec):
        assert set(link.alternates) == sources[link.target, link.item] - {link.source}


def test_produces_matches_outgoing_supplies_and_bom_covers_every_input() -> None:
    spec = generated(1500, 6)
    made: dict[str, set[str]] = defaultdict(set)
    for link in spec.links:
        if link.kind in (LinkKind.SUPPLIES, LinkKind.SELLS_TO, LinkKind.POWERS) and link.item:
            made[link.source].add(link.item)
    assert all(set(site.produces) == made[site.id] for site in spec.sites)
    produces = {site.id: site.produces[0] for site in spec.sites if site.produces}
    bom = {(line.parent, line.child) for line in spec.bom}
    assert all((produces[link.target], link.item) in bom for link in supplies(spec))


def test_recovery_times_are_skewed_and_inventory_covers_at_most_30_days() -> None:
    spec = generated(3000, 5)
    ttr = np.array([link.ttr_days for link in supplies(spec)])
    assert ttr.min() >= 7 and ttr.max() <= 364
    assert 14 <= np.median(ttr) <= 42  # most a few weeks
    assert np.percentile(ttr, 95) > 2 * np.median(ttr)  # a tail of months
    capacity: Counter[tuple[str, str]] = Counter()
    for link in supplies(spec):
        assert link.capacity_per_day and link.spend_per_year and link.lead_time_days
        capacity[link.source, link.item] += link.capacity_per_day  # output/day < capacity
    for pos in spec.inventory:
        if (pos.site, pos.item) in capacity:
            assert pos.on_hand <= 30 * capacity[pos.site, pos.item] + 1


def test_regions_are_clustered_across_tiers() -> None:
    spec = generated(3000, 5)
    region = {site.id: site.region for site in spec.sites}
    links = supplies(spec)
    local = sum(region[link.source] == region[link.target] for link in links) / len(links)
    assert local > 0.25  # chance alone gives about 1/20
    tiers_by_region: dict[str | None, set[int]] = defaultdict(set)
    for site in spec.sites:
        tiers_by_region[site.region].add(site.attributes.get("tier", 0))
    busiest = Counter(site.region for site in spec.sites).most_common(5)
    assert all(len(tiers_by_region[name]) >= 4 for name, _ in busiest)


def test_products_carry_demand_and_profit() -> None:
    spec = generated(400, 4)
    products = [item for item in spec.items if item.kind is ItemKind.PRODUCT]
    assert 1 <= len(products) <= 6
    assert all(p.demand_per_day and p.unit_profit and p.unit_profit > 0 for p in products)


def test_hundred_thousand_sites() -> None:
    spec = generate_ecosystem(sites=100_000, tiers=6, seed=1)
    counts = generated_row_counts(spec)
    assert counts["sites"] == 100_000
    assert 25_000 < counts["actors"] < 45_000
    assert counts["links.supplies"] > 100_000
    assert unreached_sites(spec, product_makers(spec)) == set()
