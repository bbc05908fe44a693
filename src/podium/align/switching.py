"""The contract switch the misalignment checks propose for a wholesale-price agreement.

A wholesale price above marginal cost makes the buyer order less than the integrated chain would
(double marginalisation, Cachon 2003 section 3). A buyback contract with ``b = (p - v)(w - c)/
(p - c)`` coordinates the chain at any wholesale price ``w``; along that family the deal zone is
the range of ``w`` that leaves buyer and supplier both at least as well off as the wholesale
contract today (:mod:`podium.align.contracts`). The switch proposed is the middle of that zone,
splitting the recovered chain profit about evenly. Revenue sharing with the same split does the
same (Cachon & Lariviere 2005). Pure: calls the contract models only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from podium.align import contracts
from podium.align.demand import parse_demand

NEWSVENDOR = ("price", "cost", "wholesale", "demand")
"""The terms a wholesale agreement needs for :func:`contract_switch` (``salvage`` defaults to 0)."""


def contract_switch(terms: Mapping[str, Any]) -> dict[str, Any] | None:
    """Evaluate a wholesale contract's newsvendor terms against the buyback that coordinates the
    chain in the middle of the deal zone (Cachon 2003); None without :data:`NEWSVENDOR` terms.

    ``demand`` is a spec such as ``normal:1000:300`` (:func:`podium.align.demand.parse_demand`).
    Returns the wholesale efficiency, the chain profit the switch recovers (``gain``, currency
    per season), the switch's terms, each party's profit before and after, and the deal zone;
    bad terms raise
    :class:`~podium.align.demand.InputError` naming the field.
    """
    if not all(terms.get(name) is not None for name in NEWSVENDOR):
        return None
    demand = parse_demand(str(terms["demand"]))
    price, cost = float(terms["price"]), float(terms["cost"])
    salvage, w = float(terms.get("salvage") or 0.0), float(terms["wholesale"])
    now = contracts.evaluate(
        contracts.ContractTerms(contracts.ContractType.WHOLESALE, wholesale=w),
        demand, price, cost, salvage,
    )  # fmt: skip
    zone = contracts.evaluate(
        contracts.ContractTerms(contracts.ContractType.BUYBACK, wholesale=w),
        demand, price, cost, salvage, status_quo=w,
    ).deal_zone  # fmt: skip
    middle = (zone.low + zone.high) / 2 if zone is not None else w
    better = contracts.evaluate(
        contracts.ContractTerms(contracts.ContractType.BUYBACK, wholesale=middle),
        demand, price, cost, salvage, status_quo=w,
    )  # fmt: skip
    where = ""
    if zone is not None:
        where = f"; any wholesale price from {zone.low:.4g} to {zone.high:.4g} with its buyback "
        where += "leaves both better off than today"
    return {
        "wholesale": w, "efficiency": now.efficiency, "chain_profit": now.chain_profit,
        "integrated_profit": now.integrated_profit, "gain": better.chain_profit - now.chain_profit,
        "switch_terms": better.terms, "switch_efficiency": better.efficiency,
        "buyer_profit": [now.buyer_profit, better.buyer_profit],
        "supplier_profit": [now.supplier_profit, better.supplier_profit],
        "deal_zone": zone.as_dict() if zone is not None else None,
        "detail": f"buyback: wholesale {middle:.4g} and {better.terms['buyback']:.4g} per unsold "
        f"unit coordinates the chain ({better.efficiency:.0%} efficient; order "
        f"{better.order_quantity:,.0f} instead of {now.order_quantity:,.0f} units){where}; "
        "revenue sharing with the same split does the same",
    }  # fmt: skip
