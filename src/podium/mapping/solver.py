"""Per-scenario solving of the TTR/TTS program: screens, the downstream sub-network, the full LP.

Each answer equals the full LP's (see :mod:`podium.mapping.ttr_lp`), reached the cheapest way:

1. *unreached*: no disrupted node is upstream of demand, so nothing changes;
2. *rerouted*: the baseline flow of the disrupted nodes can be replaced, at steady state, by
   other sources' spare link capacity, traced up through the tiers: no loss, TTS not limiting;
3. *starved*: every affected product's makers are left with no stock and no input at all:
   all its demand over the TTR is lost and TTS is 0;
4. *subnetwork*: the LP over the nodes downstream of the disruption (the cone), fed by its
   boundary suppliers with free production. It is a relaxation of the full LP, so when the extra
   output it asks of the boundary can be traced up to spare capacity, its optimum is the full
   LP's optimum;
5. *full*: otherwise, the full model, with the disrupted nodes' bounds changed and a warm start.

Screens 2-4 and the sub-network need a baseline that meets all demand at steady state; without
one, every scenario goes to the full LP (PI is then measured against the undisrupted loss).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from podium.mapping.network import Network
from podium.mapping.subnetwork import Subnetwork
from podium.mapping.ttr_lp import INF, Model, Solution, build_program, set_mode

TOLERANCE = 1e-9
MAX_DEPTH = 6
"""Tiers the sub-network grows upstream before the full LP is solved instead."""
MAX_SHARE = 0.25
"""Share of the network's nodes above which the full LP is solved instead."""
IPM_FROM = 50_000
"""Columns above which the baseline is found by the interior-point method."""


@dataclass(frozen=True)
class Outcome:
    """One scenario's answer: lost profit (currency) and units over the TTR, and its TTS."""

    performance_impact: float
    lost_units: float
    tts_days: float
    tts_limited: bool
    products: tuple[int, ...]
    method: str


class Graph:
    """Adjacency lists of the compiled network, for the traversals of the screens."""

    def __init__(self, net: Network) -> None:
        self.node_out = _groups(net.link_node, net.n_nodes)
        self.row_in = _groups(net.link_row, net.n_rows)
        self.row_users = [net.use_node[g].tolist() for g in _groups(net.use_row, net.n_rows)]
        inputs = _groups(net.use_node, net.n_nodes)
        self.node_inputs = [
            list(zip(net.use_row[g].tolist(), net.use_quantity[g].tolist(), strict=True))
            for g in inputs
        ]
        self.node_sales = _groups(net.sale_node, net.n_nodes)
        self.product_sales = _groups(net.sale_product, len(net.products))
        self.link_node = net.link_node.tolist()
        self.link_row = net.link_row.tolist()
        self.sale_node = net.sale_node.tolist()
        self.sale_product = net.sale_product.tolist()
        self.reaches_demand = self._upstream_of_sales(net)
        self.rank = self._topological_rank(net.n_nodes)

    def _topological_rank(self, n_nodes: int) -> np.ndarray:
        """Rank nodes so every supplier comes before its users (-1 for nodes on a supply cycle)."""
        users = [
            [u for link in self.node_out[v] for u in self.row_users[self.link_row[link]]]
            for v in range(n_nodes)
        ]
        rank = np.full(n_nodes, -1, dtype=np.int64)
        counts = np.zeros(n_nodes, dtype=np.int64)
        for targets in users:
            for t in targets:
                counts[t] += 1
        ready = [v for v in range(n_nodes) if counts[v] == 0]
        position = 0
        while ready:
            v = ready.pop()
            rank[v] = position
            position += 1
            for t in users[v]:
                counts[t] -= 1
                if counts[t] == 0:
                    ready.append(t)
        return rank

    def _upstream_of_sales(self, net: Network) -> np.ndarray:
        """Mark the nodes with a supply path to a product's maker."""
        mark = np.zeros(net.n_nodes, dtype=bool)
        stack = sorted(set(self.sale_node))
        mark[stack] = True
        while stack:
            node = stack.pop()
            for row, _ in self.node_inputs[node]:
                for link in self.row_in[row]:
                    source = self.link_node[link]
                    if not mark[source]:
                        mark[source] = True
                        stack.append(source)
        return mark

    def cone(self, disrupted: list[int]) -> list[int]:
        """Return the disrupted nodes and every node downstream of them."""
        seen = set(disrupted)
        stack = list(disrupted)
        while stack:
            node = stack.pop()
            for link in self.node_out[node]:
                for user in self.row_users[self.link_row[link]]:
                    if user not in seen:
                        seen.add(user)
                        stack.append(user)
        return sorted(seen)


