"""The time-to-recover / time-to-survive stress test of the ecosystem.

For each scenario (a site, an actor's sites, a region, or a set the user names) down for its
time to recover (TTR), the performance impact PI is the least profit the network loses, using the
remaining sources' capacity, the inventory on hand and the bills of materials; the time to
survive (TTS) is the longest the network meets all demand with the scenario down (capped at the
horizon; "not limiting" when the cap binds); the Risk Exposure Index is PI over the worst PI.

References: D. Simchi-Levi, W. Schmidt, Y. Wei, "From superstorms to factory fires: managing
unpredictable supply-chain disruptions", Harvard Business Review 92(1/2), 2014; D. Simchi-Levi
et al., "Identifying risks and mitigating disruptions in the automotive supply chain",
Interfaces 45(5):375-390, 2015. The program is in :mod:`podium.mapping.ttr_lp`, the way each
scenario is settled in :mod:`podium.mapping.solver`.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

import numpy as np

from podium.ecosystem.spec import EcosystemSpec
from podium.mapping.network import Network, compile_network
from podium.mapping.solver import Engine, Outcome

HORIZON_DAYS = 365.0
DEFAULT_TTR_DAYS = 28.0


class ScenarioKind(StrEnum):
    """What a scenario takes down."""

    SITE = "site"
    ACTOR = "actor"
    REGION = "region"
    CUSTOM = "custom"


@dataclass(frozen=True)
class Scenario:
    """A set of sites (or site-less actors) down together for their time to recover."""

    id: str
    kind: ScenarioKind
    label: str
    sites: tuple[str, ...]


@dataclass(frozen=True)
class ScenarioResult:
    """The stress test of one scenario."""

    scenario: Scenario
    ttr_days: float
    tts_days: float
    tts_limited: bool
    performance_impact: float
    lost_units: float
    products: tuple[str, ...]
    method: str
    risk_exposure_index: float = 0.0

    @property
    def shortage_days(self) -> float:
        """Days the network cannot meet demand: max(0, TTR - TTS)."""
        return max(0.0, self.ttr_days - self.tts_days)

    def to_dict(self) -> dict[str, Any]:
        """Return the result as JSON-ready values (``scenario`` is the scenario id)."""
        return {
            "scenario": self.scenario.id,
            "kind": str(self.scenario.kind),
            "label": self.scenario.label,
            "sites": list(self.scenario.sites),
            "ttr_days": self.ttr_days,
            "tts_days": self.tts_days,
            "tts_limited": self.tts_limited,
            "performance_impact": self.performance_impact,
            "risk_exposure_index": self.risk_exposure_index,
            "lost_units": self.lost_units,
            "shortage_days": self.shortage_days,
            "products": list(self.products),
            "method": self.method,
        }


@dataclass
class StressTestReport:
    """All scenarios of one stress test, worst first."""

    ecosystem: str
    currency: str
    by: str
    horizon_days: float
    results: list[ScenarioResult]
    timing: dict[str, float] = field(default_factory=dict)
    settled_by: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready values."""
        return {
            "ecosystem": self.ecosystem,
            "currency": self.currency,
            "by": self.by,
            "horizon_days": self.horizon_days,
            "timing": dict(self.timing),
            "settled_by": dict(self.settled_by),
            "results": [r.to_dict() for r in self.results],
        }

    def site_exposure(self) -> dict[str, float]:
        """Return each site's Risk Exposure Index: the highest REI of a scenario it is in."""
        exposure: dict[str, float] = {}
        for result in self.results:
            for site in result.scenario.sites:
                exposure[site] = max(exposure.get(site, 0.0), result.risk_exposure_index)
        return exposure


def scenarios_for(spec: EcosystemSpec, by: str, net: Network | None = None) -> list[Scenario]:
    """Return one scenario per site, per actor or per region of ``spec`` (``by``).

    Sites, and actors that links name directly, are the units that go down; an actor's scenario
    takes down all its sites, a region's every site (or site-less actor) located in it. ``net``
    is the compiled network, when the caller has it already.
    """
    kind = ScenarioKind(by)
    names = {a.id: a.name for a in spec.actors} | {s.id: s.name for s in spec.sites}
    if net is None:
        net = compile_network(spec, default_ttr_days=DEFAULT_TTR_DAYS)
    if kind is ScenarioKind.SITE:
        return [Scenario(key, kind, names.get(key, key), (key,)) for key in net.locations]
    groups: dict[str, list[str]] = {}
    labels = net.location_actor if kind is ScenarioKind.ACTOR else net.location_region
    for key, group in zip(net.locations, labels, strict=True):
        if group is not None:
            groups.setdefault(group, []).append(key)
    if kind is ScenarioKind.ACTOR:
        return [Scenario(a, kind, names.get(a, a), tuple(m)) for a, m in groups.items()]
    if kind is ScenarioKind.REGION:
        return [Scenario(r, kind, r, tuple(m)) for r, m in sorted(groups.items())]
    raise ValueError("custom scenarios are given as Scenario objects, not generated")


