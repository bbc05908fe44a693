"""The buyer's decision and both parties' expected profits under each contract, vectorised.

Notation (Cachon 2003, "Supply Chain Coordination with Contracts", Handbooks in OR/MS 11,
section 2): a buyer (retailer) sells at price ``p`` per unit, a supplier makes each unit at
cost ``c``, a unit left over is salvaged at ``v`` (currency per unit, ``0 <= v < c < p``),
one order of ``q`` units is placed before demand ``D`` is known. With ``S``, ``I`` and ``F``
from :mod:`podium.align.demand`, the chain earns ``Pi(q) = (p - v) S(q) - (c - v) q`` and the
integrated optimum orders ``F(q*) = (p - c) / (p - v)``. Each function here takes numpy arrays
of terms (broadcast together) and returns the buyer's order and both expected profits; the
transfer payments are written out, so ``buyer + supplier`` equals the chain's profit exactly
when the bookkeeping is right (the tests check it). Closed forms, derived from the buyer's
first-order condition:

- wholesale price ``w``: ``F(q) = (p - w) / (p - v)``; supplier ``(w - c) q``.
- buyback ``(w, b)`` (supplier pays ``b`` per unsold unit): ``F(q) = (p - w) / (p - v - b)``.
- revenue sharing ``(phi, w)`` (the buyer keeps ``phi`` of sales *and* salvage revenue, as in
  Cachon & Lariviere 2005): ``F(q) = (phi p - w) / (phi (p - v))``.
- quantity flexibility ``(w, delta)`` (credit of ``w - v`` on up to ``delta q`` unsold units):
  the buyer's right derivative ``(p - w) - (p - v) F(q) + (w - v) (F(q) - (1 - delta)
  F((1 - delta) q))`` is decreasing; its root is found elementwise (Chandrupatla, scipy).
- sales rebate ``(w, r, t)`` (``r`` per unit sold above ``t``): the better of the best order at
  or below ``t`` (``F = (p - w)/(p - v)``) and at or above it (``F = (p + r - w)/(p - v + r)``).
- capacity reservation ``(w, r)``: the buyer reserves ``q`` units at ``r`` each, the supplier
  builds them, the buyer takes what it sells at exercise price ``w`` and the supplier salvages
  the rest: ``F(q) = 1 - r / (p - w)``.
- gain sharing ``(w, Delta, K, sigma, beta)``: a joint initiative cuts the supplier's unit cost
  by ``Delta`` for an investment ``K`` (currency); the buyer gets ``sigma`` of the saving as a
  lower wholesale price ``w - sigma Delta`` and pays ``beta`` of ``K``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import elementwise

from podium.align.demand import Array, Demand, InputError


@dataclass(frozen=True)
class Economics:
    """Price, the supplier's unit cost and the salvage value (currency per unit)."""

    price: float
    cost: float
    salvage: float = 0.0


Terms = dict[str, Array]
Result = tuple[Array, Array, Array]  # order quantity, buyer profit, supplier profit


def chain_profit(e: Economics, d: Demand, q: Array, cost: Any = None) -> Array:
    """Pi(q) = (p - v) S(q) - (c - v) q (currency), at the given unit ``cost`` (default c)."""
    c = e.cost if cost is None else cost
    return (e.price - e.salvage) * d.sales(q) - (c - e.salvage) * q


def integrated(e: Economics, d: Demand, cost: Any = None) -> tuple[Array, Array]:
    """The integrated chain's order and expected profit (units, currency)."""
    c = e.cost if cost is None else np.asarray(cost, dtype=float)
    q = d.order((e.price - c) / (e.price - e.salvage))
    return q, chain_profit(e, d, q, c)


def wholesale(e: Economics, d: Demand, t: Terms) -> Result:
    p, c, v, w = e.price, e.cost, e.salvage, t["wholesale"]
    q = d.order((p - w) / (p - v))
    return q, (p - v) * d.sales(q) - (w - v) * q, (w - c) * q


