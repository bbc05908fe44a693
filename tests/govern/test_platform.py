"""Platform dependency (pure): the index against hand computations, missing answers, exposure on
the map, and the terms-change scenario against closed forms of the TTR/TTS stress test."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pytest

import podium
from podium.ecosystem.spec import EcosystemSpec
from podium.ecosystem.validation import parse_spec
from podium.govern import platform
from podium.mapping import resilience
from podium.samples import SAMPLES

# --- the index ------------------------------------------------------------------------------------

ALL_ANSWERED = {
    "terms_change": 3, "data_migration": 4, "workflow_portability": 2, "competes_with_us": 0,
    "backup_options": 1, "service_levels": 3, "customer_relationship": 2, "pricing_exposure": 4,
}  # fmt: skip


def answers(scores: Mapping[str, int | None], **notes: str) -> dict[str, dict[str, Any]]:
    return {key: {"score": s, "note": notes.get(key, "")} for key, s in scores.items()}


def test_questionnaire_covers_the_issue_and_spells_out_every_level() -> None:
    assert [q.key for q in platform.QUESTIONS] == list(ALL_ANSWERED)
    assert all(len(q.levels) == 5 and all(q.levels) for q in platform.QUESTIONS)
    assert math.isclose(sum(q.weight for q in platform.QUESTIONS), 10.0)
    assert platform.QUESTION_BY_KEY["data_migration"].levels[4] == "No export."
    assert set(platform.CATEGORIES) == {
        "cloud", "ai_infrastructure", "logistics_platform", "procurement_network",
        "marketplace", "payments",
    }  # fmt: skip


def test_index_of_a_full_questionnaire_by_hand() -> None:
    """Hand computation: sum(w * s) = 1.5*3 + 1.5*4 + 1*2 + 1*0 + 1.5*1 + 1*3 + 1.5*2 + 1*4 = 24,
    over 4 * sum(w) = 40, so the index is 100 * 24 / 40 = 60 (moderate: 33 <= 60 < 66)."""
    result = platform.dependency_index(answers(ALL_ANSWERED, data_migration="no API"))
    assert result.index == pytest.approx(60.0)
    assert result.band == "moderate"
    assert result.coverage == 1.0 and result.missing == ()
    points = {r.key: r.points for r in result.reasons}
    assert points == pytest.approx(
        {
            "data_migration": 15.0,  # 100 * 1.5 * 4 / 40
            "terms_change": 11.25,
            "pricing_exposure": 10.0,
            "service_levels": 7.5,
            "customer_relationship": 7.5,
            "workflow_portability": 5.0,
            "backup_options": 3.75,
            "competes_with_us": 0.0,
        }
    )
    # Largest first; ties in questionnaire order.
    assert [r.key for r in result.reasons][:5] == [
        "data_migration", "terms_change", "pricing_exposure", "service_levels",
        "customer_relationship",
    ]  # fmt: skip
    top = result.reasons[0]
    assert top.level == "No export." and top.note == "no API" and top.score == 4


def test_the_explanation_sums_exactly_to_the_index() -> None:
    for scores in (
        ALL_ANSWERED,
        {**ALL_ANSWERED, "backup_options": None},
        dict.fromkeys(ALL_ANSWERED, 4),
    ):
        result = platform.dependency_index(answers(scores))
        assert result.index is not None
        assert math.fsum(r.points for r in result.reasons) == result.index


def test_missing_answers_are_reported_never_zero() -> None:
    """Unanswered data_migration (w 1.5) and pricing_exposure (w 1): the index is over the rest,
    100 * (24 - 6 - 4) / (4 * 7.5) = 46.67, not 100 * 14 / 40 = 35 as zeros would give."""
    scores = {**ALL_ANSWERED, "data_migration": None}
    del scores["pricing_exposure"]
    result = platform.dependency_index(answers(scores))
    assert result.missing == ("data_migration", "pricing_exposure")
    assert result.coverage == pytest.approx(0.75)
    assert result.index == pytest.approx(100 * 14 / 30)
    assert {r.key for r in result.reasons} == set(scores) - {"data_migration"}


def test_below_the_minimum_coverage_the_index_is_refused() -> None:
    thin = platform.dependency_index(answers({"data_migration": 4, "terms_change": 4}))
    assert thin.coverage == pytest.approx(0.3)
    assert (thin.index, thin.band, thin.reasons) == (None, "incomplete", ())
    assert len(thin.missing) == 6
    # Exactly half of the weight (1.5 + 1.5 + 1 + 1 = 5 of 10) is enough.
    half = platform.dependency_index(
        answers(
            {"data_migration": 4, "terms_change": 0, "service_levels": 2, "pricing_exposure": 0}
        )
    )
    assert half.coverage == pytest.approx(0.5)
    assert half.index == pytest.approx(100 * (6 + 2) / 20)
    assert platform.dependency_index({}).index is None


@pytest.mark.parametrize(
    ("index", "band"),
    [(0.0, "low"), (32.99, "low"), (33.0, "moderate"), (65.99, "moderate"), (66.0, "high"),
     (100.0, "high"), (None, "incomplete")],
)  # fmt: skip
def test_bands(index: float | None, band: str) -> None:
    assert platform.band_of(index) == band


def test_answer_errors_name_the_field() -> None:
    bad = {
        "data_migration": {"score": 5},
        "terms_change": {"score": True},
        "backup_options": {"score": "3"},
        "service_levels": {"score": 2, "note": 7},
        "customer_relationship": 3,
        "vibes": {"score": 1},
    }
    assert platform.answer_errors(bad) == [
        ("/answers/vibes", "unknown question 'vibes'; one of " + ", ".join(ALL_ANSWERED)),
        ("/answers/data_migration/score", "score must be 0, 1, 2, 3 or 4, not 5"),
        ("/answers/terms_change/score", "score must be 0, 1, 2, 3 or 4, not True"),
        ("/answers/backup_options/score", "score must be 0, 1, 2, 3 or 4, not '3'"),
        ("/answers/service_levels/note", "note must be text"),
        ("/answers/customer_relationship", "give an object with score and note"),
    ]
    with pytest.raises(ValueError, match="/answers/vibes"):
        platform.dependency_index(bad)


# --- a tiny network with closed forms -----------------------------------------------------------

DEMAND, PROFIT, PER_UNIT = 10.0, 50.0, 2.0  # widgets/day, EUR/widget, parts/widget


def tiny(
    *, stock: float = 60.0, finished: float = 0.0, hub_capacity: float | None = None, **extra: Any
) -> EcosystemSpec:
    """A hub (logistics platform) is the sole source of parts for a plant that makes widgets
    (2 parts each, 10/day, 50 EUR profit each); a cloud hosts the plant's data (no alternate)."""
    actors = [
        {"id": "oem", "name": "OEM", "kind": "manufacturer", "ecosystem_role": "orchestrator"},
        {"id": "hub", "name": "Hub", "kind": "logistics", "ecosystem_role": "partner"},
        {"id": "cloud", "name": "Cloud", "kind": "technology", "ecosystem_role": "partner"},
        {"id": "buyer", "name": "Buyer", "kind": "customer"},
        *extra.get("actors", []),
    ]
    sites = [
        {"id": "plant", "actor": "oem", "name": "Plant", "produces": ["widget"]},
        {"id": "hub-dc", "actor": "hub", "name": "Hub DC", "produces": ["part"]},
        {"id": "cloud-dc", "actor": "cloud", "name": "Cloud DC", "kind": "data_centre"},
        *extra.get("sites", []),
    ]
    links = [
        {"id": "l-part", "kind": "supplies", "source": "hub-dc", "target": "plant",
         "item": "part", "capacity_per_day": hub_capacity, "ttr_days": 30},
        {"id": "l-host", "kind": "hosts_data", "source": "cloud-dc", "target": "plant"},
        {"id": "l-sale", "kind": "sells_to", "source": "plant", "target": "buyer",
         "item": "widget"},
        *extra.get("links", []),
    ]  # fmt: skip
    inventory = [{"site": "plant", "item": "part", "on_hand": stock}]
    if finished:
        inventory.append({"site": "plant", "item": "widget", "on_hand": finished})
    return parse_spec(
        {
            "name": "tiny",
            "actors": actors,
            "sites": sites,
            "items": [
                {"id": "widget", "name": "Widget", "kind": "product",
                 "demand_per_day": DEMAND, "unit_profit": PROFIT},
                {"id": "part", "name": "Part"},
            ],
            "links": links,
            "bom": [{"parent": "widget", "child": "part", "quantity": PER_UNIT}],
            "inventory": inventory,
        }
    )  # fmt: skip


