"""Newsvendor supply contracts between a buyer and a supplier: decisions, profits, efficiency,
coordinating terms and the deal zone (Cachon 2003; Cachon & Lariviere 2005).

:func:`evaluate` answers for one set of terms: the buyer's order (units), each party's and the
chain's expected profit (currency), the efficiency against the integrated optimum, the terms
that coordinate the chain and the deal zone; :func:`evaluate_grid` evaluates arrays of terms at
once (the explorer and the benchmark). The formulas are in :mod:`podium.align.contract_models`.

Terms a contract does not fix default to their *coordinating* value given its primary term:
the buyback ``b = (p - v)(w - c)/(p - c)`` for a wholesale price ``w``; revenue sharing's
``w = phi c``; quantity flexibility's ``w(delta)``; the sales rebate ``r = (w - c)(p - v)/
(c - v)`` (threshold 0); capacity reservation's ``r = (p - w)(c - v)/(p - v)``. Gain sharing
needs its saving and the buyer's share of it; the investment defaults to 0 and the buyer's share
of it to its share of the saving.

The deal zone is the range of the contract's free parameter that leaves both parties at least
as well off as the status quo: along the coordinating family when the type can coordinate
(buyback, revenue sharing, quantity flexibility, sales rebate: its threshold, capacity
reservation), otherwise along the given terms (wholesale price, gain sharing's share). The
status quo is a profit pair, or the wholesale-price contract at a given price; by default the
wholesale-price contract at the terms' wholesale price where that is the buyer's alternative
(wholesale, buyback, quantity flexibility, sales rebate; gain sharing: without the
initiative), else no trade (0, 0).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np

from podium.align import contract_models as models
from podium.align.contract_deals import DealZone, rebate_threshold_limit, zone_of
from podium.align.contract_models import TERMS, Economics, Terms, complete_terms, economics
from podium.align.demand import Array, Demand, InputError

__all__ = [
    "ContractTerms",
    "ContractType",
    "DealZone",
    "Demand",
    "Economics",
    "InputError",
    "Outcome",
    "coordinating_terms",
    "deal_zone",
    "economics",
    "evaluate",
    "evaluate_grid",
]


class ContractType(StrEnum):
    """The contract types of Cachon (2003), gain sharing, and the integrated chain."""

    WHOLESALE = "wholesale"
    BUYBACK = "buyback"
    REVENUE_SHARING = "revenue-sharing"
    QUANTITY_FLEXIBILITY = "quantity-flexibility"
    SALES_REBATE = "sales-rebate"
    CAPACITY_RESERVATION = "capacity-reservation"
    GAIN_SHARING = "gain-sharing"
    INTEGRATED = "integrated"


@dataclass(frozen=True)
class ContractTerms:
    """A contract's type and terms (currency per unit unless said; shares are fractions)."""

    type: ContractType
    wholesale: float | None = None  # w (capacity reservation: the exercise price)
    buyback: float | None = None  # b, paid by the supplier per unsold unit
    share: float | None = None  # phi, the buyer's share of revenue
    flexibility: float | None = None  # delta, the fraction of the order the buyer may return
    rebate: float | None = None  # r, paid per unit sold above the threshold
    threshold: float | None = None  # t (units)
    reservation: float | None = None  # r, per unit of capacity reserved
    savings: float | None = None  # Delta, the initiative's cut in the supplier's unit cost
    investment: float | None = None  # K, the initiative's investment (currency)
    savings_share: float | None = None  # sigma, the buyer's share of the saving
    investment_share: float | None = None  # beta, the buyer's share of the investment

    def given(self) -> dict[str, float]:
        """The terms that were set."""
        return {n: float(v) for n in TERMS if (v := getattr(self, n)) is not None}


