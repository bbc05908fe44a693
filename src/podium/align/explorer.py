"""What the contract explorer draws: one contract's outcome and each party's expected profit along
the contract's free parameter, with the deal zone (Cachon 2003).

For a type that coordinates (buyback, revenue sharing, quantity flexibility, sales rebate,
capacity reservation) the curve follows the coordinating family: the primary term varies and the
others take their coordinating values, so the chain profit stays at the integrated optimum and
only its split moves. For the wholesale-price contract the curve varies the wholesale price, and
the chain profit falls below the optimum everywhere above marginal cost (double
marginalisation). Pure: numpy and :mod:`podium.align.contracts`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from podium.align import contracts
from podium.align.contracts import ContractTerms, ContractType
from podium.align.demand import parse_demand

TYPES = (
    "wholesale", "buyback", "revenue-sharing", "quantity-flexibility", "sales-rebate",
    "capacity-reservation",
)  # fmt: skip
"""The contract types the explorer shows."""
PARAMETER = {
    "wholesale": "wholesale", "buyback": "wholesale", "revenue-sharing": "share",
    "quantity-flexibility": "flexibility", "sales-rebate": "threshold",
    "capacity-reservation": "wholesale",
}  # fmt: skip
"""The term each type's curve varies (the deal zone's parameter)."""
TERMS = {
    "wholesale": ("wholesale",), "buyback": ("wholesale", "buyback"),
    "revenue-sharing": ("share",), "quantity-flexibility": ("flexibility",),
    "sales-rebate": ("wholesale", "rebate", "threshold"),
    "capacity-reservation": ("wholesale", "reservation"),
}  # fmt: skip
"""The terms a type's sliders set (the others default to their coordinating values)."""
HELD = {"sales-rebate": ("wholesale", "rebate")}
"""Terms held at the contract's values along the curve."""
POINTS = 121


def _range(
    kind: str, price: float, cost: float, salvage: float, best_q: float
) -> tuple[float, float]:
    """The curve's span of the varied term (currency per unit, a share, or units)."""
    parameter = PARAMETER[kind]
    if parameter == "wholesale":
        low = salvage if kind == "capacity-reservation" else cost
        return low, price - 1e-6 * (price - low)
    if parameter == "share":
        return 0.01, 1.0
    if parameter == "flexibility":
        return 0.0, 0.99
    return 0.0, best_q


def _clean(values: Any) -> list[float | None]:
    return [None if not math.isfinite(v) else float(v) for v in np.asarray(values, float).tolist()]


def explore(
    kind: str,
    *,
    price: float,
    cost: float,
    salvage: float,
    demand: str,
    terms: Mapping[str, float | None],
    points: int = POINTS,
) -> dict[str, Any]:
    """The outcome of ``kind`` at ``terms`` and the profit curves along its free parameter.

    Returns ``outcome`` (:meth:`podium.align.contracts.Outcome.as_dict`), ``parameter``, ``x``
    and the ``buyer``, ``supplier`` and ``chain`` expected profits along it (currency; None where
    the terms are infeasible), ``current`` (the contract's own point) and ``zone`` (the deal
    zone's ends, or None). Bad input raises :class:`~podium.align.demand.InputError`.
    """
    if kind not in TYPES:
        raise contracts.InputError("type", f"use one of {', '.join(TYPES)}")
    given = {n: float(v) for n in TERMS[kind] if (v := terms.get(n)) is not None}
    d = parse_demand(demand)
    outcome = contracts.evaluate(
        ContractTerms(ContractType(kind), **given), d, price, cost, salvage
    )
    parameter = PARAMETER[kind]
    low, high = _range(kind, price, cost, salvage, outcome.integrated_quantity)
    xs = np.linspace(low, high, points)
    held = {n: outcome.terms[n] for n in HELD.get(kind, ())}
    grid = contracts.evaluate_grid(
        kind, d, price=price, cost=cost, salvage=salvage, strict=False, **held, **{parameter: xs}
    )
    zone = outcome.deal_zone
    return {
        "type": kind, "parameter": parameter, "x": _clean(xs),
        "buyer": _clean(grid["buyer_profit"]), "supplier": _clean(grid["supplier_profit"]),
        "chain": _clean(grid["chain_profit"]), "integrated": outcome.integrated_profit,
        "current": {"x": outcome.terms.get(parameter), "buyer": outcome.buyer_profit,
                    "supplier": outcome.supplier_profit, "chain": outcome.chain_profit},
        "status_quo": list(outcome.status_quo) if outcome.status_quo else None,
        "zone": {"low": zone.low, "high": zone.high} if zone else None,
        "outcome": outcome.as_dict(),
    }  # fmt: skip