def lost_profit(days: float, share: float, stock: float, supply: float) -> float:
    """Closed form: with parts arriving at ``share * supply``/day and ``stock`` parts on hand,
    the plant is short of max(0, days * (D*q - share*supply) - stock) parts over ``days``,
    i.e. that / q widgets, each losing the unit profit."""
    need = DEMAND * PER_UNIT
    return PROFIT * max(0.0, days * (need - share * supply) - stock) / PER_UNIT


def test_losing_the_sole_source_for_n_days_costs_the_closed_form() -> None:
    """Simchi-Levi et al. (Interfaces 45(5), 2015): PI is the profit lost over the disruption
    with the remaining stock used. Hub down 7 days, 60 parts on hand, 20 parts/day needed:
    TTS = 60 / 20 = 3 days; lost widgets (7*20 - 60) / 2 = 40; PI = 40 * 50 = 2,000 EUR."""
    impact = platform.terms_change(tiny(), "hub", days=7)
    assert impact.performance_impact == pytest.approx(2000.0)
    assert impact.performance_impact == pytest.approx(lost_profit(7, 0.0, 60.0, 20.0))
    assert impact.lost_units == pytest.approx(40.0)
    assert impact.tts_days == pytest.approx(3.0) and impact.tts_limited
    assert impact.shortage_days == pytest.approx(4.0)
    assert impact.products == ("widget",)
    assert impact.sites_affected == ("hub-dc",)


