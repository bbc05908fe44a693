"""The TTR/TTS linear program of the stress test, in rates, solved with HiGHS through ``highspy``.

The multi-tier model of Simchi-Levi et al. (Interfaces 45(5), 2015) over a disruption of ``t``
days, written per day of the horizon so that one matrix serves both questions. Columns, all
>= 0, in units/day: production ``u`` per node, flow ``y`` per link (<= its capacity), sales
``s`` per product node, lost demand ``l`` per product, and ``w = H / t`` (horizons per
disruption, ``H`` the horizon in days), which turns on-hand inventory into a rate. Rows:

- output of node v:      sum(y out of v) + s_v - u_v - (stock_v / H) * w <= 0
- input row r (BOM):     sum(q * u of its consumers) - sum(y into r) - (stock_r / H) * w <= 0
- demand of product p:   sum(s making p) + l_p = demand_p

A disrupted node has ``u = 0``. *Performance impact* (PI): fix ``w = H / TTR`` and minimise
``sum(profit_p * l_p)``; the lost profit over the disruption is ``TTR`` times that. *Time to
survive* (TTS): fix ``l = 0`` and minimise ``w`` down to 1; TTS is ``H / w``, and an infeasible
model means the network cannot meet demand for any time (TTS = 0). Scaling ``w`` by ``H`` keeps
its optimum near 1, so HiGHS's absolute tolerances give TTS to about 1e-8 relative.
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np
import scipy.sparse as sp

from podium.mapping.network import Network

INF = highspy.kHighsInf


@dataclass(frozen=True)
class Layout:
    """Column offsets: u (nodes), y (links), s (sales), l (products), then the one ``w``."""

    n_nodes: int
    n_links: int
    n_sales: int
    n_products: int

    @property
    def y(self) -> int:
        return self.n_nodes

    @property
    def s(self) -> int:
        return self.n_nodes + self.n_links

    @property
    def lost(self) -> int:
        return self.s + self.n_sales

    @property
    def w(self) -> int:
        return self.lost + self.n_products

    @property
    def n_cols(self) -> int:
        return self.w + 1


@dataclass
class Program:
    """The whole model as arrays: matrix (CSC), column and row bounds."""

    layout: Layout
    matrix: sp.csc_matrix
    col_lower: np.ndarray
    col_upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    profit: np.ndarray  # currency/unit per product (the PI costs of the l columns)


def build_program(net: Network, horizon_days: float) -> Program:
    """Assemble the LP of ``net`` (no disruption; bounds of the PI/TTS modes set later)."""
    lay = Layout(net.n_nodes, len(net.link_ids), len(net.sale_node), len(net.products))
    n_nodes, n_rows, n_links = net.n_nodes, net.n_rows, len(net.link_ids)
    links = np.arange(n_links)
    sales = np.arange(lay.n_sales)
    nodes = np.arange(n_nodes)
    entries = [
        (net.link_node, lay.y + links, np.ones(n_links)),  # y leaves its source node
        (net.sale_node, lay.s + sales, np.ones(lay.n_sales)),  # s leaves its node
        (nodes, nodes, -np.ones(n_nodes)),  # u enters its node's output
        (nodes, np.full(n_nodes, lay.w), -net.node_inventory / horizon_days),
        (n_nodes + net.use_row, net.use_node, net.use_quantity),  # BOM use
        (n_nodes + net.link_row, lay.y + links, -np.ones(n_links)),  # y feeds its row
        (n_nodes + np.arange(n_rows), np.full(n_rows, lay.w), -net.row_inventory / horizon_days),
        (n_nodes + n_rows + net.sale_product, lay.s + sales, np.ones(lay.n_sales)),
        (
            n_nodes + n_rows + np.arange(lay.n_products),
            lay.lost + np.arange(lay.n_products),
            np.ones(lay.n_products),
        ),
    ]
    rows = np.concatenate([e[0] for e in entries])
    cols = np.concatenate([e[1] for e in entries])
    vals = np.concatenate([e[2] for e in entries])
    keep = vals != 0
    n_all_rows = n_nodes + n_rows + lay.n_products
    matrix = sp.csc_matrix((vals[keep], (rows[keep], cols[keep])), shape=(n_all_rows, lay.n_cols))
    col_upper = np.full(lay.n_cols, INF)
    col_upper[lay.y : lay.s] = np.where(np.isinf(net.link_capacity), INF, net.link_capacity)
    row_lower = np.concatenate([np.full(n_nodes + n_rows, -INF), net.product_demand])
    row_upper = np.concatenate([np.zeros(n_nodes + n_rows), net.product_demand])
    return Program(
        lay, matrix, np.zeros(lay.n_cols), col_upper, row_lower, row_upper, net.product_profit
    )


@dataclass(frozen=True)
class Solution:
    """What one solve gives: whether it is feasible, the objective, and the columns."""

    feasible: bool
    objective: float
    x: np.ndarray


class Model:
    """One HiGHS model kept between solves: bounds and costs change, the basis carries over."""

    def __init__(
        self,
        matrix: sp.csc_matrix,
        col_lower: np.ndarray,
        col_upper: np.ndarray,
        row_lower: np.ndarray,
        row_upper: np.ndarray,
        *,
        primal: bool = False,
    ) -> None:
        """Pass the model to HiGHS; ``primal`` picks the primal simplex (small sub-networks)."""
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = matrix.shape[1], matrix.shape[0]
        lp.col_cost_ = np.zeros(matrix.shape[1])
        lp.col_lower_, lp.col_upper_ = col_lower, col_upper
        lp.row_lower_, lp.row_upper_ = row_lower, row_upper
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = matrix.indptr.astype(np.int32)
        lp.a_matrix_.index_ = matrix.indices.astype(np.int32)
        lp.a_matrix_.value_ = matrix.data
        # The core class: the Python subclass installs callbacks (per-solve overhead) and
        # prints a banner on stdout, which would break ``--json`` output.
        self.highs = highspy._Highs()  # type: ignore[attr-defined]
        self.highs.setOptionValue("output_flag", False)
        self.highs.setOptionValue("threads", 1)
        if primal:
            self.highs.setOptionValue("simplex_strategy", 4)
        self.highs.passModel(lp)
        self.n_cols = matrix.shape[1]

    def set_bounds(self, cols: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> None:
        """Change the bounds of columns ``cols``."""
        if len(cols):
            idx = np.asarray(cols, dtype=np.int32)
            self.highs.changeColsBounds(len(idx), idx, lower.astype(float), upper.astype(float))

    def set_costs(self, cols: np.ndarray, costs: np.ndarray) -> None:
        """Change the objective coefficients of columns ``cols``."""
        if len(cols):
            idx = np.asarray(cols, dtype=np.int32)
            self.highs.changeColsCost(len(idx), idx, costs.astype(float))

    def set_row_bounds(self, rows: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> None:
        """Change the bounds of rows ``rows``."""
        if len(rows):
            idx = np.asarray(rows, dtype=np.int32)
            self.highs.changeRowsBounds(len(idx), idx, lower.astype(float), upper.astype(float))

    def solve(self) -> Solution:
        """Solve from the current basis; an infeasible model gives ``feasible=False``."""
        self.highs.run()
        status = self.highs.getModelStatus()
        if status == highspy.HighsModelStatus.kInfeasible:
            return Solution(False, INF, np.zeros(self.n_cols))
        if status != highspy.HighsModelStatus.kOptimal:
            raise RuntimeError(f"HiGHS stopped with {self.highs.modelStatusToString(status)}")
        x = np.asarray(self.highs.getSolution().col_value)
        return Solution(True, float(self.highs.getInfo().objective_function_value), x)


def set_mode(
    model: Model,
    mode: str,
    lost_cols: np.ndarray,
    w_col: int,
    profit: np.ndarray,
    ttr: float,
    horizon: float,
) -> None:
    """Set the bounds and costs of ``l`` and ``w`` for "pi", "tts" or "steady" (no stock)."""
    zeros, n = np.zeros(len(lost_cols)), len(lost_cols)
    w = np.array([w_col])
    if mode == "tts":
        model.set_bounds(lost_cols, zeros, zeros)
        model.set_costs(lost_cols, zeros)
        model.set_bounds(w, np.ones(1), np.array([INF]))
        model.set_costs(w, np.ones(1))
        return
    model.set_bounds(lost_cols, zeros, np.full(n, INF))
    model.set_costs(lost_cols, profit)
    rate = 0.0 if mode == "steady" else horizon / ttr
    model.set_bounds(w, np.array([rate]), np.array([rate]))
    model.set_costs(w, np.zeros(1))