def buyback(e: Economics, d: Demand, t: Terms) -> Result:
    p, c, v, w, b = e.price, e.cost, e.salvage, t["wholesale"], t["buyback"]
    q = d.order((p - w) / (p - v - b))
    leftover = d.leftover(q)
    revenue = p * (q - leftover) + v * leftover
    return q, revenue - w * q + b * leftover, w * q - b * leftover - c * q


def revenue_sharing(e: Economics, d: Demand, t: Terms) -> Result:
    p, c, v, share, w = e.price, e.cost, e.salvage, t["share"], t["wholesale"]
    q = d.order((share * p - w) / (share * (p - v)))
    leftover = d.leftover(q)
    revenue = p * (q - leftover) + v * leftover
    return q, share * revenue - w * q, (w - c) * q + (1 - share) * revenue


def _flexible_slope(d: Demand, p: float, v: float) -> Callable[..., Array]:
    def slope(q: Array, w: Array, delta: Array) -> Array:
        kept = (1 - delta) * q
        return (p - w) - (p - v) * d.cdf(q) + (w - v) * (d.cdf(q) - (1 - delta) * d.cdf(kept))

    return slope


def flexible_order(e: Economics, d: Demand, w: Array, delta: Array) -> Array:
    """The buyer's order under quantity flexibility (units): the root of its decreasing slope."""
    p, v = e.price, e.salvage
    w, delta = np.broadcast_arrays(np.asarray(w, dtype=float), np.asarray(delta, dtype=float))
    slope = _flexible_slope(d, p, v)
    # at hi the slope is at most (p - w) eps - (w - v)(1 - delta)(1 - eps) < 0
    eps = 0.5 * (w - v) * (1 - delta) / ((p - w) + (w - v) * (1 - delta))
    hi = np.maximum(d.ppf(1 - eps), 0.0) / (1 - delta) + 1.0
    lo = np.zeros_like(hi)
    found = elementwise.find_root(slope, (lo, hi), args=(w, delta))
    return np.where(slope(lo, w, delta) <= 0, 0.0, found.x)


def quantity_flexibility(e: Economics, d: Demand, t: Terms) -> Result:
    p, c, v, w, delta = e.price, e.cost, e.salvage, t["wholesale"], t["flexibility"]
    q = flexible_order(e, d, w, delta)
    credit = (w - v) * (d.leftover(q) - d.leftover((1 - delta) * q))
    return q, (p - v) * d.sales(q) - (w - v) * q + credit, (w - c) * q - credit


def sales_rebate(e: Economics, d: Demand, t: Terms) -> Result:
    p, c, v = e.price, e.cost, e.salvage
    w, r, threshold = t["wholesale"], t["rebate"], t["threshold"]
    base = d.sales(threshold)

    def buyer(q: Array) -> tuple[Array, Array]:
        sales = d.sales(q)
        paid = r * np.maximum(sales - base, 0.0)
        return (p - v) * sales - (w - v) * q + paid, paid

    below = np.minimum(d.order((p - w) / (p - v)), threshold)
    above = np.maximum(d.order((p + r - w) / (p - v + r)), threshold)
    (low, low_paid), (high, high_paid) = buyer(below), buyer(above)
    pick = high >= low - 1e-9 * (np.abs(low) + 1.0)  # a tie goes to the larger order
    q = np.where(pick, above, below)
    paid = np.where(pick, high_paid, low_paid)
    return q, np.where(pick, high, low), (w - c) * q - paid


def capacity_reservation(e: Economics, d: Demand, t: Terms) -> Result:
    p, c, v, w, r = e.price, e.cost, e.salvage, t["wholesale"], t["reservation"]
    q = d.order(1 - r / (p - w))
    sales = d.sales(q)
    return q, (p - w) * sales - r * q, r * q + w * sales - c * q + v * (q - sales)


def gain_sharing(e: Economics, d: Demand, t: Terms) -> Result:
    p, c, v = e.price, e.cost, e.salvage
    price_cut = t["savings_share"] * t["savings"]
    w, cost = t["wholesale"] - price_cut, c - t["savings"]
    q = d.order((p - w) / (p - v))
    buyer = (p - v) * d.sales(q) - (w - v) * q - t["investment_share"] * t["investment"]
    supplier = (w - cost) * q - (1 - t["investment_share"]) * t["investment"]
    return q, buyer, supplier


