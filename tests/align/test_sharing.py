"""Cost and benefit sharing games: published examples, the Shapley axioms, the core, bad input."""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pytest
import yaml

from podium.align import sharing
from podium.align.games import Game, GameError, game_from_mapping
from podium.samples import SAMPLES

PARK_GAME = SAMPLES["industrial_park"].with_name("industrial_park_substation.yaml")


def table_game(players: str, values: dict[str, float], kind: str = "benefit") -> Game:
    field = "coalition_values" if kind == "benefit" else "coalition_costs"
    return game_from_mapping({"players": list(players), field: values})


def from_function(n: int, v: Any, kind: str = "benefit") -> Game:
    """A table game with ``v(frozenset of player indices)`` for every non-empty coalition."""
    names = [f"P{i}" for i in range(n)]
    table = {
        ",".join(names[i] for i in s): float(v(frozenset(s)))
        for k in range(1, n + 1)
        for s in itertools.combinations(range(n), k)
    }
    return game_from_mapping(
        {"players": names, f"coalition_{'values' if kind == 'benefit' else 'costs'}": table}
    )


def airport(costs: Mapping[str, float]) -> Game:
    return game_from_mapping({"players": list(costs), "cost_model": {"airport": costs}})


def test_airport_littlechild_owen_four_aircraft() -> None:
    """Littlechild & Owen (1973), Management Science 20(3) 370-372, as worked in Wikipedia's
    "Airport problem": runway costs 8, 11, 13, 18 for aircraft A-D. Each increment is split by
    those needing it: A 8/4 = 2, B 2 + 3/3 = 3, C 3 + 2/2 = 4, D 4 + 5 = 9 (total 18)."""
    game = airport({"A": 8, "B": 11, "C": 13, "D": 18})
    assert sharing.shapley(game).shares == pytest.approx([2, 3, 4, 9], abs=1e-12)
    enumerated = sharing.shapley_of_table(game.all_values(), game.n)
    assert enumerated == pytest.approx([2, 3, 4, 9], abs=1e-12)
    check = sharing.core_check(game, sharing.shapley(game))
    assert check.in_core and check.checked == "all"


def test_airport_six_pilots_closed_form_equals_enumeration() -> None:
    """Six runways costing 40, 50, ..., 90 (unsorted here): the Littlechild-Owen value is
    (40, 52, 67, 87, 117, 177) / 6, e.g. 40/6 + 10/5 = 52/6 for the second."""
    costs = {"V": 80, "I": 40, "III": 60, "VI": 90, "II": 50, "IV": 70}
    game = airport(costs)
    expected = {"I": 40, "II": 52, "III": 67, "IV": 87, "V": 117, "VI": 177}
    got = sharing.shapley(game).as_dict()
    assert got == pytest.approx({k: v / 6 for k, v in expected.items()}, abs=1e-12)
    dp = sharing.shapley_of_table(game.all_values(), game.n)
    assert dp == pytest.approx(sharing.shapley(game).shares, abs=1e-12)


def bankruptcy(estate: float, claims: list[float]) -> Game:
    """v(S) = max(0, E - sum of the claims outside S) (O'Neill 1982)."""
    return from_function(
        len(claims), lambda s: max(0.0, estate - sum(c for i, c in enumerate(claims) if i not in s))
    )


@pytest.mark.parametrize(
    ("estate", "expected"),
    [(100, [100 / 3] * 3), (200, [50, 75, 75]), (300, [50, 100, 150])],
)
def test_nucleolus_talmud_bankruptcy(estate: float, expected: list[float]) -> None:
    """Aumann & Maschler (1985), J. Econ. Theory 36, 195-213: the Talmud's division of an estate
    of 100, 200, 300 among claims 100, 200, 300 is the nucleolus of the bankruptcy game:
    (33 1/3 each), (50, 75, 75), (50, 100, 150)."""
    result = sharing.nucleolus(bankruptcy(estate, [100, 200, 300]))
    assert result.shares == pytest.approx(expected, abs=1e-7)


def test_nucleolus_derived_by_hand() -> None:
    """v(i) = 0, v(12) = 60, v(13) = 80, v(23) = 90, v(N) = 120. The pair excesses are
    60 - x1 - x2 = x3 - 60, x2 - 40 and x1 - 30 (singletons' -x_i are far lower); the largest is
    least when all three are equal to t: 3t + 130 = 120, t = -10/3, so the nucleolus is
    (80/3, 110/3, 170/3), which fixes x, and it lies in the core."""
    game = table_game(
        "123", {"1": 0, "2": 0, "3": 0, "1,2": 60, "1,3": 80, "2,3": 90, "1,2,3": 120}
    )
    result = sharing.nucleolus(game)
    assert result.shares == pytest.approx([80 / 3, 110 / 3, 170 / 3], abs=1e-7)
    assert sharing.core_check(game, result).in_core


