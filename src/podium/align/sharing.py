"""Sharing the cost or benefit of a joint investment: Shapley value, nucleolus, core, simple rules.

- Shapley value, exact: ``phi_i = sum_{S not i} |S|! (n-|S|-1)! / n! * (v(S+i) - v(S))`` over
  the 2^n coalitions held in one numpy array (O(2^n n), n <= 20); an ``airport`` component uses
  the closed form of Littlechild & Owen (1973) for any n (the value is additive over components).
- Shapley value, sampled: mean marginal contribution over random permutations (seeded), with
  the standard error of each player's mean (Castro, Gomez & Tejada 2009).
- Nucleolus: the sequence of LPs of Maschler, Peleg & Shapley (1979) solved with HiGHS; each
  round minimises the largest excess of the coalitions not yet fixed, then fixes those whose dual
  is positive (tight in every optimum) and drops those whose payoff the fixed ones determine.
- Core check, proportional rule (to weights, default stand-alone values) and equal split.

Allocations are in the game's currency; for a cost game a player *pays* its share, for a benefit
game it *receives* it. Pure: numpy and highspy only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import highspy
import numpy as np

from podium.align.games import Array, Game, GameError, members, require_enumerable

METHODS = ("shapley", "nucleolus", "proportional", "equal")
MAX_NUCLEOLUS = 16
"""Most players of the nucleolus LPs (2^n - 2 rows)."""
OBJECTIONS_SHOWN = 10


@dataclass(frozen=True)
class Allocation:
    """Who pays (cost game) or receives (benefit game) what, in currency, by player order."""

    method: str
    players: tuple[str, ...]
    shares: Array
    std_errors: Array | None = None  # sampled Shapley: standard error of each share
    samples: int | None = None

    def as_dict(self) -> dict[str, float]:
        return {p: float(x) for p, x in zip(self.players, self.shares, strict=True)}


@dataclass(frozen=True)
class Objection:
    """A coalition better off alone: its stand-alone value against its allocation."""

    coalition: tuple[str, ...]
    stand_alone: float
    allocated: float
    gain: float  # what the coalition gains by leaving (currency)


@dataclass(frozen=True)
class CoreCheck:
    """Whether an allocation is in the core; ``checked`` says which coalitions were tried."""

    in_core: bool
    checked: str  # "all" coalitions, or "partial" (each player alone and all but one)
    objections: list[Objection] = field(default_factory=list)
    objecting: int = 0  # how many coalitions object in all


def _tolerance(game: Game, values: Array) -> float:
    return 1e-9 * max(1.0, float(np.abs(values).max(initial=0.0)))


def shapley(game: Game) -> Allocation:
    """The exact Shapley value (closed form for airport parts, 2^n enumeration for the rest)."""
    phi = np.zeros(game.n)
    rest = [c for c in game.components if c.model != "airport"]
    for part in game.components:
        if part.model == "airport":
            phi += airport_shapley(part.loads)
    if game.table is not None:
        phi += shapley_of_table(game.table, game.n)
    elif rest:
        phi += shapley_of_table(Game(game.players, components=tuple(rest)).all_values(), game.n)
    return Allocation("shapley", game.players, phi)


def airport_shapley(costs: Array) -> Array:
    """Littlechild & Owen (1973): the k-th cost increment is split by the players needing it.

    Sorted costs c_(1) <= ... <= c_(n): ``phi_(j) = sum_{k<=j} (c_(k) - c_(k-1)) / (n - k + 1)``.
    """
    order = np.argsort(costs, kind="stable")
    steps = np.diff(np.concatenate([[0.0], costs[order]]))
    sorted_phi = np.cumsum(steps / np.arange(costs.size, 0, -1))
    phi = np.empty_like(sorted_phi)
    phi[order] = sorted_phi
    return phi


def shapley_of_table(table: Array, n: int) -> Array:
    """Shapley value of a characteristic function indexed by bitmask (length 2^n)."""
    require_enumerable(n)
    size = np.zeros(1 << n, dtype=np.int64)
    for b in range(n):  # popcount by doubling
        size[1 << b : 2 << b] = size[: 1 << b] + 1
    weight = np.array([1.0 / (n * math.comb(n - 1, s)) for s in range(n)])
    phi = np.empty(n)
    for i in range(n):
        # masks as (high bits, bit i, low bits): [:, 0, :] lack i, [:, 1, :] add it
        v = table.reshape(-1, 2, 1 << i)
        without = size.reshape(-1, 2, 1 << i)[:, 0, :]
        phi[i] = float(np.sum(weight[without] * (v[:, 1, :] - v[:, 0, :])))
    return phi


def shapley_sampled(game: Game, samples: int, seed: int = 0, chunk: int = 256) -> Allocation:
    """Shapley value by ``samples`` random permutations, with each share's standard error."""
    if samples < 2:
        raise GameError("#/samples", "sampling needs at least 2 permutations")
    rng = np.random.default_rng(seed)
    total, squares = np.zeros(game.n), np.zeros(game.n)
    rows = np.arange(chunk)[:, None]
    for start in range(0, samples, chunk):
        k = min(chunk, samples - start)
        perms = rng.permuted(np.tile(np.arange(game.n), (k, 1)), axis=1)
        marginal = np.empty((k, game.n))
        marginal[rows[:k], perms] = np.diff(game.prefix_values(perms), axis=1)
        total += marginal.sum(axis=0)
        squares += (marginal**2).sum(axis=0)
    mean = total / samples
    var = np.maximum(squares / samples - mean**2, 0.0) * samples / (samples - 1)
    return Allocation("shapley", game.players, mean, np.sqrt(var / samples), samples)


