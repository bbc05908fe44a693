"""The misalignment rules of :mod:`podium.align.incentives`, row by row of the module's table:
what fires, its severity and reason in numbers, the mechanisms and their computed effects."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from podium.align.incentives import (
    Agreement,
    Exposure,
    Thresholds,
    alignment_score,
    check,
    check_all,
    is_critical,
    money,
)
from podium.align.switching import contract_switch

CRITICAL: dict[str, Any] = {
    "rei": 0.62, "performance_impact": 1.2e6, "pi_rank": 3, "ranked": 40, "ttr_days": 84.0,
    "tts_days": 21.0, "alternates": 0,
}  # fmt: skip
HARMLESS: dict[str, Any] = {
    "rei": 0.05, "performance_impact": 9.0e4, "pi_rank": 30, "ranked": 40, "ttr_days": 14.0,
    "tts_days": 30.0, "alternates": 2,
}  # fmt: skip
ASSURED: dict[str, Any] = {
    "contract_type": "capacity_reservation", "metrics": ("unit_price", "resilience", "otif"),
    "term_months": 36, "volume_commitment": 20000.0, "data_access": True, "preferred": True,
}  # fmt: skip

CASES = [
    # (id, agreement, exposure, rules that fire)
    ("unit price on a critical sole source", {"metrics": ("unit_price",), "term_months": 12},
     CRITICAL, {"cost_focus_on_critical", "no_capacity_assurance", "short_term_sole_source"}),
    ("the same partner, assured", ASSURED, CRITICAL, set()),
    ("unit price on a harmless dual source", {"metrics": ("unit_price",), "term_months": 12},
     HARMLESS, set()),
    ("resilience rewarded, but a short term", {"metrics": ("unit_price", "resilience"),
     "term_months": 12, "volume_commitment": 1.0}, CRITICAL, {"short_term_sole_source"}),
    ("carrier paid on shipment cost", {"metrics": ("shipment_cost",), "term_months": 36},
     {"spend_share": 0.35, "otif": 0.84, "alternates": 3}, {"reliability_not_rewarded"}),
    ("carrier paid on OTIF", {"metrics": ("shipment_cost", "otif"), "term_months": 36},
     {"spend_share": 0.35, "otif": 0.84, "alternates": 3}, set()),
    ("a small partner on time", {"metrics": ("unit_price",), "term_months": 36},
     {"spend_share": 0.05, "otif": 0.97, "alternates": 1}, set()),
    ("builds to forecasts without data", {"metrics": ("volume",), "term_months": 36},
     {"builds_to_forecast": True, "forecast_wape": 0.28, "alternates": 1}, {"forecast_blind"}),
    ("builds to forecasts with data", {"data_access": True, "term_months": 36},
     {"builds_to_forecast": True, "alternates": 1}, set()),
    ("cost plus", {"contract_type": "cost_plus", "term_months": 36}, {"alternates": 1},
     {"cost_plus_no_gain"}),
    ("a SPOF without a known alternate count", {"metrics": ("unit_price",), "term_months": 36,
     "volume_commitment": 5.0}, {"spof_for": ("e-axle",)}, {"cost_focus_on_critical"}),
]  # fmt: skip


def agreement(**changes: Any) -> Agreement:
    values: dict[str, Any] = {"partner": "velora", "contract_type": "wholesale"} | changes
    return Agreement(**values)


def exposure(values: Mapping[str, Any]) -> Exposure:
    return Exposure(partner="velora", **values)


@pytest.mark.parametrize(
    ("terms", "needs", "rules"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_rule_table(terms: dict[str, Any], needs: dict[str, Any], rules: set[str]) -> None:
    """Each row of the rule table fires exactly where its conditions hold."""
    found = check(agreement(**terms), exposure(needs))
    assert {f.rule for f in found} == rules


def test_reason_in_words_and_numbers() -> None:
    """'paid on unit price, but PI rank 3 of 40 ... and no alternate', severity high."""
    found = {f.rule: f for f in check(agreement(metrics=("unit_price",)), exposure(CRITICAL))}
    cost = found["cost_focus_on_critical"]
    assert cost.severity == "high"
    assert cost.reason == (
        "wholesale contract paid on unit price, but PI rank 3 of 40 (REI 0.62, 1.2M EUR lost "
        "per disruption), no alternate"
    )
    capacity = found["no_capacity_assurance"]
    assert "recovery takes 84 days against 21 days of survival" in capacity.reason
    assert capacity.numbers["pi_rank"] == 3 and capacity.numbers["ranked"] == 40


def test_resilience_bonus_is_sized_to_the_avoided_loss() -> None:
    """Bonus = 50% x 0.1 disruptions a year x PI 1.2M = 60k EUR a year; the volume commitment
    covers the 84 - 21 = 63-day shortage."""
    found = {f.rule: f for f in check(agreement(metrics=("unit_price",)), exposure(CRITICAL))}
    bonus = found["cost_focus_on_critical"].mechanisms[0]
    assert bonus.key == "resilience_bonus"
    assert bonus.effect == pytest.approx(60_000.0)
    assert bonus.effect_unit == "EUR per year"
    assert [m.key for m in found["cost_focus_on_critical"].mechanisms] == [
        "resilience_bonus", "preferred_status",
    ]  # fmt: skip
    volume = found["no_capacity_assurance"].mechanisms[0]
    assert (volume.key, volume.effect) == ("volume_commitment", pytest.approx(63.0))
    bigger = Thresholds(disruption_rate_per_year=0.25, bonus_share=0.4)
    scaled = check(agreement(metrics=("unit_price",)), exposure(CRITICAL), bigger)[0]
    assert scaled.mechanisms[0].effect == pytest.approx(0.4 * 0.25 * 1.2e6)


def test_otif_gap_is_the_effect_of_the_bonus_malus() -> None:
    """OTIF 84% against 95%: 11 points to close; medium severity (not critical)."""
    (found,) = check(agreement(metrics=("shipment_cost",), term_months=36),
                     exposure({"spend_share": 0.35, "otif": 0.84, "alternates": 3}))  # fmt: skip
    assert found.severity == "medium"
    assert found.mechanisms[0].effect == pytest.approx(0.11)
    assert "carries 35% of inbound spend and OTIF 84.0% against a 95% target" in found.reason


@pytest.mark.parametrize(
    ("needs", "critical"),
    [
        ({"pi_rank": 3, "ranked": 40, "performance_impact": 1.0}, True),
        ({"pi_rank": 4, "ranked": 40, "performance_impact": 1.0}, True),  # top 10% of 40 = 4
        ({"pi_rank": 5, "ranked": 40, "performance_impact": 1.0}, False),
        ({"pi_rank": 10, "ranked": 100, "performance_impact": 1.0}, True),
        ({"pi_rank": 11, "ranked": 100, "performance_impact": 1.0}, False),
        ({"pi_rank": 1, "ranked": 40, "performance_impact": 0.0}, False),  # harmless
        ({"rei": 0.5}, True),
        ({"rei": 0.49}, False),
        ({"spof_for": ("inverter",)}, True),
        ({}, False),
    ],
)
def test_criticality(needs: dict[str, Any], critical: bool) -> None:
    assert is_critical(exposure(needs), Thresholds()) is critical


def test_double_marginalisation_uses_the_switch() -> None:
    """A wholesale contract at 78% efficiency is flagged with the switch's gain as the effect."""

    def switch(terms: Mapping[str, Any]) -> Mapping[str, Any]:
        assert terms == {"wholesale": 5.0}
        return {"efficiency": 0.78, "gain": 1500.0, "wholesale": 5.0, "detail": "buyback at 3"}

    terms = agreement(metrics=("volume",), term_months=36, terms={"wholesale": 5.0})
    (found,) = check(terms, exposure({"alternates": 2}), switch=switch)
    assert found.rule == "double_marginalisation" and found.severity == "low"
    assert found.mechanisms[0].effect == 1500.0
    assert found.numbers["efficiency"] == 0.78
    assert check(terms, exposure({"alternates": 2})) == []  # no switch: not evaluated