def test_nucleolus_of_empty_core_majority_game() -> None:
    """Three-player majority game (v = 1 for two or more): symmetric, so (1/3, 1/3, 1/3); the core
    is empty and the three pairs each gain 1/3 by leaving."""
    game = table_game("ABC", {"A": 0, "B": 0, "C": 0, "A,B": 1, "A,C": 1, "B,C": 1, "A,B,C": 1})
    result = sharing.nucleolus(game)
    assert result.shares == pytest.approx([1 / 3] * 3, abs=1e-9)
    check = sharing.core_check(game, result)
    assert not check.in_core and check.objecting == 3
    assert check.objections[0].gain == pytest.approx(1 / 3)


def random_game(n: int, seed: int) -> Game:
    rng = np.random.default_rng(seed)
    values = {}
    for k in range(1, n + 1):
        for s in itertools.combinations(range(n), k):
            values[",".join(f"P{i}" for i in s)] = float(rng.uniform(0, 10) * k)
    return game_from_mapping({"players": [f"P{i}" for i in range(n)], "coalition_values": values})


def test_shapley_efficiency_symmetry_dummy_additivity() -> None:
    """Efficiency (sum = v(N)), symmetry (interchangeable players equal), dummy (v(S+i) =
    v(S) + v(i) gives phi_i = v(i)) and additivity (phi(v + w) = phi(v) + phi(w))."""
    game = random_game(7, 1)
    phi = sharing.shapley(game).shares
    assert phi.sum() == pytest.approx(game.grand_value(), rel=1e-12)
    weights = [3.0, 3.0, 1.0, 5.0, 2.0]  # P0, P1 symmetric; P4 a dummy worth 7 alone
    sym = from_function(5, lambda s: (sum(weights[i] for i in s if i != 4)) ** 2 + 7 * (4 in s))
    phi = sharing.shapley(sym).shares
    assert phi[0] == pytest.approx(phi[1]) and phi[4] == pytest.approx(7.0)
    other = random_game(7, 2)
    both = Game(game.players, "benefit", game.all_values() + other.all_values())
    total = sharing.shapley(game).shares + sharing.shapley(other).shares
    assert sharing.shapley(both).shares == pytest.approx(total, rel=1e-12)


def test_shapley_matches_permutation_definition() -> None:
    """The bitmask formula equals the average marginal contribution over all 5! orders."""
    game = random_game(5, 3)
    table = game.all_values()
    phi = np.zeros(5)
    for order in itertools.permutations(range(5)):
        mask = 0
        for i in order:
            phi[i] += table[mask | 1 << i] - table[mask]
            mask |= 1 << i
    assert sharing.shapley(game).shares == pytest.approx(phi / math.factorial(5), rel=1e-12)


def test_sampled_shapley_within_three_standard_errors() -> None:
    game = random_game(8, 4)
    exact = sharing.shapley(game).shares
    sampled = sharing.shapley_sampled(game, 4000, seed=7)
    assert sampled.std_errors is not None and np.all(sampled.std_errors > 0)
    assert np.all(np.abs(sampled.shares - exact) <= 3 * sampled.std_errors)
    assert sampled.shares.sum() == pytest.approx(game.grand_value(), rel=1e-12)
    again = sharing.shapley_sampled(game, 4000, seed=7)
    assert np.array_equal(again.shares, sampled.shares)


def test_sampled_airport_of_200_players_near_closed_form() -> None:
    rng = np.random.default_rng(5)
    game = airport({f"a{i}": float(c) for i, c in enumerate(rng.uniform(1, 100, 200))})
    exact = sharing.allocate(game, "shapley").shares  # closed form at any n
    sampled = sharing.allocate(game, "shapley", samples=10_000, seed=1)
    assert sampled.std_errors is not None
    assert np.mean(np.abs(sampled.shares - exact) <= 3 * sampled.std_errors + 1e-12) > 0.97
    assert sharing.core_check(game, sampled).checked == "partial"