def proportional(game: Game, weights: Array | None = None) -> Allocation:
    """Share v(N) in proportion to ``weights`` (default: the game's, else stand-alone values)."""
    w = weights if weights is not None else game.weights
    w = game.stand_alone() if w is None else w
    if np.any(w < 0) or w.sum() <= 0:
        raise GameError("#/weights", "proportional sharing needs weights >= 0, not all zero")
    return Allocation("proportional", game.players, game.grand_value() * w / w.sum())


def equal_split(game: Game) -> Allocation:
    """Everyone gets v(N) / n."""
    return Allocation("equal", game.players, np.full(game.n, game.grand_value() / game.n))


def nucleolus(game: Game) -> Allocation:
    """The nucleolus by the sequence of LPs (exact up to the LP tolerance, about 1e-9)."""
    if game.n > MAX_NUCLEOLUS:
        raise GameError(
            "#/players", f"the nucleolus is computed for at most {MAX_NUCLEOLUS} players"
        )
    sign = 1.0 if game.kind == "benefit" else -1.0  # benefit form: excess = w(S) - y(S)
    w = sign * game.all_values()
    y = _nucleolus_of(w, game.n)
    return Allocation("nucleolus", game.players, sign * y)


def _nucleolus_of(w: Array, n: int) -> Array:
    """Nucleolus of the benefit game ``w`` (by bitmask): lexicographically least excesses.

    Values are scaled to at most 1; a fixed coalition keeps its excess by ``a y >= w(S) - eps``
    (a 1e-10 slack absorbs the LP's rounding), which with the others leaves the optimal set.
    """
    full = (1 << n) - 1
    if n == 1:
        return np.array([w[full]])
    scale = max(1.0, float(np.abs(w).max()))
    a = members(np.arange(1, full, dtype=np.int64), n).astype(float)
    rhs = w[1:full] / scale
    free = np.ones(len(rhs), dtype=bool)
    fixed: list[Array] = [np.ones(n)]
    lower, upper = [float(w[full] / scale)], [float(w[full] / scale)]
    while True:
        eps, y, duals = _least_core_lp(a[free], rhs[free], np.array(fixed), lower, upper)
        tight = np.flatnonzero(free)[np.abs(duals) > 1e-9]  # duals sum to 1 (cost of t)
        fixed += [a[row] for row in tight]
        lower += [float(rhs[row] - eps - 1e-10) for row in tight]
        upper += [highspy.kHighsInf] * len(tight)
        free[tight] = False
        rank = np.linalg.matrix_rank(np.array(fixed))
        if rank >= n or not free.any():
            return y * scale
        basis = np.linalg.svd(np.array(fixed))[2][:rank]
        residual = a - (a @ basis.T) @ basis
        free &= np.abs(residual).max(axis=1) > 1e-9


