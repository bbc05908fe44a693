"""10,000 contract terms at once: the vectorised contract model against per-combination loops.

Run: ``python bench/contracts.py [--size 100] [--reference 200] [--repeat 3] [--seed 2026]``.

The data: the issue's economics (price 10, cost 1, salvage 0 per unit; demand normal with
mean 1,000 and standard deviation 300 units) and, for each of four contract types, a
``--size`` x ``--size`` grid of terms (10,000 combinations by default): buyback (wholesale
price 1.5-9.5 x buyback 0-95% of it), revenue sharing (share 0.1-1 x wholesale 1-95% of
share x price), quantity flexibility (wholesale 1-9.5 x flexibility 0-0.9) and sales rebate
(wholesale 5; rebate 0-5 x threshold 0-2,000 units).

The figure: :func:`podium.align.contracts.evaluate_grid` over each whole grid (the buyer's
order and both parties' expected profits), best of ``--repeat``. Two references, both one
combination at a time: (1) the same model called once per combination (the loop the
vectorised code replaces), over the whole grid; (2) a naive newsvendor from first principles,
over ``--reference`` combinations drawn at random (it takes ~25 ms each): expected leftover
``E[(q - D)+]`` by numerical integration (``scipy.integrate.quad``) and the buyer's order by
bounded scalar maximisation of its expected profit (``scipy.optimize.minimize_scalar``; two
searches either side of a rebate threshold). Every profit of the vectorised model is compared
with reference (2): they must agree within 1e-6 of the chain's optimum.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np
import scipy
from scipy import integrate, optimize, stats

from podium.align.contracts import evaluate_grid
from podium.align.demand import Demand

SEED = 2026
P, C, V, MU, SD = 10.0, 1.0, 0.0, 1000.0, 300.0
DEMAND = Demand.normal(MU, SD)
Grid = dict[str, Any]  # arrays of terms or of results


def timed(action: Callable[[], Any]) -> tuple[Any, float]:
    """Return the action's result and its wall time in seconds."""
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


def best(action: Callable[[], Any], repeat: int) -> tuple[Any, float]:
    result, seconds = timed(action)
    for _ in range(repeat - 1):
        seconds = min(seconds, timed(action)[1])
    return result, seconds


def grids(size: int) -> dict[str, Grid]:
    """Each type's terms as two broadcast axes (see the module's docstring)."""
    column, row = (lambda a: a[:, None]), (lambda a: a[None, :])
    w = np.linspace(1.5, 9.5, size)
    share = np.linspace(0.1, 1.0, size)
    return {
        "buyback": {
            "wholesale": column(w),
            "buyback": column(w) * row(np.linspace(0, 0.95, size)),
        },
        "revenue-sharing": {
            "share": column(share),
            "wholesale": column(share) * P * row(np.linspace(0.01, 0.95, size)),
        },
        "quantity-flexibility": {
            "wholesale": column(np.linspace(1.0, 9.5, size)),
            "flexibility": row(np.linspace(0, 0.9, size)),
        },
        "sales-rebate": {
            "wholesale": np.asarray(5.0),
            "rebate": column(np.linspace(0, 5, size)),
            "threshold": row(np.linspace(0, 2000, size)),
        },
    }


# --- reference (2): the newsvendor from first principles -------------------------------------

NORMAL = stats.norm(MU, SD)
LOW, HIGH = MU - 8 * SD, MU + 8 * SD


def leftover(q: float) -> float:
    """E[(q - D)+] by numerical integration (units)."""
    if q <= LOW:
        return 0.0
    return float(integrate.quad(lambda x: (q - x) * NORMAL.pdf(x), LOW, q)[0])


