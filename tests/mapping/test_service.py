"""Analysis runs on SQLite and PostgreSQL: start, execute, progress, list, compare, risk tables."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import openpyxl
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

import podium
from podium.core.db import session_factory, unit_of_work
from podium.core.errors import Conflict, Invalid
from podium.ecosystem import models as eco_models
from podium.ecosystem import service as eco_service
from podium.ecosystem.spec import EcosystemSpec
from podium.mapping import reports, resilience, service
from podium.mapping.models import AnalysisRun
from podium.samples import SAMPLES
from tests.conftest import wipe

WORST = "jiangxi-ganzhou"
"""The manufacturer sample's most damaging site (a sole-sourced NdPr oxide plant, TTR 364 d)."""


@pytest.fixture(scope="module")
def manufacturer_spec() -> EcosystemSpec:
    return podium.load(SAMPLES["manufacturer"])


@pytest.fixture
def manufacturer(session: Session, manufacturer_spec: EcosystemSpec) -> eco_models.Ecosystem:
    return eco_service.import_spec(session=session, spec=manufacturer_spec)


def run_stress_test(
    session: Session, ecosystem: eco_models.Ecosystem, **parameters: Any
) -> AnalysisRun:
    run = service.start_run(
        session=session, ecosystem=ecosystem, kind="stress_test", parameters=parameters
    )
    return service.execute_run(sessions=session, run_id=run.id)


def invalid(excinfo: pytest.ExceptionInfo[Invalid]) -> dict[str, str]:
    """Return the first error (pointer and detail) of an Invalid."""
    return dict(excinfo.value.errors[0])


def test_a_stress_test_runs_and_records_everything(
    session: Session, manufacturer: eco_models.Ecosystem, manufacturer_spec: EcosystemSpec
) -> None:
    run = service.start_run(
        session=session, ecosystem=manufacturer, kind="stress_test", parameters={}, user_id=None
    )
    assert run.status == "queued" and run.results is None
    assert run.parameters == {"by": "site", "horizon_days": 365.0, "default_ttr_days": 28.0,
                              "top": 5}  # fmt: skip
    assert run.ecosystem_version["counts"]["sites"] == len(manufacturer_spec.sites)
    assert run.ecosystem_version["updated_at"].endswith("+00:00")
    seen: list[tuple[int, int]] = []
    done = service.execute_run(
        sessions=session, run_id=run.id, progress=lambda d, t: seen.append((d, t))
    )
    assert done.status == "done", done.error
    n = len(manufacturer_spec.sites)
    assert seen[-1] == (n, n) and done.progress_done == done.progress_total == n
    assert done.started_at is not None and done.finished_at is not None
    assert done.duration_seconds is not None and done.duration_seconds >= 0
    results = done.results["results"]  # type: ignore[index]
    expected = resilience.stress_test(manufacturer_spec)
    assert len(results) == len(expected.results) == n
    rei = [r["risk_exposure_index"] for r in results]
    assert rei == sorted(rei, reverse=True) and results[0]["scenario"] == WORST
    summary = done.summary or {}
    assert summary["scenarios"] == n and summary["currency"] == "EUR"
    assert summary["with_impact"] == sum(1 for r in expected.results if r.performance_impact > 0)
    assert summary["max_performance_impact"] == pytest.approx(results[0]["performance_impact"])
    assert [t["scenario"] for t in summary["top"]] == [r["scenario"] for r in results[:5]]


def test_by_actor_and_custom_scenarios(
    session: Session, manufacturer: eco_models.Ecosystem
) -> None:
    by_actor = run_stress_test(session, manufacturer, by="actor", top=3)
    assert {r["kind"] for r in by_actor.results["results"]} == {"actor"}  # type: ignore[index]
    assert len(by_actor.summary["top"]) == 3  # type: ignore[index]
    custom = run_stress_test(
        session,
        manufacturer,
        scenarios=[
            [WORST, "sorrel-durham"],
            {"id": "rare", "label": "Rare earths", "sites": [WORST]},
        ],
    )
    found = {r["scenario"]: r for r in custom.results["results"]}  # type: ignore[index]
    assert set(found) == {"custom-1", "rare"}
    assert found["rare"]["label"] == "Rare earths" and found["rare"]["kind"] == "custom"
    assert found["custom-1"]["sites"] == [WORST, "sorrel-durham"]