TERMS = (
    "wholesale",
    "buyback",
    "share",
    "flexibility",
    "rebate",
    "threshold",
    "reservation",
    "savings",
    "investment",
    "savings_share",
    "investment_share",
)
REQUIRED: dict[str, tuple[str, ...]] = {
    "wholesale": ("wholesale",),
    "buyback": ("wholesale",),
    "revenue-sharing": ("share",),
    "quantity-flexibility": ("flexibility",),
    "sales-rebate": ("wholesale",),
    "capacity-reservation": ("wholesale",),
    "gain-sharing": ("wholesale", "savings", "savings_share"),
    "integrated": (),
}
USED: dict[str, tuple[str, ...]] = {
    "wholesale": ("wholesale",),
    "buyback": ("wholesale", "buyback"),
    "revenue-sharing": ("share", "wholesale"),
    "quantity-flexibility": ("flexibility", "wholesale"),
    "sales-rebate": ("wholesale", "rebate", "threshold"),
    "capacity-reservation": ("wholesale", "reservation"),
    "gain-sharing": ("wholesale", "savings", "investment", "savings_share", "investment_share"),
    "integrated": (),
}


def economics(price: float, cost: float, salvage: float = 0.0) -> Economics:
    """Checked economics: ``0 <= salvage < cost < price`` (currency per unit)."""
    for name, value in (("price", price), ("cost", cost), ("salvage", salvage)):
        if not np.isfinite(value) or value < 0:
            raise InputError(name, "must be a number, zero or more")
    if price <= 0:
        raise InputError("price", "must be positive")
    if cost >= price:
        raise InputError("cost", f"must be below the price ({price:g})")
    if salvage >= cost:
        raise InputError("salvage", f"must be below the cost ({cost:g})")
    return Economics(float(price), float(cost), float(salvage))


def _rules(kind: str, e: Economics, t: Terms) -> list[tuple[str, Any, str]]:
    """(field, ok elementwise, message) for each condition the terms must meet."""
    p, c, v = e.price, e.cost, e.salvage
    w = t.get("wholesale", np.nan)
    rules: list[tuple[str, Any, str]] = []
    if kind in ("wholesale", "buyback", "quantity-flexibility", "sales-rebate", "gain-sharing"):
        rules.append(("wholesale", (w >= c) & (w < p), f"must be in [cost, price): [{c:g}, {p:g})"))
    if kind == "buyback":
        b = t["buyback"]
        rules.append(("buyback", (b >= 0) & (b < w - v), "must be in [0, wholesale - salvage)"))
    if kind == "revenue-sharing":
        s = t["share"]
        rules.append(("share", (s > 0) & (s <= 1), "must be in (0, 1]"))
        fine = (w > s * v) & (w < s * p)
        rules.append(("wholesale", fine, "must be in (share x salvage, share x price)"))
    if kind == "quantity-flexibility":
        f = t["flexibility"]
        rules.append(("flexibility", (f >= 0) & (f < 1), "must be in [0, 1)"))
    if kind == "sales-rebate":
        rules.append(("rebate", t["rebate"] >= 0, "must be zero or more"))
        rules.append(("threshold", t["threshold"] >= 0, "must be zero or more (units)"))
    if kind == "capacity-reservation":
        rules.append(("wholesale", (w >= 0) & (w < p), f"the exercise price must be in [0, {p:g})"))
        rules.append(("reservation", t["reservation"] > 0, "must be positive"))
    if kind == "gain-sharing":
        s = t["savings"]
        rules.append(("savings", (s >= 0) & (s < c - v), "must be in [0, cost - salvage)"))
        rules.append(("investment", t["investment"] >= 0, "must be zero or more"))
        for name in ("savings_share", "investment_share"):
            rules.append((name, (t[name] >= 0) & (t[name] <= 1), "must be in [0, 1]"))
    return rules