def stress_test(
    spec: EcosystemSpec,
    *,
    by: str = "site",
    scenarios: Sequence[Scenario] | None = None,
    horizon_days: float = HORIZON_DAYS,
    default_ttr_days: float = DEFAULT_TTR_DAYS,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> StressTestReport:
    """Run the stress test over every scenario of ``by`` (site, actor, region) or ``scenarios``.

    Parameters
    ----------
    spec : the ecosystem.
    by : "site", "actor" or "region" (ignored when ``scenarios`` is given).
    scenarios : the scenarios to run instead, e.g. ``Scenario("fab-fire", ScenarioKind.CUSTOM,
        "Fab fire", ("fab-1", "fab-2"))``; an unknown site or actor id is a ``ValueError``.
    horizon_days : the cap on TTS (days).
    default_ttr_days : the TTR of a site none of whose links gives one (days).
    workers : processes to use (default: the machine's cores, up to 8).
    progress : called with (done, total) as scenarios finish.

    Examples
    --------
    >>> import podium
    >>> from podium.samples import SAMPLES
    >>> report = stress_test(podium.load(SAMPLES["manufacturer"]), by="actor")
    >>> top = report.results[0]
    >>> top.risk_exposure_index, top.performance_impact > 0
    (1.0, True)

    Notes
    -----
    Every scenario's PI and TTS equal those of its full LP solved from scratch; the cheap ways
    to reach them are described in :mod:`podium.mapping.solver`.
    """
    started = time.perf_counter()
    net = compile_network(spec, default_ttr_days=default_ttr_days)
    chosen = list(scenarios) if scenarios is not None else scenarios_for(spec, by, net)
    compiled = time.perf_counter()
    engine = Engine(net, horizon_days=horizon_days)
    built = time.perf_counter()
    jobs = [_job(net, scenario) for scenario in chosen]
    outcomes = _run_all(engine, jobs, workers, progress)
    done = time.perf_counter()
    results = _rank(
        [_result(net, s, job[1], o) for s, job, o in zip(chosen, jobs, outcomes, strict=True)]
    )
    return StressTestReport(
        ecosystem=spec.name,
        currency=spec.currency,
        by="custom" if scenarios is not None else by,
        horizon_days=horizon_days,
        results=results,
        timing={
            "compile_seconds": compiled - started,
            "model_seconds": built - compiled,
            "scenario_seconds": done - built,
            "total_seconds": time.perf_counter() - started,
        },
        settled_by=dict(Counter(o.method for o in outcomes)),
    )


Job = tuple[list[int], float]


def _job(net: Network, scenario: Scenario) -> Job:
    """Return the nodes down (with the locations that depend on them) and the scenario's TTR."""
    unknown = [key for key in scenario.sites if key not in net.location_index]
    if unknown:
        raise ValueError(f"scenario {scenario.id!r}: unknown site or actor {unknown[0]!r}")
    own = [net.location_index[key] for key in scenario.sites]
    down, stack = set(own), list(own)
    while stack:
        for dependent in net.dependents.get(stack.pop(), []):
            if dependent not in down:
                down.add(dependent)
                stack.append(dependent)
    nodes = np.flatnonzero(np.isin(net.node_location, sorted(down))).tolist()
    return nodes, float(net.location_ttr[own].max()) if own else 0.0


def _result(net: Network, scenario: Scenario, ttr: float, outcome: Outcome) -> ScenarioResult:
    return ScenarioResult(
        scenario=scenario,
        ttr_days=ttr,
        tts_days=outcome.tts_days,
        tts_limited=outcome.tts_limited,
        performance_impact=outcome.performance_impact,
        lost_units=outcome.lost_units,
        products=tuple(net.products[p] for p in outcome.products),
        method=outcome.method,
    )


def _rank(results: list[ScenarioResult]) -> list[ScenarioResult]:
    """Set the Risk Exposure Index (PI / max PI) and sort worst first."""
    worst = max((r.performance_impact for r in results), default=0.0)
    ranked = [
        replace(r, risk_exposure_index=r.performance_impact / worst if worst > 0 else 0.0)
        for r in results
    ]
    return sorted(
        ranked,
        key=lambda r: (-r.risk_exposure_index, -r.shortage_days, r.tts_days, r.scenario.id),
    )


_ENGINE: Engine | None = None
CHUNK = 32
PARALLEL_FROM = 64
"""Scenarios below which one process is faster than starting workers."""


def _run_all(
    engine: Engine,
    jobs: list[Job],
    workers: int | None,
    progress: Callable[[int, int], None] | None,
) -> list[Outcome]:
    """Solve every job, in worker processes when there are many and the platform can fork."""
    count = min(workers or os.cpu_count() or 1, 8)
    total = len(jobs)
    parallel = (
        count > 1 and total >= PARALLEL_FROM and "fork" in multiprocessing.get_all_start_methods()
    )
    outcomes: list[Outcome | None] = [None] * total
    chunks = [list(range(k, min(k + CHUNK, total))) for k in range(0, total, CHUNK)]
    done = 0
    for indices, chunk_outcomes in _chunks(engine, jobs, chunks, count if parallel else 1):
        for index, outcome in zip(indices, chunk_outcomes, strict=True):
            outcomes[index] = outcome
        done += len(indices)
        if progress is not None:
            progress(done, total)
    return [o for o in outcomes if o is not None]


def _chunks(
    engine: Engine, jobs: list[Job], chunks: list[list[int]], processes: int
) -> Iterator[tuple[list[int], list[Outcome]]]:
    global _ENGINE
    if processes == 1:
        for indices in chunks:
            yield indices, [engine.solve(*jobs[i]) for i in indices]
        return
    _ENGINE = engine
    try:
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            tasks = [(indices, [jobs[i] for i in indices]) for indices in chunks]
            yield from pool.imap_unordered(_solve_chunk, tasks)
    finally:
        _ENGINE = None


def _solve_chunk(task: tuple[list[int], list[Job]]) -> tuple[list[int], list[Outcome]]:
    indices, jobs = task
    assert _ENGINE is not None
    return indices, [_ENGINE.solve(*job) for job in jobs]
