"""The TTR/TTS stress test: closed forms, hand-checked networks, exactness against the full LP."""

from __future__ import annotations

from typing import Any

import pytest

import podium
from podium.ecosystem.generate import generate_ecosystem
from podium.ecosystem.spec import EcosystemSpec
from podium.ecosystem.validation import parse_spec
from podium.mapping import reference
from podium.mapping.network import compile_network
from podium.mapping.resilience import (
    Scenario,
    ScenarioKind,
    ScenarioResult,
    StressTestReport,
    _job,
    scenarios_for,
    stress_test,
)
from podium.samples import SAMPLES

DEMAND = 10.0  # units/day of the product
PROFIT = 5.0  # currency/unit
TTR = 20.0  # days


def chain(
    *,
    suppliers: dict[str, float | None],
    stock: float = 0.0,
    quantity: float = 1.0,
    extra: dict[str, Any] | None = None,
) -> EcosystemSpec:
    """A plant making ``product`` from ``part`` bought from ``suppliers`` (site -> capacity/day).

    Every supplier recovers in ``TTR`` days; ``stock`` units of the part wait at the plant.
    """
    document: dict[str, Any] = {
        "name": "chain",
        "actors": [
            {"id": "oem", "name": "OEM", "kind": "manufacturer", "ecosystem_role": "orchestrator"},
            *(
                {"id": f"{s}-co", "name": s, "kind": "supplier", "region": f"R-{s}"}
                for s in suppliers
            ),
        ],
        "sites": [
            {"id": "plant", "actor": "oem", "name": "Plant", "produces": ["product"]},
            *({"id": s, "actor": f"{s}-co", "name": s, "produces": ["part"]} for s in suppliers),
        ],
        "items": [
            {
                "id": "product",
                "name": "Product",
                "kind": "product",
                "demand_per_day": DEMAND,
                "unit_profit": PROFIT,
            },
            {"id": "part", "name": "Part"},
        ],
        "links": [
            {
                "id": f"{s}-part",
                "kind": "supplies",
                "source": s,
                "target": "plant",
                "item": "part",
                "capacity_per_day": cap,
                "ttr_days": TTR,
            }
            for s, cap in suppliers.items()
        ],
        "bom": [{"parent": "product", "child": "part", "quantity": quantity}],
        "inventory": [{"site": "plant", "item": "part", "on_hand": stock}] if stock else [],
    }
    for key, rows in (extra or {}).items():
        document[key] = [*document.get(key, []), *rows]
    return parse_spec(document)


def result_of(report: StressTestReport, scenario: str) -> ScenarioResult:
    return next(r for r in report.results if r.scenario.id == scenario)


def test_single_supplier_without_stock_loses_all_demand_over_its_ttr() -> None:
    """Closed form of the TTR model (Simchi-Levi et al., Interfaces 45(5) 2015, model P(n)).

    With one source and no stock, nothing is made while it is down: lost units = d * TTR,
    PI = f * d * TTR and TTS = 0, so shortage days = TTR.
    """
    report = stress_test(chain(suppliers={"s1": 100.0}))
    result = result_of(report, "s1")
    assert result.lost_units == pytest.approx(DEMAND * TTR)
    assert result.performance_impact == pytest.approx(PROFIT * DEMAND * TTR)
    assert result.tts_days == 0.0 and result.tts_limited
    assert result.shortage_days == pytest.approx(TTR)
    assert result.products == ("product",)
    plant = result_of(report, "plant")  # no link gives its TTR: the default, 28 days
    assert plant.ttr_days == 28.0 and plant.risk_exposure_index == 1.0
    assert result.risk_exposure_index == pytest.approx(TTR / 28.0)


