"""Structure analytics: hand-checkable networks for every finding category, the samples, scale."""

from __future__ import annotations

import doctest
import json
from collections.abc import Iterable
from typing import Any

import pytest

import podium
from podium.ecosystem.generate import generate_ecosystem
from podium.ecosystem.spec import EcosystemRole, EcosystemSpec, Link
from podium.ecosystem.validation import parse_spec
from podium.mapping import capacity, concentration, structure, supplygraph, visibility
from podium.mapping.concentration import HIGH_HHI, MODERATE_HHI, hhi, hhi_severity
from podium.mapping.structure import CATEGORIES, SEVERITIES, Finding, analyze_structure
from podium.samples import sample_path


def make_spec(
    links: Iterable[dict[str, Any]],
    *,
    produces: dict[str, list[str]] | None = None,
    demand: dict[str, float] | None = None,
    bom: Iterable[tuple[str, str, float]] = (),
    inventory: Iterable[tuple[str, str, float]] = (),
    critical: Iterable[str] = (),
    where: dict[str, tuple[str, str]] | None = None,
) -> EcosystemSpec:
    """A validated spec: sites named ``plant*`` belong to the orchestrator ``oem``, every other
    site to an actor ``<site>-co``; ``where`` gives a site's (country, region)."""
    links = [dict(x) for x in links]
    produces = produces or {}
    demand = demand or {"pump": 40}
    where = where or {}
    sites = list(
        dict.fromkeys([*produces, *(end for x in links for end in (x["source"], x["target"]))])
    )
    actor_of = {s: "oem" if s.startswith("plant") else f"{s}-co" for s in sites}
    items = set(demand) | {x["item"] for x in links} | {i for p in produces.values() for i in p}
    items |= {x for line in bom for x in line[:2]}
    for x in links:
        x.setdefault("id", f"{x['source']}-{x['item']}-{x['target']}")
        x.setdefault("kind", "supplies")
    return parse_spec(
        {
            "name": "test",
            "actors": [
                {
                    "id": "oem",
                    "name": "OEM",
                    "kind": "manufacturer",
                    "ecosystem_role": "orchestrator",
                },
                *(
                    {"id": a, "name": a, "kind": "supplier"}
                    for a in sorted(set(actor_of.values()) - {"oem"})
                ),
            ],
            "sites": [
                {
                    "id": s,
                    "actor": actor_of[s],
                    "name": s,
                    "produces": produces.get(s, []),
                    "country": where.get(s, (None, None))[0],
                    "region": where.get(s, (None, None))[1],
                }
                for s in sites
            ],
            "items": [
                {
                    "id": i,
                    "name": i,
                    "kind": "product" if i in demand else "part",
                    "demand_per_day": demand.get(i),
                    "critical": i in set(critical),
                }
                for i in sorted(items)
            ],
            "links": links,
            "bom": [{"parent": p, "child": c, "quantity": q} for p, c, q in bom],
            "inventory": [{"site": s, "item": i, "on_hand": q} for s, i, q in inventory],
        }
    )


def link(source: str, target: str, item: str, **fields: Any) -> dict[str, Any]:
    return {"source": source, "target": target, "item": item, **fields}


def subjects(
    report: structure.StructureReport, category: str, product: str | None = None
) -> set[str]:
    return {
        f.subject for f in report.by_category(category) if product is None or f.product == product
    }


# --- the BOM chain used by several tests -------------------------------------------------------
#   pump at plant = housing (from h1 OR h2, both cast from ingot of one smelter)
#                 + motor (from m1 only, wound from magnets of mag1 OR mag2)


def bom_chain(*, second_smelter: bool = False) -> EcosystemSpec:
    links = [
        link("h1", "plant", "housing"),
        link("h2", "plant", "housing"),
        link("smelter", "h1", "ingot"),
        link("smelter2" if second_smelter else "smelter", "h2", "ingot"),
        link("m1", "plant", "motor"),
        link("mag1", "m1", "magnet"),
        link("mag2", "m1", "magnet"),
    ]
    return make_spec(
        links,
        produces={"plant": ["pump"], "h1": ["housing"], "h2": ["housing"], "m1": ["motor"]},
        bom=[
            ("pump", "housing", 1),
            ("pump", "motor", 1),
            ("housing", "ingot", 12),
            ("motor", "magnet", 8),
        ],
    )