def test_core_of_convex_game_contains_shapley() -> None:
    """v(S) = (sum of weights)^2 is convex (supermodular), so its Shapley value is in the core
    (Shapley 1971); so is the nucleolus, whenever the core is not empty."""
    w = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    game = from_function(6, lambda s: sum(w[i] for i in s) ** 2)
    assert sharing.core_check(game, sharing.shapley(game)).in_core
    assert sharing.core_check(game, sharing.nucleolus(game)).in_core
    equal = sharing.core_check(game, sharing.equal_split(game))
    assert not equal.in_core and equal.objections[0].coalition == ("P1", "P2", "P3", "P4", "P5")
    assert equal.objections[0].gain == pytest.approx(20**2 - 5 * 21**2 / 6)


def test_structured_cost_models() -> None:
    """capacity: 10 + 2 * L^0.5; shared facility: 5 + 4 per started 10 units of the peak of the
    summed profiles (A peaks at 8 in the first hour, B at 6 in the second: together 9, one step)."""
    game = game_from_mapping(
        {
            "players": ["A", "B", "C"],
            "cost_model": {
                "capacity": {
                    "fixed": 10,
                    "unit_cost": 2,
                    "exponent": 0.5,
                    "loads": {"A": 4, "B": 9, "C": 0},
                },
                "shared_facility": {
                    "fixed": 5,
                    "step_size": 10,
                    "step_cost": 4,
                    "loads": {"A": [8, 1], "B": [1, 6], "C": 0},
                },
            },
        }
    )
    values = game.all_values()
    assert values[0b001] == pytest.approx(10 + 2 * 2 + 5 + 4)
    assert values[0b011] == pytest.approx(10 + 2 * 13**0.5 + 5 + 4)
    assert values[0b100] == 0.0  # no load, nothing to build
    perms = np.array([[2, 0, 1], [1, 2, 0]])
    prefix = game.prefix_values(perms)
    assert prefix[0] == pytest.approx([0, 0, values[0b001], values[0b011]])
    assert prefix[1] == pytest.approx([0, values[0b010], values[0b110], values[0b111]])
    assert sharing.shapley(game).shares.sum() == pytest.approx(values[-1])


def test_proportional_and_equal() -> None:
    game = game_from_mapping(
        {
            "players": ["A", "B"],
            "cost_model": {"airport": {"A": 2, "B": 6}},
            "weights": {"A": 1, "B": 3},
        }
    )
    assert sharing.proportional(game).shares == pytest.approx([1.5, 4.5])
    assert sharing.equal_split(game).shares == pytest.approx([3, 3])
    unweighted = airport({"A": 2, "B": 6})
    assert sharing.proportional(unweighted).shares == pytest.approx([1.5, 4.5])


def test_industrial_park_sample() -> None:
    """The tenants' loads peak at their contracted MW of the park sample's powers links; the
    park's peak of 148 MW takes three 63 MW transformers, so two-transformer coalitions would
    leave under every rule (the core is empty) and the nucleolus keeps their gain least."""
    data = yaml.safe_load(PARK_GAME.read_text())
    park = yaml.safe_load(SAMPLES["industrial_park"].read_text())
    contracted = {
        link["target"]
        .removesuffix("-elbmark")
        .removesuffix("-elbmark-dc1")
        .removesuffix("-elbmark-dc2"): link["attributes"]["contracted_mw"]
        for link in park["links"]
        if link["kind"] == "powers" and link["source"] == "elbmark-substation"
    }
    profiles = data["cost_model"]["shared_facility"]["loads"]
    assert {p: max(profiles[p]) for p in data["players"]} == {
        p: contracted[p] for p in data["players"]
    }
    assert data["weights"] == {p: contracted[p] for p in data["players"]}
    game = game_from_mapping(data)
    storage = 4e6 + 759_000 * 160**0.8
    assert game.grand_value() == pytest.approx(8e6 + 3 * 12e6 + storage)
    shapley = sharing.report(game, sharing.allocate(game, "shapley"))
    nucleolus = sharing.report(game, sharing.allocate(game, "nucleolus"))
    assert not shapley["in_core"] and not nucleolus["in_core"]
    assert nucleolus["objections"][0]["gain"] < shapley["objections"][0]["gain"]
    leaving = shapley["objections"][0]["coalition"]
    assert np.array([profiles[p] for p in leaving]).sum(axis=0).max() <= 2 * 63
    assert all(row["share"] < row["stand_alone"] for row in shapley["players"])


