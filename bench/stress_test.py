"""Stress-test engine against the naive reference: each scenario's full LP built and solved anew.

Run: ``python bench/stress_test.py [--sizes 1000,10000] [--big 100000] [--willems DIR]``.

For each size, a network is generated (the same generator as ``podium generate``, 4 tiers, fixed
seed) and every site is a scenario. The engine runs them all; the naive reference
(:mod:`podium.mapping.reference`, ``scipy.optimize.linprog`` per scenario, PI and TTS) runs them
all at ``--naive-all-below`` sites and below, else a random sample whose time is scaled to all
scenarios (marked "est."). The answers are compared (PI and TTS to 1e-6 relative) and the ratio
printed. ``--big`` runs the engine by region on a larger network and reports its peak memory;
``--willems`` runs every stage of Willems chain 38 as a scenario.
"""

from __future__ import annotations

import argparse
import platform
import random
import resource
import time
from pathlib import Path

from podium.ecosystem.formats import read_path
from podium.ecosystem.generate import generate_ecosystem
from podium.ecosystem.spec import EcosystemSpec
from podium.mapping import reference
from podium.mapping.network import compile_network
from podium.mapping.resilience import StressTestReport, _job, scenarios_for, stress_test

TIERS = 4
SEED = 7


def peak_memory_mb() -> float:
    """Peak resident memory of this process and its finished workers (MB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024.0


def run_engine(spec: EcosystemSpec, by: str = "site") -> tuple[StressTestReport, float]:
    started = time.perf_counter()
    report = stress_test(spec, by=by)
    return report, time.perf_counter() - started


def run_naive(
    spec: EcosystemSpec, report: StressTestReport, sample: int | None
) -> tuple[float, int, float]:
    """Return the naive time for all scenarios (measured or scaled), count checked, worst error."""
    net = compile_network(spec, default_ttr_days=28.0)
    scenarios = scenarios_for(spec, "site")
    chosen = scenarios if sample is None else random.Random(SEED).sample(scenarios, sample)
    found = {r.scenario.id: r for r in report.results}
    worst = 0.0
    started = time.perf_counter()
    for scenario in chosen:
        nodes, ttr = _job(net, scenario)
        expected = reference.answer(net, nodes, ttr, report.horizon_days)
        got = found[scenario.id]
        for a, b in (
            (got.performance_impact, expected.performance_impact),
            (got.tts_days, expected.tts_days),
        ):
            worst = max(worst, abs(a - b) / max(1.0, abs(b)))
    elapsed = time.perf_counter() - started
    return elapsed * len(scenarios) / len(chosen), len(chosen), worst


def bench_size(sites: int, naive_all_below: int, sample: int) -> None:
    spec = generate_ecosystem(sites=sites, tiers=TIERS, seed=SEED)
    report, engine_seconds = run_engine(spec)
    full = sites <= naive_all_below
    naive_seconds, checked, worst = run_naive(spec, report, None if full else sample)
    label = "" if full else " est."
    print(
        f"{sites:>7} sites  {len(report.results):>6} scenarios  engine {engine_seconds:8.2f} s  "
        f"naive {naive_seconds:9.1f} s{label}  ratio {naive_seconds / engine_seconds:6.1f}x  "
        f"checked {checked}  worst rel. error {worst:.1e}  settled by {report.settled_by}"
    )
    if worst > 1e-6:
        raise SystemExit(f"engine and naive reference disagree: {worst:.2e}")


def bench_big(sites: int) -> None:
    spec = generate_ecosystem(sites=sites, tiers=TIERS, seed=SEED)
    report, seconds = run_engine(spec, by="region")
    print(
        f"{sites:>7} sites  {len(report.results):>6} regional scenarios  engine {seconds:8.2f} s  "
        f"peak memory {peak_memory_mb():,.0f} MB  settled by {report.settled_by}"
    )


def bench_willems(folder: Path) -> None:
    spec = read_path(folder / "38.csv")
    report, seconds = run_engine(spec)
    print(
        f"Willems chain 38: {len(spec.sites)} stages as scenarios  engine {seconds:.2f} s  "
        f"settled by {report.settled_by}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated site counts")
    parser.add_argument("--naive-all-below", type=int, default=2000)
    parser.add_argument("--sample", type=int, default=200, help="naive scenarios above that size")
    parser.add_argument("--big", type=int, default=0, help="sites of the memory run (0: skip)")
    default_willems = Path(__file__).resolve().parents[2] / "shared" / "reference" / "willems2008"
    parser.add_argument("--willems", type=Path, default=default_willems)
    args = parser.parse_args()
    machine = platform.processor() or platform.machine()
    print(f"# {platform.node()} {machine}, {time.strftime('%Y-%m-%d')}")
    for size in (int(s) for s in args.sizes.split(",") if s):
        bench_size(size, args.naive_all_below, args.sample)
    if args.willems.exists():
        bench_willems(args.willems)
    if args.big:
        bench_big(args.big)


if __name__ == "__main__":
    main()