def test_tiers_count_supply_links_to_the_orchestrator() -> None:
    report = analyze_structure(bom_chain())
    assert report.tiers["oem"] == 0 and report.tiers["plant"] == 0
    assert (report.tiers["h1"], report.tiers["smelter"], report.tiers["mag2"]) == (1, 2, 2)


def test_spof_in_a_bom_chain_is_every_place_some_input_cannot_do_without() -> None:
    """Housing is dual sourced but both casters need the one smelter; the motor has one maker
    whose magnets are dual sourced: so plant, smelter and m1 are critical, nothing else."""
    report = analyze_structure(bom_chain())
    assert subjects(report, "spof", "pump") == {"plant", "smelter", "m1"}
    smelter = next(f for f in report.by_category("spof") if f.subject == "smelter")
    assert smelter.severity == "high" and smelter.value == 40
    assert smelter.path[0] == "smelter" and smelter.path[-1] == "plant"
    assert smelter.path[1] in {"h1", "h2"}
    assert "smelter is a single point of failure for pump (40 units/day)" in smelter.explanation


def test_a_second_smelter_removes_the_spof() -> None:
    report = analyze_structure(bom_chain(second_smelter=True))
    assert subjects(report, "spof", "pump") == {"plant", "m1"}
    assert report.by_category("hidden_subtier") == []


def test_spof_needs_every_site_that_makes_the_product() -> None:
    """Two plants with their own suppliers: only a source both depend on is critical."""
    links = [link("s1", "plant-a", "part"), link("s2", "plant-b", "part")]
    shared = [*links, link("raw", "s1", "ore"), link("raw", "s2", "ore")]
    produces = {"plant-a": ["pump"], "plant-b": ["pump"], "s1": ["part"], "s2": ["part"]}
    bom = [("pump", "part", 1), ("part", "ore", 2)]
    assert (
        subjects(analyze_structure(make_spec(links, produces=produces, bom=bom)), "spof") == set()
    )
    both = analyze_structure(make_spec(shared, produces=produces, bom=bom))
    assert subjects(both, "spof") == {"raw"}


def test_dual_sourcing_with_a_common_tier_2_site_is_hidden_concentration() -> None:
    report = analyze_structure(bom_chain())
    [finding] = report.by_category("hidden_subtier")
    assert (finding.subject, finding.product, finding.value, finding.severity) == (
        "smelter", "pump", 2.0, "high",
    )  # fmt: skip
    assert finding.path[0] == "smelter" and finding.path[-1] == "plant"
    assert "smelter feeds 2 tier-1 suppliers of housing (h1, h2)" in finding.explanation


def test_a_cause_of_two_of_three_suppliers_is_moderate() -> None:
    links = [
        link("h1", "plant", "housing"),
        link("h2", "plant", "housing"),
        link("h3", "plant", "housing"),
        link("smelter", "h1", "ingot"),
        link("smelter", "h2", "ingot"),
        link("smelter3", "h3", "ingot"),
    ]
    produces = {"plant": ["pump"], **{h: ["housing"] for h in ("h1", "h2", "h3")}}
    spec = make_spec(
        links, produces=produces, bom=[("pump", "housing", 1), ("housing", "ingot", 3)]
    )
    [finding] = analyze_structure(spec).by_category("hidden_subtier")
    assert (finding.subject, finding.value, finding.severity) == ("smelter", 2.0, "moderate")
    assert "(2 of 3 tier-1 sources)" in finding.explanation