@pytest.mark.parametrize(
    ("parameters", "pointer"),
    [
        ({"horizon_days": 0}, "#/parameters/horizon_days"),
        ({"horizon_days": 5000}, "#/parameters/horizon_days"),
        ({"default_ttr_days": 0}, "#/parameters/default_ttr_days"),
        ({"by": "planet"}, "#/parameters/by"),
        ({"top": 0}, "#/parameters/top"),
        ({"colour": "red"}, "#/parameters/colour"),
        ({"scenarios": [[]]}, "#/parameters/scenarios/0/sites"),
    ],
)
def test_bad_parameters_name_the_field(
    session: Session, manufacturer: eco_models.Ecosystem, parameters: dict[str, Any], pointer: str
) -> None:
    with pytest.raises(Invalid) as excinfo:
        service.start_run(
            session=session, ecosystem=manufacturer, kind="stress_test", parameters=parameters
        )
    assert invalid(excinfo)["pointer"] == pointer
    assert pointer.removeprefix("#/parameters/") in excinfo.value.detail


def test_custom_scenarios_must_name_known_sites(
    session: Session, manufacturer: eco_models.Ecosystem
) -> None:
    with pytest.raises(Invalid) as excinfo:
        service.start_run(
            session=session,
            ecosystem=manufacturer,
            kind="stress_test",
            parameters={"scenarios": [[WORST, "atlantis-plant"]]},
        )
    assert invalid(excinfo)["pointer"] == "#/parameters/scenarios/0/sites/1"
    assert "'atlantis-plant'" in excinfo.value.detail
    with pytest.raises(Invalid, match="unknown kind"):
        service.start_run(session=session, ecosystem=manufacturer, kind="tarot", parameters={})
    assert session.scalar(select(func.count()).select_from(AnalysisRun)) == 0