def _least_core_lp(
    a: Array, rhs: Array, fixed: Array, lower: list[float], upper: list[float]
) -> tuple[float, Array, Array]:
    """min t s.t. a y + t >= rhs, lower <= fixed y <= upper; return t, y and the duals of a."""
    m, n = a.shape
    matrix = np.vstack(
        [np.hstack([a, np.ones((m, 1))]), np.hstack([fixed, np.zeros((len(fixed), 1))])]
    )
    highs = highspy._Highs()  # type: ignore[attr-defined]
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("threads", 1)  # as every HiGHS model in Podium: one pool, one thread
    inf = highspy.kHighsInf
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n + 1, matrix.shape[0]
    lp.col_cost_ = np.r_[np.zeros(n), 1.0]
    lp.col_lower_, lp.col_upper_ = np.full(n + 1, -inf), np.full(n + 1, inf)
    lp.row_lower_ = np.r_[rhs, lower]
    lp.row_upper_ = np.r_[np.full(m, inf), upper]
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    nz = matrix != 0
    lp.a_matrix_.start_ = np.r_[0, np.cumsum(nz.sum(axis=1))].astype(np.int32)
    lp.a_matrix_.index_ = np.nonzero(nz)[1].astype(np.int32)
    lp.a_matrix_.value_ = matrix[nz]
    highs.passModel(lp)
    highs.run()
    if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        raise RuntimeError(f"HiGHS: {highs.modelStatusToString(highs.getModelStatus())}")
    solution = highs.getSolution()
    x = np.asarray(solution.col_value)
    return float(x[n]), x[:n], np.asarray(solution.row_dual)[:m]


def core_check(game: Game, allocation: Allocation) -> CoreCheck:
    """Which coalitions would be better off alone under ``allocation``, and by how much.

    Cost game: coalition S objects when ``c(S) < x(S)``; benefit game when ``v(S) > x(S)``.
    Up to 20 players every coalition is checked; beyond, each player alone and all but one.
    """
    n, x = game.n, allocation.shares
    if n <= 20:
        masks = np.arange(1, (1 << n) - 1, dtype=np.int64)
        rows, values, checked = members(masks, n), game.all_values()[1:-1], "all"
    else:
        rows = np.vstack([np.eye(n, dtype=bool), ~np.eye(n, dtype=bool)])
        values, checked = game.values_of(rows), "partial"
    sign = 1.0 if game.kind == "cost" else -1.0
    allocated = rows.astype(float) @ x
    gain = sign * (allocated - values)
    bad = np.flatnonzero(gain > _tolerance(game, values))
    top = bad[np.argsort(-gain[bad], kind="stable")][:OBJECTIONS_SHOWN]
    objections = [
        Objection(
            tuple(p for p, inside in zip(game.players, rows[k], strict=True) if inside),
            float(values[k]),
            float(allocated[k]),
            float(gain[k]),
        )
        for k in top
    ]
    return CoreCheck(not bad.size, checked, objections, int(bad.size))


def allocate(game: Game, method: str, *, samples: int | None = None, seed: int = 0) -> Allocation:
    """Allocate by ``method`` (shapley, nucleolus, proportional, equal); ``samples`` samples."""
    if method == "shapley":
        exact = game.n <= 20 or all(c.model == "airport" for c in game.components)
        if samples is None and not exact:
            require_enumerable(game.n)
        return shapley_sampled(game, samples, seed) if samples else shapley(game)
    if samples:
        raise GameError("#/samples", "sampling applies to the Shapley value only")
    if method == "nucleolus":
        return nucleolus(game)
    if method == "proportional":
        return proportional(game)
    if method == "equal":
        return equal_split(game)
    raise GameError("#/method", f"unknown method {method!r}; use {', '.join(METHODS)}")


def report(game: Game, allocation: Allocation) -> dict[str, Any]:
    """The allocation, each player's stand-alone value, and the core check, as plain JSON."""
    check = core_check(game, allocation)
    alone = game.stand_alone()
    errors = allocation.std_errors
    return {
        "method": allocation.method,
        "kind": game.kind,
        "total": game.grand_value(),
        "allocation": allocation.as_dict(),
        "players": [
            {
                "player": p,
                "share": float(allocation.shares[i]),
                "stand_alone": float(alone[i]),
                **({"std_error": float(errors[i])} if errors is not None else {}),
            }
            for i, p in enumerate(game.players)
        ],
        "samples": allocation.samples,
        "in_core": check.in_core,
        "core_checked": check.checked,
        "objecting_coalitions": check.objecting,
        "objections": [
            {
                "coalition": list(o.coalition),
                "stand_alone": o.stand_alone,
                "allocated": o.allocated,
                "gain": o.gain,
            }
            for o in check.objections
        ],
        "warnings": list(game.warnings),
    }