@pytest.mark.parametrize(
    ("data", "pointer", "words"),
    [
        (
            {"players": ["A", "B"], "coalition_costs": {"A": 1, "B": 2}},
            "#/coalition_costs",
            "missing",
        ),
        (
            {"players": ["A", "B"], "coalition_costs": {"A": 1, "B": 2, "A,B": 3, "B,A": 4}},
            "#/coalition_costs/B,A",
            "twice",
        ),
        (
            {"players": ["A"], "coalition_costs": {"A": 1, "": 2}},
            "#/coalition_costs/",
            "empty coalition",
        ),
        ({"players": ["A"], "coalition_costs": {"A": -1}}, "#/coalition_costs/A", "at least 0"),
        (
            {"players": ["A"], "coalition_costs": {"A": float("nan")}},
            "#/coalition_costs/A",
            "finite",
        ),
        (
            {"players": ["A"], "coalition_costs": {"A": 1, "Z": 1}},
            "#/coalition_costs/Z",
            "not a player",
        ),
        ({"players": ["A", "A"], "coalition_costs": {"A": 1}}, "#/players", "twice"),
        ({"players": ["A"]}, "#/", "exactly one"),
        (
            {"players": ["A", "B"], "cost_model": {"airport": {"A": 1}}},
            "#/cost_model/airport",
            "'B'",
        ),
        (
            {"players": ["A"], "cost_model": {"tunnel": {}}},
            "#/cost_model/tunnel",
            "unknown cost model",
        ),
        (
            {
                "players": ["A"],
                "cost_model": {"capacity": {"unit_cost": 1, "exponent": 3, "loads": {"A": 1}}},
            },
            "#/cost_model/capacity/exponent",
            "(0, 2]",
        ),
        (
            {
                "players": ["A", "B"],
                "cost_model": {
                    "shared_facility": {
                        "step_size": 1,
                        "step_cost": 1,
                        "loads": {"A": [1, 2], "B": [1, 2, 3]},
                    }
                },
            },
            "#/cost_model/shared_facility/loads/A",
            "profile",
        ),
    ],
)
def test_bad_input_is_refused_with_its_field(
    data: dict[str, Any], pointer: str, words: str
) -> None:
    with pytest.raises(GameError) as caught:
        game_from_mapping(data)
    assert caught.value.pointer == pointer and words in caught.value.detail


def test_too_many_players_for_exact_methods() -> None:
    loads = {f"p{i}": 1.0 for i in range(21)}
    game = game_from_mapping(
        {"players": list(loads), "cost_model": {"capacity": {"unit_cost": 1, "loads": loads}}}
    )
    with pytest.raises(GameError, match="too many to enumerate"):
        sharing.allocate(game, "shapley")
    assert sharing.allocate(game, "shapley", samples=50).samples == 50
    small = game_from_mapping(
        {"players": list(loads)[:17], "cost_model": {"airport": dict(list(loads.items())[:17])}}
    )
    with pytest.raises(GameError, match="at most 16"):
        sharing.allocate(small, "nucleolus")


def test_table_warnings_not_errors() -> None:
    """A cost that falls when C joins (not monotone) and a pair cheaper apart (not subadditive)."""
    game = table_game(
        "ABC", {"A": 1, "B": 1, "C": 1, "A,B": 3, "A,C": 2, "B,C": 2, "A,B,C": 2.5}, "cost"
    )
    assert any("not monotone" in w for w in game.warnings)
    assert any("not subadditive" in w for w in game.warnings)
    assert sharing.report(game, sharing.shapley(game))["warnings"] == game.warnings


def test_enumerated_values_equal_direct_values_beyond_one_chunk() -> None:
    """17 players: the doubling over 16 low bits and a loop over the high bit give the same
    coalition costs as evaluating each coalition on its own."""
    rng = np.random.default_rng(8)
    names = [f"p{i}" for i in range(17)]
    data = {
        "players": names,
        "cost_model": {
            "airport": {p: float(c) for p, c in zip(names, rng.uniform(0, 9, 17), strict=True)},
            "shared_facility": {
                "step_size": 5.0,
                "step_cost": 2.0,
                "loads": {p: list(rng.uniform(0, 3, 4)) for p in names},
            },
        },
    }
    game = game_from_mapping(data)
    masks = np.arange(1 << 17, dtype=np.int64)
    direct = game.values_of(((masks[:, None] >> np.arange(17)) & 1).astype(bool))
    assert np.allclose(game.all_values(), direct, rtol=1e-12, atol=0)