def test_check_all_flags_critical_partners_without_agreement_and_orders() -> None:
    exposures = {
        "velora": exposure(CRITICAL),
        "kinsei": Exposure("kinsei", rei=1.0, performance_impact=2.0e6, pi_rank=1, ranked=40),
        "orbis": Exposure("orbis", **HARMLESS),
    }
    found = check_all([agreement(metrics=("unit_price",), term_months=36)], exposures)
    assert [(f.partner, f.rule, f.severity) for f in found] == [
        ("velora", "cost_focus_on_critical", "high"),
        ("velora", "no_capacity_assurance", "high"),
        ("kinsei", "no_agreement_on_critical", "medium"),
    ]
    assert "no commercial agreement declared, but PI rank 1 of 40" in found[2].reason
    assert alignment_score(f for f in found if f.partner == "velora") == 0.0
    assert alignment_score(f for f in found if f.partner == "kinsei") == pytest.approx(0.75)
    assert alignment_score([]) == 1.0


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"contract_type": "barter"}, "contract_type"),
        ({"metrics": ("unit_price", "happiness")}, "metrics"),
        ({"term_months": 0}, "term_months"),
        ({"volume_commitment": -1.0}, "volume_commitment"),
    ],
)
def test_bad_agreement_names_the_field(values: dict[str, Any], field: str) -> None:
    with pytest.raises(ValueError, match=rf"^{field}:"):
        agreement(**values)