def test_a_short_loss_the_stock_covers_costs_nothing() -> None:
    impact = platform.terms_change(tiny(), "hub", days=2)  # 2 * 20 = 40 <= 60 parts on hand
    assert impact.performance_impact == pytest.approx(0.0)
    assert impact.products == () and impact.shortage_days == 0.0


def test_degrading_to_half_of_the_drawn_output_by_hand() -> None:
    """No capacity declared: the hub's capacity is what the plant draws, 20 parts/day; at 50%
    it ships 10/day. Over 7 days the plant is short 7*(20-10) - 60 = 10 parts = 5 widgets:
    PI = 250 EUR; TTS = 60 / (20 - 10) = 6 days."""
    impact = platform.terms_change(tiny(), "hub", days=7, capacity_share=0.5)
    assert impact.performance_impact == pytest.approx(250.0)
    assert impact.performance_impact == pytest.approx(lost_profit(7, 0.5, 60.0, 20.0))
    assert impact.tts_days == pytest.approx(6.0)
    assert impact.lost_units == pytest.approx(5.0)
    assert impact.method == "degraded"


def test_degrading_a_declared_capacity_by_hand() -> None:
    """Declared capacity 30 parts/day: at 50% the hub ships 15/day, 5 short of the 20 needed;
    60 parts on hand last TTS = 60 / 5 = 12 days; over 14 days 14*5 - 60 = 10 parts short:
    PI = 5 widgets * 50 = 250 EUR."""
    spec = tiny(hub_capacity=30.0)
    impact = platform.terms_change(spec, "hub", days=14, capacity_share=0.5)
    assert impact.tts_days == pytest.approx(12.0)
    assert impact.performance_impact == pytest.approx(lost_profit(14, 0.5, 60.0, 30.0))
    kept = platform.terms_change(spec, "hub", days=14, capacity_share=0.7)  # 21 >= 20 parts/day
    assert kept.performance_impact == pytest.approx(0.0) and not kept.tts_limited


def test_a_degradation_approaching_zero_approaches_the_loss() -> None:
    spec = tiny()
    lost = platform.terms_change(spec, "hub", days=10)
    almost = platform.terms_change(spec, "hub", days=10, capacity_share=1e-9)
    assert almost.performance_impact == pytest.approx(lost.performance_impact, rel=1e-6)
    assert almost.tts_days == pytest.approx(lost.tts_days, rel=1e-6)
    unchanged = platform.terms_change(spec, "hub", days=10, capacity_share=1.0)
    assert unchanged.performance_impact == pytest.approx(0.0)


def test_losing_the_cloud_takes_the_plant_it_hosts_down() -> None:
    """hosts_data without an alternate: the plant goes down with the cloud. Finished stock of
    30 widgets lasts TTS = 30 / 10 = 3 days; over 5 days (5*10 - 30) * 50 = 1,000 EUR lost."""
    impact = platform.terms_change(tiny(finished=30.0), "cloud", days=5)
    assert set(impact.sites_affected) == {"cloud-dc", "plant"}
    assert impact.tts_days == pytest.approx(3.0)
    assert impact.performance_impact == pytest.approx(1000.0)
    half = platform.terms_change(tiny(finished=30.0), "cloud", days=5, capacity_share=0.5)
    # The plant makes 5/day (half its 10): short 5/day, 30 in stock: TTS 6 days, no loss in 5.
    assert half.tts_days == pytest.approx(6.0) and half.performance_impact == pytest.approx(0.0)