def test_a_failing_analysis_is_recorded(
    session: Session, manufacturer: eco_models.Ecosystem, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("solver exploded")

    monkeypatch.setattr(resilience, "stress_test", broken)
    run = run_stress_test(session, manufacturer)
    assert run.status == "failed" and run.results is None
    assert run.error == "RuntimeError: solver exploded" and run.finished_at is not None
    with pytest.raises(Conflict, match="solver exploded"):
        service.risk_table(run)
    with pytest.raises(Conflict, match="failed"):
        service.execute_run(sessions=session, run_id=run.id)


def test_list_and_latest_runs(session: Session, manufacturer: eco_models.Ecosystem) -> None:
    first = run_stress_test(session, manufacturer)
    second = run_stress_test(session, manufacturer, by="region")
    queued = service.start_run(
        session=session, ecosystem=manufacturer, kind="stress_test", parameters={}
    )
    listed = service.list_runs(session=session, ecosystem=manufacturer)
    assert [r.id for r in listed] == [queued.id, second.id, first.id]
    assert service.list_runs(session=session, ecosystem=manufacturer, kind="structure") == []
    assert len(service.list_runs(session=session, ecosystem=manufacturer, limit=1)) == 1
    latest = service.latest_run(session=session, ecosystem=manufacturer, kind="stress_test")
    assert latest is not None and latest.id == second.id
    newest = service.latest_run(
        session=session, ecosystem=manufacturer, kind="stress_test", only_done=False
    )
    assert newest is not None and newest.id == queued.id
    assert service.get_run(session=session, run_id=first.id) is first


def test_deleting_the_ecosystem_deletes_its_runs(
    session: Session, manufacturer: eco_models.Ecosystem
) -> None:
    run_stress_test(session, manufacturer, by="region")
    eco_service.delete_ecosystem(session=session, ecosystem=manufacturer)
    session.expunge_all()
    assert session.scalar(select(func.count()).select_from(AnalysisRun)) == 0


def test_compare_runs_finds_what_got_better(
    session: Session, manufacturer: eco_models.Ecosystem, manufacturer_spec: EcosystemSpec
) -> None:
    """Halving the worst site's time to recover lowers its impact and changes nothing else."""
    before = run_stress_test(session, manufacturer)
    links = [
        link.model_copy(update={"ttr_days": (link.ttr_days or 28.0) / 2})
        if link.source == WORST
        else link
        for link in manufacturer_spec.links
    ]
    what_if = eco_service.import_spec(
        session=session, spec=manufacturer_spec.model_copy(update={"links": links}), name="what-if"
    )
    after = run_stress_test(session, what_if)
    compared = service.compare_runs(before, after)
    assert compared["a"] == before.id and compared["b"] == after.id
    first = compared["scenarios"][0]
    assert first["scenario"] == WORST and first["change"] == "better"
    assert first["performance_impact_delta"] < 0
    assert compared["counts"] == {"better": 1, "same": len(manufacturer_spec.sites) - 1}
    same = service.compare_runs(before, before)
    assert set(same["counts"]) == {"same"}


def test_compare_refuses_unfinished_or_other_runs(
    session: Session, manufacturer: eco_models.Ecosystem
) -> None:
    done = run_stress_test(session, manufacturer, by="region")
    queued = service.start_run(
        session=session, ecosystem=manufacturer, kind="stress_test", parameters={}
    )
    with pytest.raises(Conflict, match="queued"):
        service.compare_runs(done, queued)
    structure = service.start_run(
        session=session, ecosystem=manufacturer, kind="structure", parameters={}
    )
    with pytest.raises(Invalid, match="not a stress_test run"):
        service.compare_runs(structure, done)


def test_compare_results_added_removed_and_worse() -> None:
    a = [{"scenario": "x", "performance_impact": 1.0, "tts_days": 5.0},
         {"scenario": "gone", "performance_impact": 0.0, "tts_days": 9.0},
         {"scenario": "tts", "performance_impact": 0.0, "tts_days": 9.0}]  # fmt: skip
    b = [{"scenario": "x", "performance_impact": 3.0, "tts_days": 5.0},
         {"scenario": "new", "performance_impact": 2.0, "tts_days": 1.0},
         {"scenario": "tts", "performance_impact": 0.0, "tts_days": 4.0}]  # fmt: skip
    compared = reports.compare_results(a, b)
    changes = {d["scenario"]: d["change"] for d in compared["scenarios"]}
    assert changes == {"x": "worse", "gone": "removed", "new": "added", "tts": "worse"}
    assert compared["scenarios"][0]["scenario"] == "x"


def test_risk_table_as_csv_and_xlsx(session: Session, manufacturer: eco_models.Ecosystem) -> None:
    run = run_stress_test(session, manufacturer)
    rows = service.risk_table(run)
    assert len(rows) == len(run.results["results"])  # type: ignore[index]
    assert [r["rank"] for r in rows] == list(range(1, len(rows) + 1))
    assert rows[0]["scenario"] == WORST and rows[0]["currency"] == "EUR"
    assert list(rows[0]) == list(reports.RISK_COLUMNS)
    buffer = io.BytesIO()
    service.write_risk_table(rows, buffer, format="csv")
    parsed = list(csv.DictReader(io.StringIO(buffer.getvalue().decode())))
    assert len(parsed) == len(rows) and parsed[0]["scenario"] == WORST
    assert float(parsed[0]["performance_impact"]) == pytest.approx(rows[0]["performance_impact"])
    book = io.BytesIO()
    service.write_risk_table(rows, book, format="xlsx")
    sheet = openpyxl.load_workbook(book, read_only=True).active
    table = list(sheet.iter_rows(values_only=True))
    assert table[0] == reports.RISK_COLUMNS and len(table) == len(rows) + 1
    with pytest.raises(Invalid, match="pdf"):
        service.write_risk_table(rows, io.BytesIO(), format="pdf")


def test_risk_tables_keep_formulas_as_text(tmp_path: Any) -> None:
    rows = [{"scenario": '=HYPERLINK("x")', "label": "+1", "value": 3.5}]
    service.write_risk_table(rows, tmp_path / "t.csv", format="csv")
    text = (tmp_path / "t.csv").read_text()
    assert "'=HYPERLINK" in text and "'+1" in text
    service.write_risk_table(rows, tmp_path / "t.xlsx", format="xlsx")
    cell = openpyxl.load_workbook(tmp_path / "t.xlsx").active["A2"]
    assert cell.value == '=HYPERLINK("x")' and cell.data_type == "s"


@pytest.fixture
def committed(engine: Engine, manufacturer_spec: EcosystemSpec) -> Iterator[Any]:
    """A session factory over the test database with the manufacturer stored (and committed)."""
    factory = session_factory(engine)
    with unit_of_work(factory) as session:
        eco_service.import_spec(session=session, spec=manufacturer_spec)
    yield factory
    wipe(engine)


def test_a_run_with_a_factory_commits_each_step(committed: Any) -> None:
    """Progress is committed while the run goes on: another session sees it before the end."""
    seen: list[tuple[str, int]] = []

    def peek(done: int, total: int) -> None:
        with committed() as other:
            row = other.execute(select(AnalysisRun.status, AnalysisRun.progress_done)).one()
            seen.append((row.status, row.progress_done))

    with unit_of_work(committed) as session:
        ecosystem = eco_service.get_ecosystem(session=session, name="manufacturer")
        run_id = service.start_run(
            session=session, ecosystem=ecosystem, kind="stress_test", parameters={"by": "region"}
        ).id
    run = service.execute_run(sessions=committed, run_id=run_id, progress=peek)
    assert run.status == "done" and run.summary["scenarios"] == 9  # type: ignore[index]
    assert seen and all(status == "running" for status, _ in seen)
    with committed() as other:
        stored = service.get_run(session=other, run_id=run_id)
        assert stored.status == "done" and stored.progress_done == stored.progress_total == 9