def naive_profits(kind: str, t: dict[str, float]) -> tuple[float, float, float]:
    """(order, buyer, supplier) of one combination, by integration and maximisation."""

    def parties(q: float) -> tuple[float, float]:
        left = leftover(q)
        sales, revenue = q - left, P * (q - left) + V * left
        w = t["wholesale"]
        if kind == "buyback":
            return revenue - w * q + t["buyback"] * left, (w - C) * q - t["buyback"] * left
        if kind == "revenue-sharing":
            share = t["share"]
            return share * revenue - w * q, (w - C) * q + (1 - share) * revenue
        if kind == "quantity-flexibility":
            credit = (w - V) * (left - leftover((1 - t["flexibility"]) * q))
            return revenue - w * q + credit, (w - C) * q - credit
        base = t["threshold"] - leftover(t["threshold"])
        paid = t["rebate"] * max(sales - base, 0.0)
        return revenue - w * q + paid, (w - C) * q - paid

    spans = [(0.0, HIGH)]
    if kind == "sales-rebate":
        spans = [(0.0, max(t["threshold"], 1e-9)), (t["threshold"], HIGH)]
    found = [
        optimize.minimize_scalar(
            lambda q: -parties(q)[0], bounds=span, method="bounded", options={"xatol": 1e-6}
        )
        for span in spans
    ]
    q = float(min(found, key=lambda r: r.fun).x)
    return (q, *parties(q))


# --- the run ------------------------------------------------------------------------------------


def scalar_loop(kind: str, terms: Grid) -> float:
    """Reference (1): the same model, one combination per call; returns the seconds."""
    arrays = dict(zip(terms, np.broadcast_arrays(*terms.values()), strict=True))
    started = time.perf_counter()
    for index in np.ndindex(next(iter(arrays.values())).shape):
        evaluate_grid(
            kind, DEMAND, price=P, cost=C, salvage=V, **{n: a[index] for n, a in arrays.items()}
        )
    return time.perf_counter() - started


def compare(
    kind: str, terms: Grid, grid: Grid, picks: int, rng: np.random.Generator
) -> tuple[float, float]:
    """Reference (2) on ``picks`` random combinations: (seconds per combination, worst profit
    difference relative to the chain's optimum)."""
    arrays = dict(zip(terms, np.broadcast_arrays(*terms.values()), strict=True))
    shape = grid["buyer_profit"].shape
    chosen = rng.choice(int(np.prod(shape)), size=min(picks, int(np.prod(shape))), replace=False)
    scale = float(np.nanmax(grid["integrated_profit"]))
    worst, started = 0.0, time.perf_counter()
    for flat in chosen:
        index = np.unravel_index(flat, shape)
        _, buyer, supplier = naive_profits(kind, {n: float(a[index]) for n, a in arrays.items()})
        buyer_gap = abs(buyer - float(grid["buyer_profit"][index]))
        supplier_gap = abs(supplier - float(grid["supplier_profit"][index]))
        worst = max(worst, buyer_gap / scale, supplier_gap / scale)
    seconds = (time.perf_counter() - started) / max(len(chosen), 1)
    if worst > 1e-6:
        raise SystemExit(f"{kind}: profits differ from the reference by {worst:.1e} of the optimum")
    return seconds, worst


def main() -> None:
    """Evaluate each grid, run the references, compare and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100, help="values per axis (size^2 terms)")
    parser.add_argument("--reference", type=int, default=200, help="combinations, per type")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the vectorised model")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    print(
        f"# {platform.node()} {platform.machine()} ({os.cpu_count()} CPUs), Python "
        f"{platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}, "
        f"{time.strftime('%Y-%m-%d')}"
    )
    rng = np.random.default_rng(args.seed)
    cells = args.size**2
    print(f"{cells:,} term combinations per type; demand normal(1000, 300); p 10, c 1, v 0")
    header = f"  {'type':22} {'vectorised s':>12} {'loop s':>8} {'x':>6} {'naive s':>8} {'x':>7}"
    print(header + f" {'max diff':>9}")
    for kind, terms in grids(args.size).items():
        run = partial(evaluate_grid, kind, DEMAND, price=P, cost=C, salvage=V, **terms)
        grid, fast = best(run, args.repeat)
        loop = scalar_loop(kind, terms)
        each, worst = compare(kind, terms, grid, args.reference, rng)
        naive = each * cells
        print(
            f"  {kind:22} {fast:12.3f} {loop:8.2f} {loop / fast:5.0f}x {naive:8.1f} "
            f"{naive / fast:6.0f}x {worst:9.1e}"
        )
        if fast >= 2.0:
            raise SystemExit(f"{kind}: {fast:.2f} s for {cells:,} combinations (target < 2 s)")
    print(
        f"  target: each grid < 2 s. loop: the same model per combination; naive: integration "
        f"and maximisation per combination, timed on {args.reference:,} random combinations "
        f"and scaled to {cells:,}; max diff: the worst profit difference / the chain's optimum"
    )


if __name__ == "__main__":
    main()
