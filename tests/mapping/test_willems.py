"""Both exposure analyses on the 38 real supply chains of Willems (2008).

Reference: S. P. Willems, "Real-world multiechelon supply chains used for inventory
optimization", M&SOM 10(1):19-23, 2008 (the SCML CSV files in ../shared/reference/willems2008).
The chains carry no capacity, stock, TTR or alternates, so every stage is sole-sourced with no
cover: a stage upstream of a product with demand must lose profit when it is down for the
default TTR, and a single point of failure of the structure analysis must too.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from podium.ecosystem.formats import read_path
from podium.mapping.network import compile_network
from podium.mapping.resilience import DEFAULT_TTR_DAYS, stress_test
from podium.mapping.solver import Graph
from podium.mapping.structure import analyze_structure
from tests.conftest import reference_path

CHAINS = [f"{n:02d}.csv" for n in range(1, 39)]


@pytest.mark.slow
@pytest.mark.parametrize("chain", CHAINS)
def test_stress_test_and_structure_agree_on_a_willems_chain(chain: str) -> None:
    spec = read_path(Path(reference_path("willems2008", chain)))
    report = stress_test(spec, by="site", workers=1)
    structure = analyze_structure(spec)
    assert len(report.results) == len(spec.sites)
    net = compile_network(spec, default_ttr_days=DEFAULT_TTR_DAYS)
    graph = Graph(net)
    upstream = {
        net.locations[net.node_location[n]] for n in range(net.n_nodes) if graph.reaches_demand[n]
    }
    impact = {r.scenario.id: r.performance_impact for r in report.results}
    for site, pi in impact.items():
        if site in upstream:
            assert pi > 0, f"{chain}: {site} feeds demand without cover but has PI 0"
        else:
            assert pi == 0, f"{chain}: {site} feeds no demand but has PI {pi}"
    spofs = {f.subject for f in structure.by_category("spof")}
    assert all(impact[s] > 0 for s in spofs if s in impact)
    tts = [r.tts_days for r in report.results if r.scenario.id in upstream]
    assert tts == [0.0] * len(tts)  # no stock anywhere: demand stops at once