def test_manufacturer_sample_flags_the_sic_wafer_fab_as_hidden_concentration() -> None:
    spec = podium.load(sample_path("manufacturer"))
    report = analyze_structure(spec)
    sorrel = [f for f in report.by_category("hidden_subtier") if f.subject == "sorrel-durham"]
    assert {f.product for f in sorrel} >= {"e-axle-hd", "inverter-400"}
    assert all(f.severity == "high" and f.value == 2.0 for f in sorrel)
    assert all("power-module (kinsei-kumamoto, velora-dresden)" in f.explanation for f in sorrel)
    assert sorrel[0].path[:2] in {
        ("sorrel-durham", "velora-dresden"),
        ("sorrel-durham", "kinsei-kumamoto"),
    }
    assert "sorrel-durham" in subjects(report, "spof", "inverter-400")


def test_sole_source_is_one_link_without_alternates() -> None:
    links = [
        link("a", "plant", "bolt", qualification_days=90),
        link("b", "plant", "nut", alternates=["c"]),
        link("c", "plant", "washer"),
        link("d", "plant", "washer"),
    ]
    produces = {"plant": ["pump"]}
    report = analyze_structure(make_spec(links, produces=produces, critical=["bolt"]))
    [finding] = report.by_category("sole_source")
    assert (finding.subject, finding.severity, finding.value, finding.product) == (
        "a-bolt-plant", "high", 90.0, "pump",
    )  # fmt: skip
    assert finding.path == ("a", "plant")
    assert "qualifying one takes 90 days" in finding.explanation


def test_hhi_of_shares_is_the_sum_of_squares() -> None:
    """HHI on a 0-1 scale; thresholds from the U.S. DOJ/FTC Horizontal Merger Guidelines 2010,
    §5.3: 1,500 and 2,500 on 0-10,000, i.e. 0.15 (moderate) and 0.25 (high) on 0-1."""
    assert hhi([0.6, 0.4]) == pytest.approx(0.52)
    assert hhi([60, 40]) == pytest.approx(0.52)
    assert hhi([1, 1, 1, 1]) == pytest.approx(0.25)
    assert hhi([]) == 0.0
    assert (MODERATE_HHI, HIGH_HHI) == (0.15, 0.25)
    assert [hhi_severity(x) for x in (0.1499, 0.15, 0.2499, 0.25, 1.0)] == [
        None, "moderate", "moderate", "high", "high",
    ]  # fmt: skip


def test_concentration_by_supplier_and_by_country_when_it_adds() -> None:
    """Spend 60/40 over two suppliers in one country: supplier HHI 0.52, country 1.0; the region
    (also 1.0) would repeat the country, so it is not reported (DOJ/FTC 2010 §5.3 thresholds)."""
    links = [
        link("a", "plant", "chip", spend_per_year=600.0),
        link("b", "plant", "chip", spend_per_year=400.0),
        link("c", "plant", "bolt", spend_per_year=100.0),
        link("d", "plant", "bolt", spend_per_year=100.0),
        link("e", "plant", "bolt", spend_per_year=100.0),
        link("f", "plant", "bolt", spend_per_year=100.0),
        link("g", "plant", "bolt", spend_per_year=100.0),
        link("h", "plant", "bolt", spend_per_year=100.0),
        link("i", "plant", "bolt", spend_per_year=100.0),
    ]
    where = {"a": ("TW", "Asia"), "b": ("TW", "Asia")}
    where |= {s: (s.upper(), "EU") for s in "cdefghi"}
    report = analyze_structure(make_spec(links, produces={"plant": ["pump"]}, where=where))
    found = {
        (f.subject, f.explanation.split(":")[0].rsplit(" ", 1)[-1]): f
        for f in report.by_category("concentration")
    }
    assert set(found) == {("chip", "supplier"), ("chip", "country"), ("bolt", "region")}
    assert found[("chip", "supplier")].value == pytest.approx(0.52)
    assert found[("chip", "supplier")].severity == "high"
    assert "a-co 60%, b-co 40%" in found[("chip", "supplier")].explanation
    assert found[("chip", "country")].value == 1.0
    assert found[("bolt", "region")].value == 1.0  # seven countries, one region


