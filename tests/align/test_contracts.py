"""Newsvendor contracts: published worked examples, the theory's identities, bad input."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from scipy import stats

from podium.align.contracts import (
    ContractTerms,
    ContractType,
    InputError,
    Outcome,
    coordinating_terms,
    deal_zone,
    evaluate,
    evaluate_grid,
)
from podium.align.demand import Demand, parse_demand

T = ContractType
P, C, V = 10.0, 1.0, 0.0  # the example economics (currency per unit)
NORMAL = Demand.normal(1000, 300)


def run(kind: ContractType, demand: Demand = NORMAL, /, **terms: float) -> Outcome:
    return evaluate(ContractTerms(kind, **terms), demand, P, C, V)


# --- published worked examples -------------------------------------------------------------


def test_oneill_hammer_newsvendor_cachon_terwiesch() -> None:
    """Cachon & Terwiesch, *Matching Supply with Demand*, ch. 12 (the newsvendor model):
    O'Neill's Hammer 3/2 wetsuit, demand normal(3192, 1181) (as in the authors' slides),
    price 180, cost 110, salvage 90 (currency per unit).

    The book reads z from its table at the critical ratio 70/90 = 0.7778 (z = 0.77) and orders
    Q = 3192 + 0.77 x 1181 = 4101; at Q = 4101 it reports expected lost sales 150, sales 3,042,
    leftover 1,059 and profit 70 x 3,042 - 20 x 1,059 = $191,760. The prices and those figures
    are the book's as cited in the brief (not checked against a copy here); this test derives
    each of them from the model the book's way (the first tabulated z, to 2 decimals, whose
    F(z) reaches the ratio; figures rounded to whole units), so a wrong model fails it.
    """
    demand = Demand.normal(3192, 1181)
    found = evaluate(ContractTerms(T.INTEGRATED), demand, 180, 110, 90)
    ratio = (180 - 110) / (180 - 90)
    assert demand.cdf(found.order_quantity) == pytest.approx(ratio, abs=1e-12)
    z = math.ceil((found.order_quantity - 3192) / 1181 * 100) / 100  # first z in the table
    assert z == 0.77 and stats.norm.cdf(0.76) < ratio <= stats.norm.cdf(0.77)
    book_q = round(3192 + z * 1181)
    assert book_q == 4101
    lost = round(float(demand.lost_sales(book_q)))
    sales = 3192 - lost
    leftover = book_q - sales
    assert (lost, sales, leftover) == (150, 3042, 1059)
    assert 70 * sales - 20 * leftover == 191_760
    exact = float((180 - 90) * demand.sales(book_q) - (110 - 90) * book_q)
    assert exact == pytest.approx(191_760, rel=2e-4)
    assert found.chain_profit >= exact  # the exact optimum (4,095.1) earns at least as much


def test_loss_function_tables_cachon_terwiesch() -> None:
    """Cachon & Terwiesch, Statistics Tutorial (p. 431 of the 2nd edition): the Poisson
    distribution with mean 1.25, F(Q) and the loss function L(Q) = E[(D - Q)+] for Q = 0..5;
    and the normal(1000, 300) example L(1600) = 300 x L(z = 2.0) = 300 x 0.0085 = 2.55."""
    poisson = Demand.poisson(1.25)
    q = np.arange(6)
    assert np.round(poisson.cdf(q), 6).tolist() == [
        0.286505,
        0.644636,
        0.868468,
        0.961731,
        0.990876,
        0.998162,
    ]
    assert np.round(poisson.lost_sales(q), 5).tolist() == [
        1.25,
        0.5365,
        0.18114,
        0.04961,
        0.01134,
        0.00221,
    ]
    table = round(float(NORMAL.lost_sales(1600)) / 300, 4)  # L(z = 2.0), as tabulated
    assert table == 0.0085
    assert round(300 * table, 2) == 2.55


def test_empirical_demand_by_hand() -> None:
    """A forecast of 5,000 and errors of -4,000 ... +4,000 in 20 equally likely outcomes (the
    discrete table of a textbook exercise: 1000: 5%, 2000: 5%, 3000: 10%, 4000: 10%,
    5000: 20%, 6000: 15%, 7000: 15%, 8000: 10%, 9000: 10%). Wholesale w = 3, p = 15, v = 1, c = 2:
    the critical ratio 12/14 = 0.857 is first reached at 8,000 (F = 0.90); leftover and profits
    recomputed here by plain summation."""
    weights = {1000: 1, 2000: 1, 3000: 2, 4000: 2, 5000: 4, 6000: 3, 7000: 3, 8000: 2, 9000: 2}
    errors = [x - 5000 for x, n in weights.items() for _ in range(n)]
    demand = parse_demand("empirical:5000:" + ",".join(str(e) for e in errors))
    found = evaluate(ContractTerms(T.WHOLESALE, wholesale=3), demand, 15, 2, 1)
    assert found.order_quantity == 8000
    leftover = sum(n * max(8000 - x, 0) for x, n in weights.items()) / 20
    assert found.expected_leftover == pytest.approx(leftover)
    sales = 8000 - leftover
    assert found.buyer_profit == pytest.approx(15 * sales + 1 * leftover - 3 * 8000)
    assert found.supplier_profit == pytest.approx((3 - 2) * 8000)


# --- the theory's identities (Cachon 2003) --------------------------------------------------


def test_integrated_optimum_is_the_critical_fractile_and_the_maximum() -> None:
    found = run(T.INTEGRATED)
    assert found.order_quantity == pytest.approx(1000 + 300 * stats.norm.ppf(0.9))
    chain = lambda q: (P - V) * NORMAL.sales(q) - (C - V) * q  # noqa: E731
    for q in (found.order_quantity - 5, found.order_quantity + 5):
        assert float(chain(q)) < found.chain_profit
    assert found.efficiency == 1.0


@pytest.mark.parametrize(
    ("kind", "terms"),
    [
        (T.WHOLESALE, {"wholesale": np.linspace(3, 9.5, 9)}),
        (T.BUYBACK, {"wholesale": np.full(9, 6.0), "buyback": np.linspace(0, 4.9, 9)}),
        (T.REVENUE_SHARING, {"share": np.linspace(0.2, 1, 9), "wholesale": 1.5}),
        (T.QUANTITY_FLEXIBILITY, {"wholesale": 5.0, "flexibility": np.linspace(0, 0.9, 9)}),
        (T.SALES_REBATE, {"wholesale": 5.0, "rebate": 2.0, "threshold": np.linspace(0, 2e3, 9)}),
        (T.CAPACITY_RESERVATION, {"wholesale": np.linspace(0, 9, 9), "reservation": 0.5}),
        (
            T.GAIN_SHARING,
            {"wholesale": 5.0, "savings": 0.5, "investment": 300.0, "savings_share": 0.4},
        ),
    ],
)
def test_transfers_net_out(kind: ContractType, terms: dict[str, Any]) -> None:
    """Buyer + supplier = chain for every contract: the transfers only move money (price 10,
    cost 3, salvage 1)."""
    grid = evaluate_grid(kind, NORMAL, price=P, cost=3.0, salvage=1.0, **terms)
    total = grid["buyer_profit"] + grid["supplier_profit"]
    np.testing.assert_allclose(total, grid["chain_profit"], rtol=1e-10, atol=1e-6)
    assert (grid["efficiency"] <= 1 + 1e-12).all()


def test_wholesale_price_coordinates_only_at_marginal_cost() -> None:
    grid = evaluate_grid(T.WHOLESALE, NORMAL, price=P, cost=C, wholesale=np.linspace(1, 9.9, 90))
    efficiency = grid["efficiency"]
    assert efficiency[0] == pytest.approx(1.0, abs=1e-12)
    assert grid["supplier_profit"][0] == 0.0
    assert (efficiency[1:] < 1 - 1e-6).all()
    assert coordinating_terms(ContractTerms(T.WHOLESALE, wholesale=5), NORMAL, P, C) == {
        "wholesale": 1.0
    }


def test_buyback_and_revenue_sharing_coordinate_with_the_same_split() -> None:
    """Cachon 2003: buyback with b = (p - v)(w - c)/(p - c) and revenue sharing with w = phi c
    both order the integrated optimum and give the buyer phi of its profit, for
    w = p - phi (p - c)."""
    p, c, v = 10.0, 2.0, 1.0
    share = np.linspace(0.05, 1, 20)
    w = p - share * (p - c)
    buyback = evaluate_grid(T.BUYBACK, NORMAL, price=p, cost=c, salvage=v, wholesale=w)
    sharing = evaluate_grid(T.REVENUE_SHARING, NORMAL, price=p, cost=c, salvage=v, share=share)
    np.testing.assert_allclose(buyback["buyback"], (1 - share) * (p - v))
    np.testing.assert_allclose(sharing["wholesale"], share * c)
    for found in (buyback, sharing):
        np.testing.assert_allclose(found["efficiency"], 1.0, atol=1e-12)
        np.testing.assert_allclose(found["buyer_profit"], share * found["integrated_profit"])
    for key in ("order_quantity", "buyer_profit", "supplier_profit"):
        np.testing.assert_allclose(buyback[key], sharing[key], rtol=1e-10)


def test_any_buyback_has_an_equivalent_revenue_sharing_contract() -> None:
    """Cachon 2003: (w, b) and phi = (p - v - b)/(p - v), w_r = w - b - v b/(p - v) give the
    same cash flows, coordinating or not."""
    p, c, v = 12.0, 3.0, 1.0
    w, b = np.meshgrid(np.linspace(3, 11, 7), np.linspace(0, 1.9, 5))
    share = (p - v - b) / (p - v)
    buyback = evaluate_grid(T.BUYBACK, NORMAL, price=p, cost=c, salvage=v, wholesale=w, buyback=b)
    sharing = evaluate_grid(
        T.REVENUE_SHARING,
        NORMAL,
        price=p,
        cost=c,
        salvage=v,
        share=share,
        wholesale=w - b - v * b / (p - v),
    )
    for key in ("order_quantity", "buyer_profit", "supplier_profit"):
        np.testing.assert_allclose(buyback[key], sharing[key], rtol=1e-9)


@pytest.mark.parametrize(
    ("kind", "terms", "buyer_share"),
    [
        (T.BUYBACK, {"wholesale": 4.0}, (P - 4) / (P - C)),
        (T.REVENUE_SHARING, {"share": 0.45}, 0.45),
        (T.CAPACITY_RESERVATION, {"wholesale": 3.0}, (P - 3) / (P - V)),
        (T.QUANTITY_FLEXIBILITY, {"flexibility": 0.3}, None),
        (T.SALES_REBATE, {"wholesale": 3.0, "threshold": 900.0}, None),
    ],
)
def test_coordinating_terms_reach_the_integrated_optimum(
    kind: ContractType, terms: dict[str, float], buyer_share: float | None
) -> None:
    coordinating = coordinating_terms(ContractTerms(kind, **terms), NORMAL, P, C, V)
    assert coordinating is not None
    found = run(kind, **coordinating)
    optimum = run(T.INTEGRATED)
    assert found.efficiency == pytest.approx(1.0, abs=1e-9)
    assert found.order_quantity == pytest.approx(optimum.order_quantity, rel=1e-7)
    if buyer_share is not None:
        assert found.buyer_profit == pytest.approx(buyer_share * optimum.chain_profit)


def test_quantity_flexibility_coordinating_price_rises_with_flexibility() -> None:
    """w(0) = c (no flexibility: the wholesale price contract) and w rises towards p."""
    prices = [
        coordinating_terms(ContractTerms(T.QUANTITY_FLEXIBILITY, flexibility=f), NORMAL, P, C)
        for f in (0.0, 0.2, 0.5, 0.9)
    ]
    w = [t["wholesale"] for t in prices if t]
    assert w[0] == pytest.approx(C)
    assert w == sorted(w) and w[-1] < P


def test_sales_rebate_threshold_beyond_its_limit_breaks_coordination() -> None:
    terms = coordinating_terms(
        ContractTerms(T.SALES_REBATE, wholesale=3.0, threshold=1e6), NORMAL, P, C
    )
    assert terms is not None and terms["threshold"] < 1e6
    at_limit = run(T.SALES_REBATE, **terms)
    assert at_limit.efficiency == pytest.approx(1.0, abs=1e-9)
    beyond = run(T.SALES_REBATE, **{**terms, "threshold": terms["threshold"] * 1.02})
    assert beyond.efficiency < 0.99


def test_gain_sharing_without_savings_is_the_wholesale_contract() -> None:
    plain = run(T.WHOLESALE, wholesale=5)
    shared = run(T.GAIN_SHARING, wholesale=5, savings=0, savings_share=0.5)
    assert (shared.buyer_profit, shared.supplier_profit) == pytest.approx(
        (plain.buyer_profit, plain.supplier_profit)
    )
    more = evaluate_grid(
        T.GAIN_SHARING,
        NORMAL,
        price=P,
        cost=C,
        wholesale=5,
        savings=0.5,
        investment=200,
        savings_share=np.linspace(0, 1, 11),
    )
    assert (np.diff(more["buyer_profit"]) > 0).all()
    assert (
        coordinating_terms(
            ContractTerms(T.GAIN_SHARING, wholesale=5, savings=0.5, savings_share=0.5), NORMAL, P, C
        )
        is None
    )


def test_poisson_empirical_and_lognormal_agree_with_normal_in_the_limit() -> None:
    """Poisson(10,000) ~ normal(10,000, 100); 50,000 normal draws as forecast errors; a
    lognormal with a coefficient of variation of 1%."""
    rng = np.random.default_rng(2026)
    others = [
        Demand.poisson(10_000),
        Demand.empirical(10_000, rng.normal(0, 100, 50_000).tolist()),
        Demand.lognormal(10_000, 100),
    ]
    base = Demand.normal(10_000, 100)
    for kind, terms in (
        (T.BUYBACK, {"wholesale": 5.0, "buyback": 3.0}),
        (T.QUANTITY_FLEXIBILITY, {"wholesale": 5.0, "flexibility": 0.05}),
        (T.SALES_REBATE, {"wholesale": 5.0, "rebate": 1.0, "threshold": 9_900.0}),
    ):
        expected = run(kind, base, **terms)
        for demand in others:
            found = run(kind, demand, **terms)
            assert found.order_quantity == pytest.approx(expected.order_quantity, rel=5e-4)
            assert found.buyer_profit == pytest.approx(expected.buyer_profit, rel=2e-3)
            assert found.supplier_profit == pytest.approx(expected.supplier_profit, rel=2e-3)


# --- deal zone ------------------------------------------------------------------------------


def test_buyback_deal_zone_matches_the_closed_form() -> None:
    """Along the coordinating buybacks the buyer gets lambda Pi* with lambda = (p - w)/(p - c):
    both clear the status quo (wholesale price at w = 5) iff lambda is in
    [buyer_sq / Pi*, 1 - supplier_sq / Pi*]."""
    found = run(T.BUYBACK, wholesale=5, buyback=3)
    best = run(T.INTEGRATED).chain_profit
    status = run(T.WHOLESALE, wholesale=5)
    assert status.buyer_profit is not None and status.supplier_profit is not None
    zone = found.deal_zone
    assert zone is not None and zone.coordinating and zone.parameter == "wholesale"
    low = P - (1 - status.supplier_profit / best) * (P - C)
    high = P - status.buyer_profit / best * (P - C)
    assert (zone.low, zone.high) == pytest.approx((low, high), rel=1e-9)
    assert zone.supplier_profit[0] == pytest.approx(status.supplier_profit, rel=1e-8)
    assert zone.buyer_profit[1] == pytest.approx(status.buyer_profit, rel=1e-8)
    for ends in (zone.terms_low, zone.terms_high):
        assert run(T.BUYBACK, **ends).efficiency == pytest.approx(1.0, abs=1e-9)


def test_revenue_sharing_deal_zone_against_a_profit_pair() -> None:
    contract = ContractTerms(T.REVENUE_SHARING, share=0.5)
    best = run(T.INTEGRATED).chain_profit
    zone = deal_zone(contract, NORMAL, P, C, V, status_quo=(2000.0, 3000.0))
    assert zone is not None
    assert (zone.low, zone.high) == pytest.approx((2000 / best, 1 - 3000 / best), rel=1e-9)
    assert deal_zone(contract, NORMAL, P, C, V, status_quo=(best, 1.0)) is None


def test_wholesale_deal_zone_below_a_price_above_the_suppliers_optimum() -> None:
    """At w = 9 the supplier earns less than at a lower price that sells more, so both gain
    from w in [w_low, 9] with supplier(w_low) = supplier(9)."""
    zone = run(T.WHOLESALE, wholesale=9).deal_zone
    assert zone is not None and not zone.coordinating
    assert zone.high == pytest.approx(9.0) and zone.low < 9
    assert zone.supplier_profit[0] == pytest.approx(zone.supplier_profit[1], rel=1e-7)
    inside = run(T.WHOLESALE, wholesale=(zone.low + zone.high) / 2)
    at_nine = run(T.WHOLESALE, wholesale=9)
    assert inside.buyer_profit is not None and inside.supplier_profit is not None
    assert at_nine.buyer_profit is not None and at_nine.supplier_profit is not None
    assert inside.buyer_profit > at_nine.buyer_profit
    assert inside.supplier_profit > at_nine.supplier_profit


# --- input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("economics", "terms", "field"),
    [
        ((-1, 1, 0), {"wholesale": 5}, "price"),
        ((10, -1, 0), {"wholesale": 5}, "cost"),
        ((10, 12, 0), {"wholesale": 5}, "cost"),
        ((10, 1, 1), {"wholesale": 5}, "salvage"),
        ((10, 1, 11), {"wholesale": 5}, "salvage"),
        ((10, 1, 0), {"wholesale": 0.5}, "wholesale"),
        ((10, 1, 0), {"wholesale": 10}, "wholesale"),
        ((10, 1, 0), {}, "wholesale"),
        ((10, 1, 0), {"wholesale": 5, "share": 0.3}, "share"),
        ((10, 1, 0), {"wholesale": math.nan}, "wholesale"),
    ],
)
def test_bad_input_names_the_field(
    economics: tuple[float, float, float], terms: dict[str, float], field: str
) -> None:
    with pytest.raises(InputError) as error:
        evaluate(ContractTerms(T.WHOLESALE, **terms), NORMAL, *economics)
    assert error.value.field == field
    assert str(error.value).startswith(f"{field}: ")


@pytest.mark.parametrize(
    ("kind", "terms", "field"),
    [
        (T.BUYBACK, {"wholesale": 5, "buyback": 5}, "buyback"),
        (T.BUYBACK, {"wholesale": 5, "buyback": -1}, "buyback"),
        (T.REVENUE_SHARING, {"share": 1.5}, "share"),
        (T.REVENUE_SHARING, {"share": 0.4, "wholesale": 4.5}, "wholesale"),
        (T.QUANTITY_FLEXIBILITY, {"flexibility": 1.0, "wholesale": 5}, "flexibility"),
        (T.SALES_REBATE, {"wholesale": 5, "rebate": -1}, "rebate"),
        (T.CAPACITY_RESERVATION, {"wholesale": 3, "reservation": 0}, "reservation"),
        (T.GAIN_SHARING, {"wholesale": 5, "savings": 2, "savings_share": 0.5}, "savings"),
        (T.GAIN_SHARING, {"wholesale": 5, "savings": 0.5}, "savings_share"),
    ],
)
def test_bad_terms_name_the_field(kind: ContractType, terms: dict[str, float], field: str) -> None:
    with pytest.raises(InputError) as error:
        run(kind, **terms)
    assert error.value.field == field


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ("normal:1000", "demand"),
        ("gamma:1:2", "demand"),
        ("normal:abc:3", "demand"),
        ("normal:-5:3", "demand.mean"),
        ("lognormal:100:0", "demand.sd"),
        ("poisson:0", "demand.mean"),
        ("empirical:100:5", "demand.errors"),
        ("empirical:-1:5,6", "demand.forecast"),
    ],
)
def test_bad_demand_specs_are_refused(spec: str, field: str) -> None:
    with pytest.raises(InputError) as error:
        parse_demand(spec)
    assert error.value.field == field


def test_demand_specs_round_trip() -> None:
    for spec in ("normal:1000:300", "lognormal:50:10", "poisson:40", "empirical:100:-5,0,7"):
        assert parse_demand(spec).spec == spec


def test_grid_marks_infeasible_terms_when_not_strict() -> None:
    grid = evaluate_grid(
        T.BUYBACK,
        NORMAL,
        price=P,
        cost=C,
        strict=False,
        wholesale=np.array([[5.0], [8.0]]),
        buyback=np.array([[2.0, 6.0]]),
    )
    assert grid["feasible"].tolist() == [[True, False], [True, True]]
    assert np.isnan(grid["buyer_profit"][0, 1])
    one = run(T.BUYBACK, wholesale=8, buyback=6)
    assert grid["buyer_profit"][1, 1] == pytest.approx(one.buyer_profit, rel=1e-12)
    with pytest.raises(InputError, match="buyback"):
        evaluate_grid(T.BUYBACK, NORMAL, price=P, cost=C, wholesale=5.0, buyback=[2.0, 6.0])