def complete_terms(
    kind: str, e: Economics, d: Demand, given: Mapping[str, Any], *, strict: bool = True
) -> tuple[Terms, Array]:
    """The terms as broadcast arrays with the defaults filled in, and which are feasible.

    ``strict``: raise :class:`InputError` naming the first field that breaks a rule.
    """
    for name in REQUIRED[kind]:
        if given.get(name) is None:
            raise InputError(name, f"is required for a {kind} contract")
    for name, value in given.items():
        if name not in USED[kind] and value is not None:
            raise InputError(name, f"is not a term of a {kind} contract")
    t: Terms = {n: np.asarray(v, dtype=float) for n, v in given.items() if v is not None}
    if kind == "gain-sharing":
        t.setdefault("investment", np.asarray(0.0))
        t.setdefault("investment_share", t["savings_share"])
    if kind == "sales-rebate":
        t.setdefault("threshold", np.asarray(0.0))
    with np.errstate(all="ignore"):
        defaults = coordinating(kind, e, d, t) or {}
    for name in USED[kind]:
        if name not in t:
            t[name] = np.asarray(defaults[name], dtype=float)
    shape = np.broadcast_shapes(*(v.shape for v in t.values())) if t else ()
    t = {n: np.broadcast_to(v, shape) for n, v in t.items()}
    ok = np.ones(shape, dtype=bool)
    with np.errstate(invalid="ignore"):
        for name, fine, message in _rules(kind, e, t):
            fine = np.broadcast_to(fine, shape)
            if strict and not fine.all():
                raise InputError(name, message)
            ok &= fine
    return t, ok


SOLVERS: dict[str, Callable[[Economics, Demand, Terms], Result]] = {
    "wholesale": wholesale,
    "buyback": buyback,
    "revenue-sharing": revenue_sharing,
    "quantity-flexibility": quantity_flexibility,
    "sales-rebate": sales_rebate,
    "capacity-reservation": capacity_reservation,
    "gain-sharing": gain_sharing,
}


def chain_of(kind: str, e: Economics, d: Demand, t: Terms, q: Array) -> Array:
    """The chain's expected profit at order ``q`` (currency; gain sharing: at the reduced
    cost, less the investment)."""
    if kind == "gain-sharing":
        return chain_profit(e, d, q, e.cost - t["savings"]) - t["investment"]
    return chain_profit(e, d, q)


def optimum_of(kind: str, e: Economics, d: Demand, t: Terms) -> tuple[Array, Array]:
    """The integrated optimum the contract is measured against (units, currency)."""
    if kind == "gain-sharing":
        q, profit = integrated(e, d, e.cost - t["savings"])
        return q, profit - t["investment"]
    return integrated(e, d)


def flexible_wholesale(e: Economics, d: Demand, delta: Array) -> Array:
    """The wholesale price that makes quantity flexibility ``delta`` coordinate (Cachon 2003,
    section 5): the buyer's slope vanishes at q*, i.e. ``(p - w)(c - v) = (w - v) A`` with
    ``A = (p - v)(1 - delta) F((1 - delta) q*)``."""
    p, c, v = e.price, e.cost, e.salvage
    best, _ = integrated(e, d)
    a = (p - v) * (1 - delta) * d.cdf((1 - delta) * best)
    return np.asarray((p * (c - v) + v * a) / (c - v + a))


def coordinating(kind: str, e: Economics, d: Demand, t: Terms) -> Terms | None:
    """The coordinating partner of the contract's primary term, elementwise (None: the type
    coordinates only at terms that leave the supplier nothing, or has no terms)."""
    p, c, v = e.price, e.cost, e.salvage
    if kind == "wholesale":
        return {"wholesale": np.full_like(t["wholesale"], c)}
    if kind == "buyback":
        w = t["wholesale"]
        return {"wholesale": w, "buyback": (p - v) * (w - c) / (p - c)}
    if kind == "revenue-sharing":
        return {"share": t["share"], "wholesale": t["share"] * c}
    if kind == "quantity-flexibility":
        delta = t["flexibility"]
        return {"flexibility": delta, "wholesale": flexible_wholesale(e, d, delta)}
    if kind == "sales-rebate":
        w = t["wholesale"]
        return {"wholesale": w, "rebate": (w - c) * (p - v) / (c - v)}
    if kind == "capacity-reservation":
        w = t["wholesale"]
        return {"wholesale": w, "reservation": (p - w) * (c - v) / (p - v)}
    return None
