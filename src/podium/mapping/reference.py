"""The stress test the slow, obvious way: each scenario's full LP built and solved from scratch.

This is the reference the engine is checked against (tests) and timed against (``bench/``). It
writes the model of Simchi-Levi et al. (Interfaces 45(5), 2015) in totals over the disruption,
as the paper does, rather than in the engine's rates, and solves it with
``scipy.optimize.linprog``, so it shares with the engine only the compiled network.

- PI: minimise ``sum(profit_p * l_p)`` over production ``u``, flows ``y <= capacity * TTR``,
  sales ``s`` and lost demand ``l``, with ``sum(s) + l = demand * TTR`` per product,
  shipments <= production + finished stock, BOM use <= inflow + input stock, ``u = 0`` where down.
- TTS: maximise ``t <= horizon`` with the same rows, ``l = 0``, demand ``demand * t`` and flows
  ``y <= capacity * t``; infeasible means TTS = 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog

from podium.mapping.network import Network


@dataclass(frozen=True)
class ReferenceAnswer:
    """Lost profit (currency), lost units and TTS (days) of one scenario."""

    performance_impact: float
    lost_units: float
    tts_days: float


def _balance_rows(net: Network, n_cols: int) -> sp.csr_matrix:
    """Output and input rows over columns [u, y, s, ...] (totals)."""
    n, m, k = net.n_nodes, len(net.link_ids), len(net.sale_node)
    rows = np.concatenate(
        [net.link_node, net.sale_node, np.arange(n), n + net.use_row, n + net.link_row]
    )
    cols = np.concatenate(
        [n + np.arange(m), n + m + np.arange(k), np.arange(n), net.use_node, n + np.arange(m)]
    )
    vals = np.concatenate([np.ones(m), np.ones(k), -np.ones(n), net.use_quantity, -np.ones(m)])
    return sp.csr_matrix((vals, (rows, cols)), shape=(n + net.n_rows, n_cols))


def _demand_rows(
    net: Network, n_cols: int, extra: np.ndarray, extra_cols: np.ndarray
) -> sp.csr_matrix:
    n, m, k, p = net.n_nodes, len(net.link_ids), len(net.sale_node), len(net.products)
    rows = np.concatenate([net.sale_product, np.arange(p)])
    cols = np.concatenate([n + m + np.arange(k), extra_cols])
    return sp.csr_matrix((np.concatenate([np.ones(k), extra]), (rows, cols)), shape=(p, n_cols))


def _bounds(
    net: Network, down: list[int], n_cols: int, capacity: np.ndarray
) -> list[tuple[float, float | None]]:
    bounds: list[tuple[float, float | None]] = [(0.0, None)] * n_cols
    for node in down:
        bounds[node] = (0.0, 0.0)
    for k, cap in enumerate(capacity):
        if np.isfinite(cap):
            bounds[net.n_nodes + k] = (0.0, float(cap))
    return bounds


def performance_impact(net: Network, down: list[int], ttr: float) -> tuple[float, float]:
    """Return the least lost profit and the lost units with ``down`` nodes out for ``ttr`` days."""
    n, m, k, p = net.n_nodes, len(net.link_ids), len(net.sale_node), len(net.products)
    n_cols = n + m + k + p
    balance = _balance_rows(net, n_cols)
    demand = _demand_rows(net, n_cols, np.ones(p), n + m + k + np.arange(p))
    cost = np.concatenate([np.zeros(n + m + k), net.product_profit])
    result = linprog(
        cost,
        A_ub=balance,
        b_ub=np.concatenate([net.node_inventory, net.row_inventory]),
        A_eq=demand,
        b_eq=net.product_demand * ttr,
        bounds=_bounds(net, down, n_cols, net.link_capacity * ttr),
        method="highs",
    )
    if result.status != 0:
        raise RuntimeError(result.message)
    return float(result.fun), float(result.x[n + m + k :].sum())


def time_to_survive(net: Network, down: list[int], horizon: float) -> float:
    """Return the longest time (days, capped at ``horizon``) all demand is met with ``down`` out."""
    n, m, k = net.n_nodes, len(net.link_ids), len(net.sale_node)
    n_cols = n + m + k + 1
    balance = _balance_rows(net, n_cols)
    finite = np.flatnonzero(np.isfinite(net.link_capacity))
    capacity = sp.csr_matrix(
        (
            np.concatenate([np.ones(len(finite)), -net.link_capacity[finite]]),
            (
                np.tile(np.arange(len(finite)), 2),
                np.concatenate([n + finite, np.full(len(finite), n_cols - 1)]),
            ),
        ),
        shape=(len(finite), n_cols),
    )
    p = len(net.products)
    demand = _demand_rows(net, n_cols, -net.product_demand, np.full(p, n_cols - 1))
    bounds = _bounds(net, down, n_cols, np.full(m, np.inf))
    bounds[-1] = (0.0, horizon)
    result = linprog(
        np.concatenate([np.zeros(n_cols - 1), [-1.0]]),
        A_ub=sp.vstack([balance, capacity]),
        b_ub=np.concatenate([net.node_inventory, net.row_inventory, np.zeros(len(finite))]),
        A_eq=demand,
        b_eq=np.zeros(p),
        bounds=bounds,
        method="highs",
    )
    if result.status == 2:
        return 0.0
    if result.status != 0:
        raise RuntimeError(result.message)
    return float(result.x[-1])


def answer(
    net: Network, down: list[int], ttr: float, horizon: float, *, baseline_loss: float = 0.0
) -> ReferenceAnswer:
    """Return PI (above ``baseline_loss``, the undisrupted loss over ``ttr``), units and TTS."""
    loss, units = performance_impact(net, down, ttr)
    tts = time_to_survive(net, down, horizon)
    return ReferenceAnswer(max(0.0, loss - baseline_loss), units, tts)
