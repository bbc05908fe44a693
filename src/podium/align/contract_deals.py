"""The deal zone of a contract: the range of its free parameter that leaves both parties at
least as well off as the status quo (see :mod:`podium.align.contracts`).

Along the coordinating family of a type (Cachon 2003: every member orders the integrated
optimum and only the split of its profit moves) or, for a type that does not coordinate, along
its own free term with the others held. Each party's profit is evaluated on a grid of the
parameter (vectorised), the longest run where both clear the status quo is kept and its ends
are refined to the break-even points with Brent's method.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import brentq

from podium.align import contract_models as models
from podium.align.contract_models import Economics, Terms
from podium.align.demand import Array, Demand

GRID = 257
"""Points of the parameter grid before the ends are refined."""

Family = tuple[str, float, float, Callable[[Array], Terms], bool]


@dataclass(frozen=True)
class DealZone:
    """The free ``parameter``'s range [low, high], the full terms at each end, each party's
    expected profit there (currency) and whether every point of it coordinates the chain."""

    parameter: str
    low: float
    high: float
    terms_low: dict[str, float]
    terms_high: dict[str, float]
    buyer_profit: tuple[float, float]
    supplier_profit: tuple[float, float]
    coordinating: bool

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "parameter": self.parameter,
            "low": self.low,
            "high": self.high,
            "terms_low": self.terms_low,
            "terms_high": self.terms_high,
            "buyer_profit": list(self.buyer_profit),
            "supplier_profit": list(self.supplier_profit),
            "coordinating": self.coordinating,
        }


def rebate_threshold_limit(e: Economics, d: Demand, w: float, r: float) -> float:
    """The largest threshold (units) at which a buyer offered the coordinating rebate ``r``
    still orders the integrated optimum rather than stop at or below the threshold."""
    p, v = e.price, e.salvage
    best, _ = models.integrated(e, d)
    plain = d.order((p - w) / (p - v))

    def margin(t: float) -> float:
        above = (p - v + r) * d.sales(best) - (w - v) * best - r * d.sales(t)
        q = np.minimum(plain, t)
        return float(above - ((p - v) * d.sales(q) - (w - v) * q))

    top = float(best)
    if margin(top) >= 0:
        return top
    return float(brentq(margin, 0.0, top))


def _family(kind: str, e: Economics, d: Demand, terms: dict[str, float]) -> Family | None:
    p, c, v = e.price, e.cost, e.salvage
    near_p = p - 1e-6 * (p - c)
    if kind == "wholesale":
        return "wholesale", c, near_p, lambda x: {"wholesale": x}, False
    if kind == "buyback":
        return (
            "wholesale",
            c,
            near_p,
            lambda x: {"wholesale": x, "buyback": (p - v) * (x - c) / (p - c)},
            True,
        )
    if kind == "revenue-sharing":
        return "share", 1e-6, 1.0, lambda x: {"share": x, "wholesale": x * c}, True
    if kind == "quantity-flexibility":
        return (
            "flexibility",
            0.0,
            0.999,
            lambda x: {"flexibility": x, "wholesale": models.flexible_wholesale(e, d, x)},
            True,
        )
    if kind == "sales-rebate":
        w = terms["wholesale"]
        r = (w - c) * (p - v) / (c - v)
        limit = rebate_threshold_limit(e, d, w, r)
        fixed = {"wholesale": np.asarray(w), "rebate": np.asarray(r)}
        return "threshold", 0.0, limit, lambda x: {**fixed, "threshold": x}, True
    if kind == "capacity-reservation":
        return (
            "wholesale",
            v,
            near_p,
            lambda x: {"wholesale": x, "reservation": (p - x) * (c - v) / (p - v)},
            True,
        )
    if kind == "gain-sharing":
        held = {n: np.asarray(terms[n]) for n in terms if n != "savings_share"}
        return "savings_share", 0.0, 1.0, lambda x: {**held, "savings_share": x}, False
    return None


def _longest_run(ok: Array) -> tuple[int, int]:
    """First and last index of the longest run of True."""
    best, start, run = (0, -1), 0, False
    for i, flag in enumerate([*ok.tolist(), False]):
        if flag and not run:
            start, run = i, True
        elif not flag and run:
            run = False
            if i - start > best[1] - best[0] + 1:
                best = (start, i - 1)
    return best


def zone_of(
    kind: str,
    e: Economics,
    d: Demand,
    terms: dict[str, float],
    status_quo: tuple[float, float],
) -> DealZone | None:
    """The deal zone of a contract against the status quo's (buyer, supplier) profits; None
    where the type has no free parameter or no terms leave both as well off."""
    family = _family(kind, e, d, terms)
    if family is None:
        return None
    name, lo, hi, make, coordinates = family
    solver = models.SOLVERS[kind]
    _, best = models.optimum_of(kind, e, d, {n: np.asarray(v) for n, v in terms.items()})
    tolerance = 1e-9 * max(1.0, abs(float(best)))

    def profits(x: Array) -> tuple[Array, Array]:
        with np.errstate(all="ignore"):
            _, buyer, supplier = solver(e, d, make(np.asarray(x, dtype=float)))
        return buyer, supplier

    def slack(x: Any) -> Any:
        buyer, supplier = profits(x)
        return np.minimum(buyer - status_quo[0], supplier - status_quo[1])

    def edge(outside: float, inside: float) -> float:
        """The break-even point between a grid point outside the zone and one inside."""
        return inside if slack(inside) <= 0 else float(brentq(slack, outside, inside))

    xs = np.linspace(lo, hi, GRID)
    current = terms.get(name)
    if current is not None and lo <= current <= hi:
        xs = np.unique(np.append(xs, current))
    ok = slack(xs) >= -tolerance
    if not ok.any():
        return None
    first, last = _longest_run(ok)
    low = float(xs[first]) if first == 0 else edge(xs[first - 1], xs[first])
    high = float(xs[last]) if last == xs.size - 1 else edge(xs[last + 1], xs[last])
    if current is not None:  # the status quo's own terms: no refinement slop
        near = 1e-7 * (hi - lo)
        low, high = (current if abs(x - current) < near else x for x in (low, high))
    ends = np.array([low, high])
    buyer, supplier = profits(ends)
    made = make(ends)
    return DealZone(
        parameter=name,
        low=low,
        high=high,
        terms_low={n: float(np.broadcast_to(v, (2,))[0]) for n, v in made.items()},
        terms_high={n: float(np.broadcast_to(v, (2,))[1]) for n, v in made.items()},
        buyer_profit=(float(buyer[0]), float(buyer[1])),
        supplier_profit=(float(supplier[0]), float(supplier[1])),
        coordinating=coordinates,
    )