def _groups(keys: np.ndarray, n: int) -> list[list[int]]:
    """Return, for each key 0..n-1, the positions where it occurs."""
    order = np.argsort(keys, kind="stable")
    bounds = np.searchsorted(keys[order], np.arange(n + 1))
    flat = order.tolist()
    return [flat[bounds[k] : bounds[k + 1]] for k in range(n)]


class Spare:
    """Spare link capacity over a baseline flow, reserved as extra output is traced upstream."""

    def __init__(self, graph: Graph, capacity: np.ndarray, flow: np.ndarray, blocked: set[int]):
        self.graph, self.capacity, self.flow, self.blocked = graph, capacity, flow, blocked
        self.used: dict[int, float] = {}
        self.visiting: set[int] = set()

    def produce(self, node: int, amount: float) -> bool:
        """Reserve what ``node`` needs to make ``amount`` more units/day; False if it cannot."""
        if amount <= TOLERANCE:
            return True
        if node in self.blocked or node in self.visiting:
            return False
        self.visiting.add(node)
        try:
            return all(self.deliver(row, amount * q) for row, q in self.graph.node_inputs[node])
        finally:
            self.visiting.discard(node)

    def deliver(self, row: int, amount: float) -> bool:
        """Reserve ``amount`` more units/day into input row ``row`` from its sources."""
        slack = TOLERANCE * max(1.0, amount)
        for link in self.graph.row_in[row]:
            if amount <= slack:
                break
            spare = self.capacity[link] - self.flow[link] - self.used.get(link, 0.0)
            take = min(spare, amount)
            if take > slack and self.produce(self.graph.link_node[link], take):
                self.used[link] = self.used.get(link, 0.0) + take
                amount -= take
        return amount <= slack

    def sell(self, product: int, amount: float) -> bool:
        """Reserve ``amount`` more units/day of ``product`` from makers outside the block."""
        for sale in self.graph.product_sales[product]:
            if amount <= TOLERANCE:
                break
            node = self.graph.sale_node[sale]
            if node not in self.blocked and self.produce(node, amount):
                amount = 0.0
        return amount <= TOLERANCE


