"""Value propositions of :mod:`podium.align.value`: each actor's gain, risk and net, individual
rationality, the identities behind them, and bad input named by its pointer."""

from __future__ import annotations

from typing import Any

import pytest

from podium.align.value import ProposalError, evaluate, parse_initiative

SHARED_SAVINGS: dict[str, Any] = {
    "title": "Joint buffer", "gain": 10e6, "split": "shares", "success_probability": 0.8,
    "actors": [
        {"actor": "hartwell", "investment": 2e6, "share": 0.5, "data": "demand forecasts"},
        {"actor": "velora", "investment": 1e6, "share": 0.3, "capacity": "a second line"},
        {"actor": "kinsei", "investment": 3e6, "share": 0.2, "downside": 0.5e6},
    ],
}  # fmt: skip
# v(A)=10, v(B)=v(C)=v(BC)=0, v(AB)=40, v(AC)=30, v(ABC)=60. Shapley over the 6 orders:
# A (10+10+40+60+30+60)/6 = 35, B (30+30+0+0+30+0)/6 = 15, C (20+20+20+0+0+0)/6 = 10.
GAME = {"A": 10, "B": 0, "C": 0, "A,B": 40, "A,C": 30, "B,C": 0, "A,B,C": 60}
INVEST = {"A": 5.0, "B": 8.0, "C": 2.0}


def game_initiative(split: str, values: dict[str, float], invest: dict[str, float]) -> Any:
    return parse_initiative({
        "title": "platform roll-out", "split": split, "coalition_values": values,
        "actors": [{"actor": a, "investment": invest[a]} for a in ("A", "B", "C")],
    })  # fmt: skip


def test_shared_savings_split() -> None:
    """p = 0.8: net = 0.8 x share x 10M - investment - 0.2 x downside; C nets -1.5M < 0."""
    found = evaluate(parse_initiative(SHARED_SAVINGS))
    by = {p.actor: p for p in found.positions}
    assert [by[a].net for a in ("hartwell", "velora", "kinsei")] == pytest.approx(
        [2.0e6, 1.4e6, -1.5e6]
    )
    assert by["kinsei"].risk == pytest.approx(0.2 * 3.5e6)
    assert by["kinsei"].worst_case == pytest.approx(-3.5e6)
    assert (by["kinsei"].rational, by["kinsei"].shortfall) == (False, pytest.approx(1.5e6))
    assert by["hartwell"].rational and by["velora"].rational and not found.rational
    assert "contributes 2M EUR, data (demand forecasts)" in by["hartwell"].reason
    assert "would not join; it lacks 1.5M EUR" in by["kinsei"].reason
    for p in found.positions:  # net = p (gain - investment) - risk
        assert p.net == pytest.approx(0.8 * (p.gain - p.investment) - p.risk)
    assert found.gain == pytest.approx(10e6)


def test_equal_and_proportional_splits() -> None:
    base = SHARED_SAVINGS | {"success_probability": 1.0}
    equal = evaluate(parse_initiative(base | {"split": "equal"}))
    assert [p.gain for p in equal.positions] == pytest.approx([10e6 / 3] * 3)
    weighted = evaluate(parse_initiative(base | {"split": "proportional"}))
    assert [p.gain for p in weighted.positions] == pytest.approx([10e6 / 3, 10e6 / 6, 5e6])
    assert all(p.rational for p in weighted.positions)  # each gets its investment back x 1.67


def test_shapley_split_and_stand_alone() -> None:
    """The hand-computed Shapley value (35, 15, 10); stand-alone = v({i}) - investment."""
    found = evaluate(game_initiative("shapley", GAME, INVEST))
    assert [p.gain for p in found.positions] == pytest.approx([35.0, 15.0, 10.0])
    assert [p.net for p in found.positions] == pytest.approx([30.0, 7.0, 8.0])
    assert [p.stand_alone for p in found.positions] == pytest.approx([5.0, -8.0, -2.0])
    assert found.rational and found.in_core is True


@pytest.mark.parametrize("split", ["shapley", "nucleolus"])
def test_splitting_gross_then_netting_equals_splitting_net(split: str) -> None:
    """Covariance: the split of v - investments is the split of v less the investments."""
    gross = evaluate(game_initiative(split, GAME, INVEST))
    net_values = {
        key: value - sum(INVEST[a] for a in key.split(",")) for key, value in GAME.items()
    }
    net = evaluate(game_initiative(split, net_values, dict.fromkeys(INVEST, 0.0)))
    assert [p.net for p in gross.positions] == pytest.approx([p.net for p in net.positions])
    assert sum(p.gain for p in gross.positions) == pytest.approx(60.0)  # efficient


def test_outside_the_core_someone_would_leave() -> None:
    """v(A,B) = 58 of v(N) = 60: Shapley gives A + B less than 58, so {A, B} objects."""
    values = GAME | {"A,B": 58}
    found = evaluate(game_initiative("shapley", values, dict.fromkeys(INVEST, 0.0)))
    assert found.in_core is False
    assert found.objections[0]["coalition"] == ["A", "B"]


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        ({"success_probability": 1.2}, "/success_probability"),
        ({"split": "lottery"}, "/split"),
        ({"gain": None}, "/gain"),
        ({"actors": []}, "/actors"),
        ({"actors": [{"actor": "a", "share": 0.5}, {"actor": "b", "share": 0.4}]}, "/actors"),
        ({"actors": [{"actor": "a", "share": 1.0}, {"actor": "b"}]}, "/actors/1/share"),
        ({"actors": [{"actor": "a", "share": 1.0, "investment": -1}]}, "/actors/0/investment"),
        ({"actors": [{"actor": "a", "share": 1.0, "bribe": 3}]}, "/actors/0/bribe"),
        ({"actors": [{"actor": "a", "share": 0.5}, {"actor": "a", "share": 0.5}]},
         "/actors/1/actor"),
        ({"split": "shapley"}, "/coalition_values"),
        ({"split": "shapley", "coalition_values": {"hartwell": 1}}, "/coalition_values"),
    ],
)  # fmt: skip
def test_bad_input_names_the_field(change: dict[str, Any], pointer: str) -> None:
    with pytest.raises(ProposalError) as error:
        evaluate(parse_initiative(SHARED_SAVINGS | change))
    assert error.value.pointer == pointer