def test_stock_gives_days_of_supply_as_time_to_survive() -> None:
    """Closed form of the TTS model (Simchi-Levi et al., HBR 2014; Interfaces 2015, model T(n)).

    For a sole-sourced part, TTS is the stock's days of supply, s / (q * d), and the loss is
    f * (d * TTR - s / q) once TTR exceeds it: here 50 units at 2 per product and 10/day.
    """
    result = result_of(stress_test(chain(suppliers={"s1": None}, stock=50.0, quantity=2.0)), "s1")
    assert result.tts_days == pytest.approx(50.0 / (2.0 * DEMAND))
    assert result.lost_units == pytest.approx(DEMAND * TTR - 25.0)
    assert result.performance_impact == pytest.approx(PROFIT * (DEMAND * TTR - 25.0))
    assert result.shortage_days == pytest.approx(TTR - 2.5)


def test_stock_covering_the_ttr_means_no_loss() -> None:
    """Stock of 300 units covers 20 days at 10/day: PI = 0, TTS = 30 days (still limited)."""
    result = result_of(stress_test(chain(suppliers={"s1": 100.0}, stock=300.0)), "s1")
    assert result.performance_impact == 0.0 and result.lost_units == 0.0
    assert result.tts_days == pytest.approx(30.0) and result.tts_limited
    assert result.shortage_days == 0.0


def test_parallel_supplier_with_enough_capacity_makes_the_loss_harmless() -> None:
    """Two sources of 10/day each for a demand of 10/day: either one alone suffices."""
    report = stress_test(chain(suppliers={"s1": 10.0, "s2": 10.0}))
    for site in ("s1", "s2"):
        result = result_of(report, site)
        assert result.performance_impact == 0.0
        assert result.tts_days == 365.0 and not result.tts_limited
    assert result_of(report, "plant").performance_impact == pytest.approx(PROFIT * DEMAND * 28.0)


def test_parallel_supplier_short_of_capacity_covers_part_of_the_demand() -> None:
    """Sources of 6 and 7 units/day: without s1 the deficit is 4/day; 40 units of stock last
    10 days; the loss is f * (4 * 20 - 40)."""
    report = stress_test(chain(suppliers={"s1": 7.0, "s2": 6.0}, stock=40.0))
    result = result_of(report, "s1")
    assert result.tts_days == pytest.approx(10.0)
    assert result.lost_units == pytest.approx(4.0 * TTR - 40.0)
    assert result.performance_impact == pytest.approx(PROFIT * (4.0 * TTR - 40.0))
    other = result_of(report, "s2")  # deficit 3/day: 40 units last 13.3 days
    assert other.tts_days == pytest.approx(40.0 / 3.0)
    assert other.performance_impact == pytest.approx(PROFIT * (3.0 * TTR - 40.0))
    assert other.risk_exposure_index / result.risk_exposure_index == pytest.approx(0.5)


def test_a_utility_without_alternates_takes_the_plant_down_with_it() -> None:
    extra = {
        "actors": [{"id": "grid", "name": "Grid", "kind": "utility"}],
        "sites": [
            {"id": "substation", "actor": "grid", "name": "Substation", "kind": "substation"}
        ],
        "links": [
            {
                "id": "power",
                "kind": "powers",
                "source": "substation",
                "target": "plant",
                "ttr_days": 5.0,
            }
        ],
    }
    report = stress_test(chain(suppliers={"s1": None}, extra=extra))
    assert result_of(report, "substation").performance_impact == pytest.approx(
        PROFIT * DEMAND * 5.0
    )


def test_actor_region_and_custom_scenarios() -> None:
    spec = chain(suppliers={"s1": 10.0, "s2": 10.0})
    by_actor = stress_test(spec, by="actor")
    assert {r.scenario.id for r in by_actor.results} == {"oem", "s1-co", "s2-co"}
    by_region = stress_test(spec, by="region")
    assert {r.scenario.kind for r in by_region.results} == {ScenarioKind.REGION}
    both = Scenario("both", ScenarioKind.CUSTOM, "Both suppliers", ("s1", "s2"))
    custom = stress_test(spec, scenarios=[both])
    assert custom.by == "custom"
    assert custom.results[0].performance_impact == pytest.approx(PROFIT * DEMAND * TTR)
    with pytest.raises(ValueError, match="unknown site or actor 'nowhere'"):
        stress_test(spec, scenarios=[Scenario("x", ScenarioKind.CUSTOM, "x", ("nowhere",))])


