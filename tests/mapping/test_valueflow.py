"""Value-flow balance: sums per actor, link rows to the source's actor, ratios and flags."""

from __future__ import annotations

import doctest
import json

import pytest

import podium
from podium.ecosystem.spec import EcosystemSpec
from podium.mapping import valueflow
from podium.mapping.valueflow import (
    MEANINGFUL_RISK_SHARE,
    RISKLESS_RISK_RATIO,
    UNCOMPENSATED_RISK_RATIO,
    value_flow_balance,
)
from podium.samples import sample_path
from tests.factories import small_spec


def spec_with(flows: list[dict[str, object]]) -> EcosystemSpec:
    return EcosystemSpec.model_validate(
        {
            "name": "flows",
            "actors": [
                {"id": a, "name": a, "kind": "supplier"} for a in ("oem", "cast", "cloud", "bank")
            ],
            "sites": [{"id": "foundry", "actor": "cast", "name": "Foundry"}],
            "links": [
                {"id": "l-site", "kind": "supplies", "source": "foundry", "target": "oem",
                 "item": "housing"},
                {"id": "l-actor", "kind": "finances", "source": "bank", "target": "oem"},
            ],
            "value_flows": flows,
        }
    )  # fmt: skip


def test_link_rows_count_for_the_actor_at_the_link_source() -> None:
    """small_spec: castco has an actor row (1.0e6, 0.3e6, risk 0.5e6) and its foundry's link
    row (2.0e5, 1.0e5, invested 5.0e4); the link row is added to castco."""
    [castco] = value_flow_balance(small_spec())
    assert castco.actor == "castco"
    assert (castco.created, castco.captured, castco.risk_borne, castco.invested) == (
        1.2e6, 0.4e6, 0.5e6, 5.0e4,
    )  # fmt: skip
    assert castco.capture_ratio == pytest.approx(0.4 / 1.2)
    assert (castco.risk_share, castco.capture_share, castco.risk_ratio) == (1.0, 1.0, 1.0)


def test_a_link_whose_source_is_an_actor_counts_for_that_actor_and_unknown_links_are_left_out() -> (
    None
):
    flows = [
        {"link": "l-site", "created": 10.0, "captured": 2.0},
        {"link": "l-actor", "created": 5.0, "captured": 1.0, "risk_borne": 3.0},
        {"link": "no-such-link", "created": 99.0},
    ]
    found = {b.actor: b for b in value_flow_balance(spec_with(flows))}
    assert set(found) == {"cast", "bank"}
    assert (found["cast"].created, found["bank"].risk_borne) == (10.0, 3.0)


def test_flags_uncompensated_risk_and_riskless_capture() -> None:
    """Risk 5 + 5 + 0 = 10, captured 20 + 1 + 2 = 23. cast: risk share 0.5, capture share 1/23,
    ratio 11.5 -> uncompensated. cloud: captures 2/23 with no risk and no investment -> riskless.
    oem: risk share 0.5, capture share 20/23, ratio 0.575, invests -> no flag."""
    flows = [
        {"actor": "oem", "created": 100.0, "captured": 20.0, "risk_borne": 5.0, "invested": 4.0},
        {"actor": "cast", "created": 10.0, "captured": 1.0, "risk_borne": 5.0},
        {"actor": "cloud", "created": 2.0, "captured": 2.0},
    ]
    balances = value_flow_balance(spec_with(flows))
    assert [(b.actor, b.flags) for b in balances] == [
        ("cast", ("uncompensated_risk",)), ("cloud", ("riskless_capture",)), ("oem", ()),
    ]  # fmt: skip
    cast, cloud, oem = balances
    assert cast.risk_ratio == pytest.approx(0.5 / (1 / 23))
    assert cloud.risk_ratio == 0.0 and cloud.capture_ratio == 1.0
    assert oem.risk_ratio == pytest.approx(0.5 / (20 / 23))
    assert "captures little value" in cast.explanation
    assert "EUR 5 of risk, 50.0% of the ecosystem's" in cast.explanation


def test_thresholds_bound_the_flags() -> None:
    """Just below the meaningful risk share, a heavy risk ratio is not flagged; investing
    removes the riskless flag; a ratio just above the riskless bound is not riskless."""
    assert (MEANINGFUL_RISK_SHARE, UNCOMPENSATED_RISK_RATIO, RISKLESS_RISK_RATIO) == (
        0.02, 1.5, 0.2,
    )  # fmt: skip
    flows = [
        {"actor": "oem", "created": 1000.0, "captured": 1000.0, "risk_borne": 1000.0},
        {"actor": "cast", "created": 10.0, "captured": 1.0, "risk_borne": 19.0},
        {"actor": "cloud", "created": 10.0, "captured": 100.0, "invested": 1.0},
        {"actor": "bank", "created": 10.0, "captured": 100.0, "risk_borne": 21.0},
    ]
    found = {b.actor: b for b in value_flow_balance(spec_with(flows))}
    assert found["cast"].risk_share < MEANINGFUL_RISK_SHARE and found["cast"].flags == ()
    assert found["cloud"].flags == ()
    assert found["bank"].risk_ratio is not None and found["bank"].risk_ratio > RISKLESS_RISK_RATIO
    assert found["bank"].flags == ()


def test_nothing_created_or_captured_gives_no_ratio() -> None:
    flows = [{"actor": "cast", "risk_borne": 5.0}, {"actor": "oem", "captured": 0.0}]
    found = {b.actor: b for b in value_flow_balance(spec_with(flows))}
    assert (found["cast"].capture_ratio, found["cast"].risk_ratio) == (None, None)
    assert found["cast"].flags == ("uncompensated_risk",)
    assert json.loads(json.dumps(found["cast"].to_dict()))["flags"] == ["uncompensated_risk"]


def test_manufacturer_sample_balances() -> None:
    balances = {b.actor: b for b in value_flow_balance(podium.load(sample_path("manufacturer")))}
    assert "uncompensated_risk" in balances["jiangbei"].flags
    assert balances["nimbus"].flags == ("riskless_capture",)
    assert balances["hartwell"].flags == ()
    total = sum(b.capture_share for b in balances.values())
    assert total == pytest.approx(1.0)


def test_docstring_examples_run() -> None:
    result = doctest.testmod(valueflow)
    assert result.failed == 0 and result.attempted > 0