def test_bad_thresholds_and_mismatched_partner() -> None:
    with pytest.raises(ValueError, match="critical_rei"):
        Thresholds(critical_rei=1.5)
    with pytest.raises(ValueError, match="partner"):
        check(agreement(), Exposure("kinsei"))


def test_money() -> None:
    assert [money(v, "EUR") for v in (1.2e6, 240_000.0, 900.0, 3.4e9)] == [
        "1.2M EUR", "240k EUR", "900 EUR", "3.4bn EUR",
    ]  # fmt: skip


def test_forecast_blind_is_at_most_medium() -> None:
    """A critical sole source that builds blind is a medium finding (it does not stop supply)."""
    found = check(
        agreement(metrics=("resilience",), term_months=36, volume_commitment=1.0),
        exposure(CRITICAL | {"builds_to_forecast": True}),
    )
    assert [(f.rule, f.severity) for f in found] == [("forecast_blind", "medium")]


def test_contract_switch_recovers_the_integrated_profit() -> None:
    """Newsvendor p = 10, c = 1, v = 0, D ~ N(1000, 300), w = 5 (the issue's example): the
    wholesale chain falls short of the integrated optimum; the buyback in the middle of the deal
    zone, b = (p - v)(w - c)/(p - c), coordinates it and leaves both parties better off."""
    terms = {"price": 10, "cost": 1, "salvage": 0, "wholesale": 5, "demand": "normal:1000:300"}
    found = contract_switch(terms)
    assert found is not None
    assert found["efficiency"] < 0.95 and found["switch_efficiency"] == pytest.approx(1.0)
    assert found["gain"] == pytest.approx(found["integrated_profit"] - found["chain_profit"])
    w, b = found["switch_terms"]["wholesale"], found["switch_terms"]["buyback"]
    assert b == pytest.approx((10 - 0) * (w - 1) / (10 - 1))
    zone = found["deal_zone"]
    assert zone["low"] < w < zone["high"]
    (buyer_now, buyer_after), (supplier_now, supplier_after) = (
        found["buyer_profit"], found["supplier_profit"],
    )  # fmt: skip
    assert buyer_after > buyer_now and supplier_after > supplier_now
    assert buyer_after + supplier_after == pytest.approx(found["integrated_profit"])
    assert contract_switch({"price": 10, "cost": 1}) is None  # not enough terms
    with pytest.raises(ValueError, match=r"^salvage:"):
        contract_switch(terms | {"salvage": 2})