def test_item_concentration_weighs_spend_else_capacity_else_links() -> None:
    rows = [
        concentration.SupplyShare("x", "a", None, None, None, 30.0),
        concentration.SupplyShare("x", "b", None, None, None, 10.0),
        concentration.SupplyShare("y", "a", None, None, 5.0, None),
        concentration.SupplyShare("y", "b", None, None, None, None),
    ]
    found = {(c.item, c.dimension): c for c in concentration.item_concentration(rows)}
    assert set(found) == {("x", "supplier"), ("y", "supplier")}
    assert (found[("x", "supplier")].basis, found[("x", "supplier")].hhi) == ("capacity", 0.625)
    assert (found[("y", "supplier")].basis, found[("y", "supplier")].hhi) == ("links", 0.5)


def test_bottleneck_min_cut_through_a_warehouse() -> None:
    """Two sources of 100/day feed a warehouse whose one link to the plant carries 50/day; the
    pump needs 2 per unit at 40/day = 80/day: max flow 50, cut the warehouse link, so the pump
    is short by 40 x (1 - 50/80) = 15 units/day."""
    links = [
        link("s1", "wh", "c", capacity_per_day=100),
        link("s2", "wh", "c", capacity_per_day=100),
        link("wh", "plant", "c", capacity_per_day=50, id="wh-to-plant"),
    ]
    produces = {"plant": ["pump"], "s1": ["c"], "s2": ["c"]}
    report = analyze_structure(make_spec(links, produces=produces, bom=[("pump", "c", 2)]))
    [finding] = report.by_category("bottleneck")
    assert (finding.subject, finding.product, finding.value, finding.severity) == (
        "c",
        "pump",
        15.0,
        "high",
    )
    assert "the min cut is wh-to-plant (50/day)" in finding.explanation
    assert "against a need of 80 units/day (62%)" in finding.explanation
    # the warehouse passes the part on: the sources are not single points of failure
    assert subjects(report, "spof") == {"plant", "wh"}


def parse_link(data: dict[str, Any]) -> Link:
    return Link(id=f"{data['source']}-{data['target']}", kind="supplies", **data)


def test_one_hop_capacity_is_the_sum_of_links_and_unknown_capacity_is_unlimited() -> None:
    links = [
        link("s1", "plant", "c", capacity_per_day=30),
        link("s2", "plant", "c", capacity_per_day=20),
    ]
    short = capacity.bottlenecks(
        [parse_link(x) for x in links], {"c": 60.0}, producers={}, users={"c": {"plant"}}
    )
    assert [(b.capacity, b.coverage) for b in short] == [(50.0, 50 / 60)]
    assert (
        capacity.bottlenecks(
            [parse_link(x) for x in links], {"c": 50.0}, producers={}, users={"c": {"plant"}}
        )
        == []
    )
    unknown = [*links, link("s3", "plant", "c")]
    assert (
        capacity.bottlenecks(
            [parse_link(x) for x in unknown], {"c": 60.0}, producers={}, users={"c": {"plant"}}
        )
        == []
    )


def test_switching_compares_ttr_and_qualification_with_the_cover() -> None:
    """400 on hand at a daily use of min(link capacity 60, BOM need 40) = 40 is 10 days of cover:
    a TTR of 56 and a qualification of 180 both outlast it (high; 56 - 10 = 46 days short);
    with a 5-day qualification only the TTR does (moderate)."""
    links = [
        link("cast", "plant", "housing", capacity_per_day=60, ttr_days=56, qualification_days=180),
        link("gear", "plant", "gearbox", capacity_per_day=60, ttr_days=56, qualification_days=5),
        link("seal", "plant", "seal", capacity_per_day=60, ttr_days=56, alternates=["gear"]),
    ]
    spec = make_spec(
        links,
        produces={"plant": ["pump"]},
        bom=[("pump", "housing", 1), ("pump", "gearbox", 1), ("pump", "seal", 1)],
        inventory=[("plant", "housing", 400), ("plant", "gearbox", 400)],
    )
    found = {f.subject: f for f in analyze_structure(spec).by_category("switching")}
    assert set(found) == {"cast-housing-plant", "gear-gearbox-plant"}
    assert (found["cast-housing-plant"].severity, found["cast-housing-plant"].value) == (
        "high",
        46.0,
    )
    assert (found["gear-gearbox-plant"].severity, found["gear-gearbox-plant"].value) == (
        "moderate",
        46.0,
    )
    assert "plant holds 10.0 days of housing (400 units at 40/day by BOM need)" in (
        found["cast-housing-plant"].explanation
    )