def test_a_loss_equals_the_stress_test_of_the_same_scenario() -> None:
    """The terms change is the engine's scenario with the platform down for N days instead of
    its TTR: on the manufacturer sample it equals a custom scenario whose TTR is N (the
    platform's links without a TTR of their own, and N as the default)."""
    spec = podium.load(SAMPLES["manufacturer"])
    sites = platform.exposure(spec, "blue-anchor").sites
    impact = platform.terms_change(spec, "blue-anchor", days=21)
    same = spec.model_copy(deep=True)
    for link in same.links:
        if link.source in sites:
            link.ttr_days = None
    scenario = resilience.Scenario("ba", resilience.ScenarioKind.CUSTOM, "Blue Anchor", sites)
    (expected,) = resilience.stress_test(same, scenarios=[scenario], default_ttr_days=21.0).results
    assert expected.ttr_days == 21.0
    assert impact.performance_impact == pytest.approx(expected.performance_impact)
    assert impact.tts_days == pytest.approx(expected.tts_days)
    assert impact.lost_units == pytest.approx(expected.lost_units)
    assert impact.products == expected.products
    assert impact.performance_impact > 0


def test_bad_scenarios_are_refused() -> None:
    with pytest.raises(ValueError, match="days"):
        platform.terms_change(tiny(), "hub", days=0)
    with pytest.raises(ValueError, match="capacity_share"):
        platform.terms_change(tiny(), "hub", days=3, capacity_share=1.5)
    with pytest.raises(ValueError, match="no actor 'nobody'"):
        platform.terms_change(tiny(), "nobody", days=3)


# --- exposure -------------------------------------------------------------------------------------


def test_exposure_of_a_sole_source() -> None:
    found = platform.exposure(tiny(), "hub")
    assert found.sites == ("hub-dc",)
    assert [link.id for link in found.links] == ["l-part"]
    assert found.down_with == ()  # supplies links do not take their target down
    assert found.dependent_sites == ("plant",)
    assert found.items == ("part", "widget")
    assert found.products == ("widget",)
    assert found.stopped_products == ("widget",)


def test_exposure_of_a_host_takes_its_dependents_down() -> None:
    found = platform.exposure(tiny(), "cloud")
    assert found.down_with == ("plant",)
    assert found.products == ("widget",) and found.stopped_products == ("widget",)
    assert found.to_dict()["links"][0] == {
        "id": "l-host", "kind": "hosts_data", "source": "cloud-dc", "target": "plant",
        "item": None, "alternates": [],
    }  # fmt: skip


def test_an_alternate_source_leaves_products_dependent_but_not_stopped() -> None:
    second: dict[str, Any] = {
        "actors": [{"id": "alt", "name": "Alt", "kind": "supplier"}],
        "sites": [{"id": "alt-plant", "actor": "alt", "name": "Alt plant", "produces": ["part"]}],
        "links": [
            {
                "id": "l-alt",
                "kind": "supplies",
                "source": "alt-plant",
                "target": "plant",
                "item": "part",
            }
        ],
    }
    spec = tiny(**second)
    found = platform.exposure(spec, "hub")
    assert found.products == ("widget",) and found.stopped_products == ()
    # The alternate (uncapacitated) takes over: losing the hub costs nothing.
    assert platform.terms_change(spec, "hub", days=30).performance_impact == pytest.approx(0.0)


def test_exposure_of_an_actor_without_sites_or_links() -> None:
    found = platform.exposure(tiny(), "buyer")  # named by a sells_to link: a place of its own
    assert found.sites == ("buyer",) and found.products == ()
    with pytest.raises(ValueError, match="no actor"):
        platform.exposure(tiny(), "ghost")


def test_exposure_on_the_sample_cloud() -> None:
    """Nimbus hosts the MES/ERP of all three Hartwell plants with no alternate."""
    spec = podium.load(SAMPLES["manufacturer"])
    found = platform.exposure(spec, "nimbus")
    assert set(found.down_with) == {"hartwell-stuttgart", "hartwell-gyor", "hartwell-queretaro"}
    assert {"e-axle-hd", "e-axle-md"} <= set(found.products)
    assert set(found.stopped_products) <= set(found.products)