def solve(kind: str, e: Economics, d: Demand, t: Terms, ok: Array) -> dict[str, Array]:
    """Order, profits and efficiency for feasible terms (NaN where ``ok`` is false)."""
    safe = {n: np.where(ok, v, np.nan) for n, v in t.items()}
    with np.errstate(all="ignore"):
        q, buyer, supplier = models.SOLVERS[kind](e, d, safe)
        chain = models.chain_of(kind, e, d, safe, q)
        best_q, best = models.optimum_of(kind, e, d, safe)
        efficiency = np.where(best > 0, chain / best, np.nan)
    return {
        "order_quantity": q,
        "buyer_profit": buyer,
        "supplier_profit": supplier,
        "chain_profit": chain,
        "efficiency": efficiency,
        "integrated_profit": np.broadcast_to(best, np.shape(q)),
        "integrated_quantity": np.broadcast_to(best_q, np.shape(q)),
    }


def evaluate_grid(
    kind: ContractType | str,
    demand: Demand,
    *,
    price: float,
    cost: float,
    salvage: float = 0.0,
    strict: bool = True,
    **terms: Any,
) -> dict[str, Array]:
    """Evaluate arrays of terms (broadcast together) at once.

    Returns arrays: ``order_quantity`` (units), ``buyer_profit``, ``supplier_profit``,
    ``chain_profit``, ``integrated_profit`` (currency), ``efficiency``, ``feasible`` and each
    term. ``strict=False`` marks infeasible combinations NaN instead of raising.
    """
    kind = ContractType(kind).value
    if kind == "integrated":
        raise InputError("type", "the integrated chain has no terms to vary")
    e = economics(price, cost, salvage)
    t, ok = complete_terms(kind, e, demand, terms, strict=strict)
    return {**solve(kind, e, demand, t, ok), "feasible": ok, **t}


