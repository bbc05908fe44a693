"""Willems (2008) SCML chains."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from podium.ecosystem.formats import read_path
from podium.ecosystem.formats.scml import chain_name, loads_scml
from podium.ecosystem.validation import SpecError

HEADER = (
    "\ufeff/chain,,,,,,,,,,\n"
    "/@company,/arcs/arc/@from,/arcs/arc/@to,/stages/stage/@avgDemand,"
    "/stages/stage/@stageClassification,/stages/stage/@stageCost,/stages/stage/@stageName,"
    "/stages/stage/@stageTime,/stages/stage/@stDevDemand,/stages/stage/@StageTime_1_p,"
    "/stages/stage/@StageTime_1_v\n"
)
ROWS = [
    "1,P,M,,Part,2,P,5,,0.5,4",  # line 3: an arc and a stage on one row
    "1,M,R,,,,,,,,",
    "1,,,,Manuf,10,M,3,,,",
    "1,,,,,,,,,,",  # empty row
    "1,,,40,Retail,1.5,R,0,6,,",
]


def chain(*rows: str) -> str:
    return HEADER + "\n".join(rows) + "\n"


def test_small_chain_mapping():
    spec = loads_scml(chain(*ROWS), source="tiny.csv", name="tiny")
    assert [s.id for s in spec.sites] == ["P", "M", "R"]
    assert {s.id: s.actor for s in spec.sites} == {
        "P": "supplier-P",
        "M": "tiny-company",
        "R": "tiny-company",
    }
    assert {s.id: s.kind.value for s in spec.sites} == {"P": "plant", "M": "plant", "R": "store"}
    orchestrator = spec.actors[0]
    assert (orchestrator.id, orchestrator.ecosystem_role.value) == ("tiny-company", "orchestrator")
    retail = spec.items[2]
    assert (retail.kind.value, retail.demand_per_day, retail.demand_std_per_day) == (
        "product",
        40,
        6,
    )
    assert spec.items[0].kind.value == "part" and spec.items[0].unit_cost == 2
    link = spec.links[0]
    assert (link.id, link.source, link.target, link.item, link.lead_time_days) == (
        "P->M",
        "P",
        "M",
        "P",
        5,
    )
    assert [(b.parent, b.child, b.quantity, b.site) for b in spec.bom] == [
        ("M", "P", 1, "M"),
        ("R", "M", 1, "R"),
    ]
    attributes = spec.sites[0].attributes
    assert attributes["stageClassification"] == "Part"
    assert attributes["stageTimeDistribution"] == [{"p": 0.5, "v": 4}]


def test_unknown_stage_in_an_arc():
    with pytest.raises(SpecError) as exc:
        loads_scml(chain(*ROWS, "1,M,X,,,,,,,,"), source="bad.csv")
    (problem,) = exc.value.problems
    assert (problem.source, problem.where, problem.field) == ("bad.csv", "line 8", "to")
    assert "unknown stage 'X'" in problem.message


def test_non_numeric_stage_time():
    rows = [*ROWS]
    rows[2] = "1,,,,Manuf,10,M,soon,,,"
    with pytest.raises(SpecError) as exc:
        loads_scml(chain(*rows), source="bad.csv")
    (problem,) = exc.value.problems
    assert (problem.where, problem.field) == ("line 5", "stageTime")
    assert problem.message == "not a number (got 'soon')"


def test_other_row_problems():
    rows = [*ROWS, "1,,,,Manuf,1,M,1,,,", "1,,,,Quarry,1,Q,1,,,", "1,R,,,,,,,,,"]
    with pytest.raises(SpecError) as exc:
        loads_scml(chain(*rows), source="bad.csv")
    found = {(p.where, p.field) for p in exc.value.problems}
    assert found == {
        ("line 8", "stageName"),  # duplicate stage
        ("line 9", "stageClassification"),  # unknown classification
        ("line 10", "to"),  # arc without a target
    }


def test_not_scml():
    with pytest.raises(SpecError, match="/chain"):
        loads_scml("a,b\n1,2\n", source="x.csv")


def test_chain_name():
    assert chain_name(Path("01.csv")) == "willems-01"
    assert chain_name(Path("my chain.csv")) == "my-chain"


@pytest.mark.parametrize(
    ("number", "stages", "arcs"), [(1, 8, 10), (13, 108, 452), (38, 2025, 16225)]
)
def test_reference_chain_counts(willems: Path, number: int, stages: int, arcs: int):
    start = time.perf_counter()
    spec = read_path(willems / f"{number:02d}.csv")
    elapsed = time.perf_counter() - start
    assert spec.name == f"willems-{number:02d}"
    assert (len(spec.sites), len(spec.links), len(spec.items), len(spec.bom)) == (
        stages,
        arcs,
        stages,
        arcs,
    )
    assert elapsed < 5.0  # about 0.5 s for chain 38 on a laptop-class core


def test_all_reference_chains_parse(willems: Path):
    files = sorted(willems.glob("*.csv"))
    assert len(files) == 38
    for path in files:
        spec = read_path(path)
        assert spec.sites and spec.links
        assert any(item.demand_per_day for item in spec.items)
