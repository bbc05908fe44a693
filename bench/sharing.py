"""Shapley value of a shared substation and storage: exact to 20 players, sampled at 200.

Run: ``python bench/sharing.py [--exact 20] [--naive-max 16] [--sampled 200]
[--samples 20000] [--seed 2026]``.

The game (numpy with a fixed seed): tenants of a park co-fund a substation sized to their
coincident peak over 24 hourly loads (8 M EUR fixed + 12 M EUR per started 63 MW transformer)
and a store with economies of scale (4 M EUR + 0.759 M EUR * MWh^0.8), the cost model of
``src/podium/samples/industrial_park_substation.yaml`` with random tenants (peaks 1-40 MW).

The figures: :func:`podium.align.sharing.shapley` (the 2^n coalition costs by numpy, then the
bitmask formula) for 10, 12, ..., ``--exact`` players; the *naive reference* where it can run
(up to ``--naive-max``): each coalition's cost in pure Python, then for each player the subset
formula ``sum_{S not i} |S|!(n-|S|-1)!/n! (c(S+i) - c(S))`` by looping over every coalition;
the two must agree to 1e-9 relative. Then ``--samples`` random permutations of ``--sampled``
players with each share's standard error, and an airport game of the same size sampled
against its Littlechild-Owen closed form (share of players within 3 standard errors).
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np

from podium.align import sharing
from podium.align.games import game_from_mapping

SEED = 2026
HOURS = 24


def timed(action: Callable[[], Any]) -> tuple[Any, float]:
    """Return the action's result and its wall time in seconds."""
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


def park(n: int, rng: np.random.Generator) -> dict[str, Any]:
    """A park game of ``n`` tenants with random hourly profiles and storage needs."""
    players = [f"t{i:03d}" for i in range(n)]
    peak = rng.uniform(1, 40, n)
    shape = rng.uniform(0.3, 1.0, (n, HOURS))
    shape[np.arange(n), rng.integers(0, HOURS, n)] = 1.0  # each profile peaks at its load
    profiles = np.round(peak[:, None] * shape, 3)
    storage = np.round(rng.uniform(0, 30, n), 1)
    return {
        "players": players,
        "cost_model": {
            "shared_facility": {
                "fixed": 8e6,
                "step_size": 63,
                "step_cost": 12e6,
                "loads": {
                    p: list(map(float, row)) for p, row in zip(players, profiles, strict=True)
                },
            },
            "capacity": {
                "fixed": 4e6,
                "unit_cost": 759_000,
                "exponent": 0.8,
                "loads": {p: float(s) for p, s in zip(players, storage, strict=True)},
            },
        },
    }


def naive_shapley(data: dict[str, Any]) -> list[float]:
    """The reference: coalition costs and the subset formula in pure Python."""
    players = data["players"]
    n = len(players)
    model = data["cost_model"]
    profiles = [model["shared_facility"]["loads"][p] for p in players]
    storage = [model["capacity"]["loads"][p] for p in players]
    cost = [0.0] * (1 << n)
    for mask in range(1, 1 << n):
        inside = [i for i in range(n) if mask >> i & 1]
        peak = max(sum(profiles[i][h] for i in inside) for h in range(HOURS))
        mwh = sum(storage[i] for i in inside)
        c = 8e6 + 12e6 * math.ceil(peak / 63 - 1e-12) if peak > 0 else 0.0
        cost[mask] = c + (4e6 + 759_000 * mwh**0.8 if mwh > 0 else 0.0)
    weight = [math.factorial(s) * math.factorial(n - s - 1) / math.factorial(n) for s in range(n)]
    phi = [0.0] * n
    for i in range(n):
        for mask in range(1 << n):
            if not mask >> i & 1:
                phi[i] += weight[bin(mask).count("1")] * (cost[mask | 1 << i] - cost[mask])
    return phi


def exact_rows(args: argparse.Namespace, rng: np.random.Generator) -> None:
    print(f"  {'players':>7} {'coalitions':>11} {'numpy s':>9} {'naive s':>9} {'ratio':>8}  agree")
    for n in range(10, args.exact + 1, 2):
        data = park(n, rng)
        game = game_from_mapping(data)
        fast, t_fast = timed(partial(sharing.shapley, game))
        if n <= args.naive_max:
            ref, t_ref = timed(partial(naive_shapley, data))
            agree = np.allclose(fast.shares, ref, rtol=1e-9, atol=0)
            print(
                f"  {n:7d} {1 << n:11,d} {t_fast:9.3f} {t_ref:9.2f} {t_ref / t_fast:7.0f}x  {agree}"
            )
        else:
            print(f"  {n:7d} {1 << n:11,d} {t_fast:9.3f} {'-':>9} {'-':>8}  (no reference)")


def sampled_rows(args: argparse.Namespace, rng: np.random.Generator) -> None:
    game = game_from_mapping(park(args.sampled, rng))
    found, seconds = timed(lambda: sharing.shapley_sampled(game, args.samples, args.seed))
    errors = found.std_errors
    print(
        f"  park, {args.sampled} players, {args.samples:,} permutations: {seconds:.2f} s; "
        f"total {game.grand_value() / 1e6:,.2f} M EUR = sum of shares "
        f"{found.shares.sum() / 1e6:,.2f}; standard error median "
        f"{np.median(errors) / 1e3:,.1f} k EUR, max {errors.max() / 1e3:,.1f} k EUR "
        f"(median share {np.median(found.shares) / 1e3:,.1f} k EUR)"
    )
    costs = {
        p: float(c) for p, c in zip(game.players, rng.uniform(1, 100, args.sampled), strict=True)
    }
    airport = game_from_mapping({"players": list(costs), "cost_model": {"airport": costs}})
    exact, t_exact = timed(lambda: sharing.shapley(airport).shares)
    sampled, t_sampled = timed(lambda: sharing.shapley_sampled(airport, args.samples, args.seed))
    within = np.mean(np.abs(sampled.shares - exact) <= 3 * sampled.std_errors)
    print(
        f"  airport, {args.sampled} players: closed form {t_exact * 1e3:.2f} ms, sampled "
        f"{t_sampled:.2f} s; {within:.1%} of shares within 3 standard errors of exact"
    )


def main() -> None:
    """Run the exact and sampled Shapley values and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exact", type=int, default=20)
    parser.add_argument("--naive-max", type=int, default=16)
    parser.add_argument("--sampled", type=int, default=200)
    parser.add_argument("--samples", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    print(
        f"# {platform.node()} {platform.machine()} ({os.cpu_count()} CPUs), Python "
        f"{platform.python_version()}, numpy {np.__version__}, {time.strftime('%Y-%m-%d')}"
    )
    rng = np.random.default_rng(args.seed)
    print("Exact Shapley value of the park game (substation + storage):")
    exact_rows(args, rng)
    print("Sampled Shapley value:")
    sampled_rows(args, rng)


if __name__ == "__main__":
    main()