@dataclass(frozen=True)
class Outcome:
    """One contract's evaluation (units and currency; ``efficiency`` = chain / optimum)."""

    type: ContractType
    terms: dict[str, float]
    order_quantity: float
    buyer_profit: float | None
    supplier_profit: float | None
    chain_profit: float
    integrated_profit: float
    integrated_quantity: float
    efficiency: float
    expected_sales: float
    expected_leftover: float
    expected_lost_sales: float
    coordinating_terms: dict[str, float] | None
    deal_zone: DealZone | None
    status_quo: tuple[float, float] | None = None
    demand: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (NaN becomes None)."""
        found = {k: getattr(self, k) for k in self.__dataclass_fields__}
        found["type"] = self.type.value
        found["deal_zone"] = self.deal_zone.as_dict() if self.deal_zone else None
        found["status_quo"] = (
            {"buyer_profit": self.status_quo[0], "supplier_profit": self.status_quo[1]}
            if self.status_quo
            else None
        )
        return {k: _clean(v) for k, v in found.items()}


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not np.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    return value


def coordinating_terms(
    contract: ContractTerms, demand: Demand, price: float, cost: float, salvage: float = 0.0
) -> dict[str, float] | None:
    """The terms of this type that coordinate the chain, keeping the contract's primary term
    (None where none exist: gain sharing above marginal cost, the integrated chain)."""
    kind = contract.type.value
    e = economics(price, cost, salvage)
    if kind == "integrated":
        return None
    t, _ = complete_terms(kind, e, demand, contract.given())
    if kind == "gain-sharing":
        same = bool(np.isclose(t["wholesale"], e.cost))
        return {"savings_share": 1.0, "investment_share": 1.0} if same else None
    found = models.coordinating(kind, e, demand, t)
    assert found is not None
    terms = {n: float(v) for n, v in found.items()}
    if kind == "sales-rebate":
        limit = rebate_threshold_limit(e, demand, terms["wholesale"], terms["rebate"])
        terms["threshold"] = min(float(t["threshold"]), limit)
    return terms


def status_quo_profits(
    contract: ContractTerms,
    e: Economics,
    demand: Demand,
    status_quo: float | tuple[float, float] | None,
) -> tuple[float, float]:
    """(buyer, supplier) profits of the status quo (see the module's docstring)."""
    if isinstance(status_quo, tuple):
        return float(status_quo[0]), float(status_quo[1])
    kind, w = contract.type.value, status_quo
    if w is None and kind in ("wholesale", "buyback", "quantity-flexibility", "sales-rebate"):
        w = contract.wholesale
    if w is None and kind == "gain-sharing":
        w = contract.wholesale
    if w is None:
        return 0.0, 0.0
    if not e.cost <= w < e.price:
        raise InputError("status_quo", f"the wholesale price must be in [{e.cost:g}, {e.price:g})")
    _, buyer, supplier = models.wholesale(e, demand, {"wholesale": np.asarray(float(w))})
    return float(buyer), float(supplier)


def deal_zone(
    contract: ContractTerms,
    demand: Demand,
    price: float,
    cost: float,
    salvage: float = 0.0,
    *,
    status_quo: float | tuple[float, float] | None = None,
) -> DealZone | None:
    """The range of the contract's free parameter that leaves buyer and supplier at least as
    well off as ``status_quo`` (a wholesale price or a (buyer, supplier) profit pair)."""
    kind = contract.type.value
    e = economics(price, cost, salvage)
    if kind == "integrated":
        return None
    t, _ = complete_terms(kind, e, demand, contract.given())
    terms = {n: float(v) for n, v in t.items()}
    return zone_of(kind, e, demand, terms, status_quo_profits(contract, e, demand, status_quo))


def evaluate(
    contract: ContractTerms,
    demand: Demand,
    price: float,
    cost: float,
    salvage: float = 0.0,
    *,
    status_quo: float | tuple[float, float] | None = None,
) -> Outcome:
    """Evaluate one contract: the buyer's order, the profits, the efficiency, the coordinating
    terms and the deal zone against ``status_quo`` (a wholesale price or a profit pair)."""
    kind = contract.type.value
    e = economics(price, cost, salvage)
    if kind == "integrated":
        q, best = models.integrated(e, demand)
        return _outcome(contract, e, demand, {}, q, None, None, best, best, q, None, None)
    t, ok = complete_terms(kind, e, demand, contract.given())
    found = solve(kind, e, demand, t, ok)
    terms = {n: float(v) for n, v in t.items()}
    sq = status_quo_profits(contract, e, demand, status_quo)
    zone = zone_of(kind, e, demand, terms, sq)
    return _outcome(
        contract,
        e,
        demand,
        terms,
        found["order_quantity"],
        found["buyer_profit"],
        found["supplier_profit"],
        found["chain_profit"],
        found["integrated_profit"],
        found["integrated_quantity"],
        coordinating_terms(contract, demand, price, cost, salvage),
        zone,
        sq,
    )


def _outcome(
    contract: ContractTerms,
    e: Economics,
    d: Demand,
    terms: dict[str, float],
    q: Array,
    buyer: Array | None,
    supplier: Array | None,
    chain: Array,
    best: Array,
    best_q: Array,
    coordinating: dict[str, float] | None,
    zone: DealZone | None,
    sq: tuple[float, float] | None = None,
) -> Outcome:
    order = float(q)
    return Outcome(
        type=contract.type,
        terms=terms,
        order_quantity=order,
        buyer_profit=None if buyer is None else float(buyer),
        supplier_profit=None if supplier is None else float(supplier),
        chain_profit=float(chain),
        integrated_profit=float(best),
        integrated_quantity=float(best_q),
        efficiency=float(chain) / float(best) if float(best) > 0 else float("nan"),
        expected_sales=float(d.sales(order)),
        expected_leftover=float(d.leftover(order)),
        expected_lost_sales=float(d.lost_sales(order)),
        coordinating_terms=coordinating,
        deal_zone=zone,
        status_quo=sq,
        demand=d.as_dict(),
    )