def test_visibility_shares_of_spend_and_critical_items_mapped_to_each_tier() -> None:
    """Tier-1 spend 300 (mapped two tiers down) + 100 (not mapped): 75% visible to tier 2, 75%
    to tier 3 only if the chain is three long; the unmapped critical link is a blind spot."""
    links = [
        link("t1a", "plant", "housing", spend_per_year=300.0),
        link("t1b", "plant", "bolt", spend_per_year=100.0),
        link("t2", "t1a", "ingot"),
        link("t3", "t2", "ore"),
    ]
    spec = make_spec(links, produces={"plant": ["pump"]}, critical=["housing", "bolt"])
    report = analyze_structure(spec, visibility_tier=4)
    assert report.visibility == {
        "spend_share_tier_1": 1.0, "critical_share_tier_1": 1.0,
        "spend_share_tier_2": 0.75, "critical_share_tier_2": 0.5,
        "spend_share_tier_3": 0.75, "critical_share_tier_3": 0.5,
        "spend_share_tier_4": 0.0, "critical_share_tier_4": 0.0,
    }  # fmt: skip
    found = report.by_category("visibility")
    assert [(f.severity, f.subject) for f in found] == [
        ("moderate", "t1a-housing-plant"), ("moderate", "t1b-bolt-plant"), ("info", "oem"),
    ]  # fmt: skip
    assert found[-1].value == 0.0


def test_report_is_sorted_and_serialises() -> None:
    report = analyze_structure(podium.load(sample_path("manufacturer")))
    keys = [(SEVERITIES.index(f.severity), CATEGORIES.index(f.category)) for f in report.findings]
    assert keys == sorted(keys)
    assert json.loads(json.dumps(report.to_dict()))["ecosystem"] == "manufacturer"
    row = report.rows()[0]
    assert set(row) == {
        "category", "severity", "subject", "subject_tier", "product", "value", "explanation",
        "path",
    }  # fmt: skip
    assert isinstance(row["path"], str)
    assert report.counts()["hidden_subtier"] == len(report.by_category("hidden_subtier"))
    assert Finding("spof", "high", "x", None, None, "e").to_dict()["path"] == []


def test_no_orchestrator_no_tiers_and_cycles_are_cut() -> None:
    """A box maker and a warehouse ship boxes to each other: the loop is no second source, so
    the one cardboard mill stays critical."""
    links = [
        link("mill", "wa", "cardboard"),
        link("wa", "wb", "box"),
        link("wb", "wa", "box"),
        link("wb", "shop", "box"),
    ]
    spec = make_spec(links, produces={"wa": ["box"]}, demand={"box": 5})
    spec.actors[0].ecosystem_role = EcosystemRole.PARTICIPANT
    report = analyze_structure(spec)
    assert report.tiers == {} and report.visibility == {}
    assert subjects(report, "spof", "box") == {"wa", "mill"}


def test_generated_network_runs() -> None:
    spec = generate_ecosystem(sites=1500, tiers=4, seed=3)
    report = analyze_structure(spec)
    assert report.tiers["orchestrator"] == 0
    assert set(report.counts()) == set(CATEGORIES)
    assert report.by_category("spof") and report.by_category("sole_source")
    links = {link.id for link in spec.links}
    assert {f.subject for f in report.by_category("sole_source")} <= links
    assert all(f.severity in SEVERITIES for f in report.findings)


def test_docstring_examples_run() -> None:
    for module in (structure, supplygraph, concentration, capacity, visibility):
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
        assert result.failed == 0 and result.attempted > 0, module.__name__