def test_results_are_ranked_by_risk_exposure_index_and_serialise() -> None:
    report = stress_test(podium.load(SAMPLES["manufacturer"]))
    indices = [r.risk_exposure_index for r in report.results]
    assert indices == sorted(indices, reverse=True) and indices[0] == 1.0
    row = report.results[0].to_dict()
    assert {
        "scenario",
        "ttr_days",
        "tts_days",
        "performance_impact",
        "risk_exposure_index",
        "lost_units",
        "shortage_days",
    } <= set(row)
    assert report.to_dict()["results"][0] == row
    assert max(report.site_exposure().values()) == 1.0


def assert_matches_full_lp(spec: EcosystemSpec, by: str = "site") -> set[str]:
    """Check every scenario against its full LP solved from scratch (1e-6 relative)."""
    report = stress_test(spec, by=by, workers=1)
    net = compile_network(spec, default_ttr_days=28.0)
    found = {r.scenario.id: r for r in report.results}
    for scenario in scenarios_for(spec, by):
        nodes, ttr = _job(net, scenario)
        baseline = reference.performance_impact(net, [], ttr)[0]
        expected = reference.answer(net, nodes, ttr, 365.0, baseline_loss=baseline)
        got = found[scenario.id]
        assert got.performance_impact == pytest.approx(
            expected.performance_impact, rel=1e-6, abs=1e-6
        )
        assert got.tts_days == pytest.approx(expected.tts_days, rel=1e-6, abs=1e-6)
        assert got.lost_units == pytest.approx(expected.lost_units, rel=1e-6, abs=1e-6)
    return {r.method for r in report.results}


def test_sample_matches_the_full_lp_of_every_scenario() -> None:
    spec = podium.load(SAMPLES["manufacturer"])
    methods = assert_matches_full_lp(spec) | assert_matches_full_lp(spec, by="region")
    assert "subnetwork" in methods


def test_a_network_short_of_capacity_measures_pi_against_its_undisrupted_loss() -> None:
    """Capacity 8/day for a demand of 10/day loses 2/day even undisrupted: the full LP is solved
    for every scenario and PI counts only the disruption's extra loss. Over 20 days with 30
    units of stock: 170 units lost with the supplier down, 10 without; PI = f * 160."""
    spec = chain(suppliers={"s1": 8.0}, stock=30.0)
    assert assert_matches_full_lp(spec) == {"full"}
    result = result_of(stress_test(spec), "s1")
    assert result.performance_impact == pytest.approx(PROFIT * 8.0 * TTR)
    assert result.lost_units == pytest.approx(DEMAND * TTR - 30.0)


@pytest.mark.parametrize("seed", [3, 11])
def test_generated_networks_match_the_full_lp_of_every_scenario(seed: int) -> None:
    methods = assert_matches_full_lp(generate_ecosystem(sites=150, tiers=3, seed=seed))
    assert "subnetwork" in methods


def test_parallel_workers_give_the_same_answers() -> None:
    spec = generate_ecosystem(sites=120, tiers=3, seed=5)
    one = stress_test(spec, workers=1).to_dict()["results"]
    two = stress_test(spec, workers=2).to_dict()["results"]
    assert [r["scenario"] for r in one] == [r["scenario"] for r in two]
    assert [r["performance_impact"] for r in one] == pytest.approx(
        [r["performance_impact"] for r in two]
    )


def test_progress_reports_every_scenario() -> None:
    calls: list[tuple[int, int]] = []
    stress_test(
        chain(suppliers={"s1": 10.0}), progress=lambda done, total: calls.append((done, total))
    )
    assert calls[-1] == (calls[-1][1], calls[-1][1])