class Engine:
    """The stress-test solver of one network: the model is built once, scenarios change bounds."""

    def __init__(self, net: Network, *, horizon_days: float) -> None:
        self.net, self.horizon = net, horizon_days
        self.program = build_program(net, horizon_days)
        self.rows_major = self.program.matrix.tocsr()
        self.graph = Graph(net)
        self._full: Model | None = None
        lay = self.program.layout
        self.lost_cols = np.arange(lay.lost, lay.w)
        self.baseline, self.baseline_ok = self._baseline_flow()
        self._baseline_flows = self.baseline[lay.y : lay.s]
        self._baseline_loss: dict[float, float] = {}

    def _baseline_flow(self) -> tuple[np.ndarray, bool]:
        """Return the least flow meeting demand at steady state (no stock), if there is one.

        The least flow leaves the most spare capacity for the screens to reroute into. When no
        flow meets demand, return the one losing the least profit. Large networks are solved
        with the interior-point method (with crossover to a vertex): on 30,000 sites it took
        7 s where the simplex took 52 s.
        """
        lay, model = self.program.layout, self.full
        flows = np.arange(lay.s)
        model.highs.setOptionValue("solver", "ipm" if lay.n_cols > IPM_FROM else "simplex")
        set_mode(model, "steady", self.lost_cols, lay.w, self.net.product_profit, 1.0, 1.0)
        zeros = np.zeros(len(self.lost_cols))
        model.set_bounds(self.lost_cols, zeros, zeros)
        model.set_costs(self.lost_cols, zeros)
        model.set_costs(flows, np.ones(len(flows)))
        least = model.solve()
        model.set_costs(flows, np.zeros(len(flows)))
        if least.feasible:
            result = least.x, True
        else:
            result = self._solve_full([], mode="steady", ttr=1.0).x, False
        model.highs.setOptionValue("solver", "choose")
        return result

    @property
    def full(self) -> Model:
        """The full model, built on first use (in each worker process)."""
        if self._full is None:
            p = self.program
            self._full = Model(p.matrix, p.col_lower, p.col_upper, p.row_lower, p.row_upper)
        return self._full

    def solve(self, disrupted: list[int], ttr: float) -> Outcome:
        """Return PI, lost units and TTS with ``disrupted`` nodes down for ``ttr`` days."""
        if not disrupted or not self.graph.reaches_demand[disrupted].any():
            return self._unchanged("unreached")
        if not self.baseline_ok:
            return self._by_full_lp(disrupted, ttr)
        cone = self.graph.cone(disrupted)
        if self._rerouted(disrupted, set(cone)):
            return Outcome(0.0, 0.0, self.horizon, False, (), "rerouted")
        products = sorted(
            {self.graph.sale_product[k] for n in cone for k in self.graph.node_sales[n]}
        )
        if self._starved(disrupted, cone, products):
            demand = self.net.product_demand[products]
            loss = ttr * float(demand @ self.net.product_profit[products])
            return Outcome(loss, ttr * float(demand.sum()), 0.0, True, tuple(products), "starved")
        return self._by_subnetwork(disrupted, cone, products, ttr)

    def owners(self, cols: np.ndarray) -> list[int]:
        """Return the node whose output each link or sale column carries."""
        lay, g = self.program.layout, self.graph
        return [
            g.link_node[c - lay.y] if c < lay.s else g.sale_node[c - lay.s] for c in cols.tolist()
        ]

    def _covered(self, disrupted: list[int], cone: set[int], ttr: float) -> bool:
        """Whether stock and rerouting replace the disrupted nodes' baseline flow over ``ttr``.

        Stock downstream (at the rows they feed) and their own finished stock are spread over
        the TTR; what is left goes to spare capacity traced upstream. Proves PI = 0.
        """
        lay, g, x0 = self.program.layout, self.graph, self.baseline
        spare = Spare(g, self.net.link_capacity, x0[lay.y : lay.s], cone)
        row_stock: dict[int, float] = {}
        for node in disrupted:
            own = float(self.net.node_inventory[node]) / ttr
            for link in g.node_out[node]:
                row = g.link_row[link]
                stock = row_stock.setdefault(row, float(self.net.row_inventory[row]) / ttr)
                need = float(x0[lay.y + link])
                from_row = min(stock, need)
                row_stock[row] = stock - from_row
                from_own = min(own, need - from_row)
                own -= from_own
                if not spare.deliver(row, need - from_row - from_own):
                    return False
            for sale in g.node_sales[node]:
                need = float(x0[lay.s + sale])
                from_own = min(own, need)
                own -= from_own
                if not spare.sell(g.sale_product[sale], need - from_own):
                    return False
        return True

    def _unchanged(self, method: str) -> Outcome:
        if self.baseline_ok:
            return Outcome(0.0, 0.0, self.horizon, False, (), method)
        tts, limited = self._tts_of(self._solve_full([], mode="tts", ttr=1.0))
        return Outcome(0.0, 0.0, tts, limited, (), method)

    def _rerouted(self, disrupted: list[int], cone: set[int]) -> bool:
        """Whether other sources' spare capacity takes over the disrupted nodes' baseline flow."""
        lay, g, x0 = self.program.layout, self.graph, self.baseline
        spare = Spare(g, self.net.link_capacity, x0[lay.y : lay.s], cone)
        for node in disrupted:
            for link in g.node_out[node]:
                if not spare.deliver(g.link_row[link], float(x0[lay.y + link])):
                    return False
            for sale in g.node_sales[node]:
                if not spare.sell(g.sale_product[sale], float(x0[lay.s + sale])):
                    return False
        return True

    def _starved(self, disrupted: list[int], cone: list[int], products: list[int]) -> bool:
        """Whether every maker of every affected product is left with no stock and no input."""
        g, net = self.graph, self.net
        down, dry = set(disrupted), set[int]()

        def row_dry(row: int) -> bool:
            return net.row_inventory[row] <= 0 and all(g.link_node[k] in dry for k in g.row_in[row])

        ranks = g.rank[cone]
        in_order = bool((ranks >= 0).all())
        ordered = [cone[k] for k in np.argsort(ranks)] if in_order else cone
        changed = True
        while changed:  # a single pass when the cone is in supply order
            changed = False
            for node in ordered:
                if node in dry or net.node_inventory[node] > 0:
                    continue
                if node in down or any(row_dry(row) for row, _ in g.node_inputs[node]):
                    dry.add(node)
                    changed = not in_order
        return all(g.sale_node[k] in dry for p in products for k in g.product_sales[p])

    def _by_subnetwork(
        self, disrupted: list[int], cone: list[int], products: list[int], ttr: float
    ) -> Outcome:
        """Settle PI and TTS on the cone, deepening it a tier at a time; else the full LP.

        See :mod:`podium.mapping.subnetwork` for why each answer it gives is the full LP's.
        """
        pi: Solution | None = None
        tts: Solution | None = None
        if self._covered(disrupted, set(cone), ttr):
            pi = Solution(True, 0.0, np.zeros(0))
        internal, lost_local, pi_products = cone, np.zeros(0, dtype=np.int64), products
        for _ in range(MAX_DEPTH + 1):
            sub = Subnetwork(self, internal, products)
            sub.take_down(np.searchsorted(np.asarray(internal), disrupted))
            asked: set[int] = set()
            if pi is None:
                pi = self._settle(sub, "pi", ttr, internal, asked)
                lost_local, pi_products = sub.lost_local, sub.products
            if tts is None:
                tts = self._settle(sub, "tts", ttr, internal, asked)
                if tts is not None:
                    tts = Solution(tts.feasible, tts.objective, tts.x[[sub.w_local]])
            if (pi is not None and tts is not None) or not asked:
                break
            if len(internal) + len(asked) > MAX_SHARE * self.net.n_nodes:
                break
            internal = sorted(set(internal) | asked)
        return self._outcome(disrupted, pi_products, ttr, pi, lost_local, tts)

    def _outcome(
        self,
        disrupted: list[int],
        products: list[int],
        ttr: float,
        pi: Solution | None,
        lost_local: np.ndarray,
        tts: Solution | None,
    ) -> Outcome:
        """Combine the settled answers, solving the full LP for what the sub-network left open."""
        lost: tuple[int, ...]
        if pi is None:
            loss, units, lost = self._impact_full(disrupted, ttr)
        elif not len(pi.x):
            loss, units, lost = 0.0, 0.0, ()
        else:
            loss, units, lost = self._impact(pi.x[lost_local], products, ttr, pi.objective)
        if tts is None:
            days, limited = self._tts_of(self._solve_full(disrupted, mode="tts", ttr=ttr))
        elif not tts.feasible:
            days, limited = 0.0, True
        else:
            days, limited = self._tts_of(tts, w_col=0)
        method = "subnetwork" if pi is not None and tts is not None else "full"
        return Outcome(loss, units, days, limited, lost, method)

    def _settle(
        self, sub: Subnetwork, mode: str, ttr: float, internal: list[int], asked: set[int]
    ) -> Solution | None:
        """Return the full LP's optimum from the sub-network, or None when it cannot tell.

        When it cannot, ``asked`` gains the frontier nodes the relaxation asked for extra
        output: the suppliers to bring inside on the next, deeper try.
        """
        tight = sub.restricted(mode, ttr)
        floor = 0.0 if mode == "pi" else 1.0  # no loss; TTS at the horizon
        if tight.feasible and tight.objective <= floor + TOLERANCE:
            return tight
        loose = sub.relaxed(mode, ttr)
        if not loose.feasible:
            return loose  # even a free frontier cannot meet demand: TTS = 0
        gap = tight.objective - loose.objective
        if tight.feasible and gap <= 1e-9 * (1.0 + abs(loose.objective)):
            return tight
        loose = sub.least_extra(mode, loose)
        extra = sub.frontier_extra(loose.x, self.owners(sub.cols[sub.frontier]))
        wanted = {node for node, amount in extra.items() if amount > TOLERANCE}
        if not sub.keeps_deliveries(loose.x):
            asked |= wanted | sub.outside_users(loose.x)
            return None
        spare = Spare(self.graph, self.net.link_capacity, self._baseline_flows, set(internal))
        if all(spare.produce(node, extra[node]) for node in wanted):
            return loose
        asked |= wanted
        return None

    def _impact(
        self, lost_rates: np.ndarray, products: list[int], ttr: float, objective: float
    ) -> tuple[float, float, tuple[int, ...]]:
        lost = tuple(p for p, rate in zip(products, lost_rates, strict=True) if rate > TOLERANCE)
        return ttr * objective, ttr * float(lost_rates.sum()), lost

    def _impact_full(
        self, disrupted: list[int], ttr: float
    ) -> tuple[float, float, tuple[int, ...]]:
        solution = self._solve_full(disrupted, mode="pi", ttr=ttr)
        rates = solution.x[self.lost_cols]
        products = list(range(len(self.net.products)))
        loss, units, lost = self._impact(rates, products, ttr, solution.objective)
        return max(0.0, loss - self._baseline_loss_over(ttr)), units, lost

    def _by_full_lp(self, disrupted: list[int], ttr: float) -> Outcome:
        loss, units, lost = self._impact_full(disrupted, ttr)
        tts, limited = self._tts_of(self._solve_full(disrupted, mode="tts", ttr=ttr))
        return Outcome(loss, units, tts, limited, lost, "full")

    def _baseline_loss_over(self, ttr: float) -> float:
        """Lost profit of the undisrupted network over ``ttr`` days (0 when it meets demand)."""
        if self.baseline_ok:
            return 0.0
        if ttr not in self._baseline_loss:
            self._baseline_loss[ttr] = ttr * self._solve_full([], mode="pi", ttr=ttr).objective
        return self._baseline_loss[ttr]

    def _tts_of(self, solution: Solution, w_col: int | None = None) -> tuple[float, bool]:
        """Return TTS (days, capped at the horizon) and whether it is below the horizon."""
        if not solution.feasible:
            return 0.0, True
        w = float(solution.x[self.program.layout.w if w_col is None else w_col])
        if w <= 1.0 + 1e-9:
            return self.horizon, False
        return self.horizon / w, True

    def _solve_full(self, disrupted: list[int], *, mode: str, ttr: float) -> Solution:
        model, cols = self.full, np.asarray(disrupted, dtype=np.int64)
        model.set_bounds(cols, np.zeros(len(cols)), np.zeros(len(cols)))
        set_mode(
            model,
            mode,
            self.lost_cols,
            self.program.layout.w,
            self.net.product_profit,
            ttr,
            self.horizon,
        )
        try:
            return model.solve()
        finally:
            model.set_bounds(cols, np.zeros(len(cols)), np.full(len(cols), INF))
