"""The mapping commands: ``podium stress-test`` and ``podium analyze structure``, on a file and on
a stored ecosystem in a SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from podium.cli import app
from podium.core.db import make_engine, session_factory
from podium.mapping.models import AnalysisRun
from podium.samples import SAMPLES

runner = CliRunner()
SAMPLE = str(SAMPLES["manufacturer"])
JSON_KEYS = {"scenario", "ttr_days", "tts_days", "performance_impact", "risk_exposure_index",
             "lost_units", "kind", "label", "tts_limited", "shortage_days"}  # fmt: skip


def text(output: str) -> str:
    """The output with line wrapping undone (Rich wraps at the terminal width)."""
    return " ".join(output.split())


@pytest.fixture
def db(tmp_path: Path) -> list[str]:
    """The --database option for a fresh SQLite file."""
    return ["--database", f"sqlite:///{tmp_path / 'cli.db'}"]


@pytest.fixture
def stored(db: list[str]) -> list[str]:
    """The --database option of a SQLite file holding the manufacturer sample."""
    imported = runner.invoke(app, [*db, "import", SAMPLE])
    assert imported.exit_code == 0, imported.output
    return db


def runs(db: list[str]) -> list[AnalysisRun]:
    engine = make_engine(db[1])
    try:
        with session_factory(engine)() as session:
            return list(session.scalars(select(AnalysisRun).order_by(AnalysisRun.id)))
    finally:
        engine.dispose()


def test_stress_test_of_a_file_prints_a_ranked_table() -> None:
    result = runner.invoke(app, ["stress-test", SAMPLE, "--top", "5"])
    assert result.exit_code == 0, result.output
    out = text(result.stdout)
    assert "Stress test of manufacturer by site, worst first" in out
    assert "(EUR) REI" in out and "1 jiangxi-ganzhou site 364.0" in out
    assert "showing the worst 5." in out and len(result.stdout.splitlines()) == 5 + 5
    assert "Stored as analysis run" not in out


def test_stress_test_json_lines_respect_top() -> None:
    result = runner.invoke(app, ["stress-test", SAMPLE, "--json", "--top", "4", "--by", "actor"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 4
    assert all(set(line) >= JSON_KEYS for line in lines)
    assert all(line["kind"] == "actor" for line in lines)
    rei = [line["risk_exposure_index"] for line in lines]
    assert rei == sorted(rei, reverse=True) and rei[0] == pytest.approx(1.0)
    everything = runner.invoke(app, ["stress-test", SAMPLE, "--json", "--by", "region"])
    assert len(everything.stdout.splitlines()) == 9


def test_stress_test_of_a_stored_ecosystem_is_kept(stored: list[str]) -> None:
    result = runner.invoke(app, [*stored, "stress-test", "manufacturer", "--top", "3"])
    assert result.exit_code == 0, result.output
    kept = runs(stored)
    assert len(kept) == 1 and kept[0].status == "done" and kept[0].kind == "stress_test"
    assert f"Stored as analysis run {kept[0].id} of manufacturer" in text(result.stdout)
    as_json = runner.invoke(
        app,
        [*stored, "stress-test", "manufacturer", "--json", "--top", "2", "--horizon-days", "180"],
    )
    assert as_json.exit_code == 0, as_json.output
    lines = [json.loads(line) for line in as_json.stdout.splitlines()]
    assert len(lines) == 2 and lines[0]["scenario"] == "jiangxi-ganzhou"
    latest = runs(stored)[-1]
    assert latest.parameters["horizon_days"] == 180.0 and latest.status == "done"


def test_bad_input_exits_1_naming_it(stored: list[str], tmp_path: Path) -> None:
    unknown = runner.invoke(app, [*stored, "stress-test", "atlantis"])
    assert unknown.exit_code == 1
    assert "'atlantis' is neither a file nor a stored ecosystem" in text(unknown.output)
    missing = runner.invoke(app, ["stress-test", str(tmp_path / "missing.yaml")])
    assert missing.exit_code == 1 and "missing.yaml" in text(missing.output)
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nactors: [{id: a}]\n")
    broken = runner.invoke(app, ["stress-test", str(bad)])
    assert broken.exit_code == 1 and "bad.yaml is not a valid ecosystem" in text(broken.output)
    horizon = runner.invoke(app, ["stress-test", SAMPLE, "--horizon-days", "0"])
    assert horizon.exit_code == 1 and "--horizon-days" in text(horizon.output)
    by = runner.invoke(app, [*stored, "stress-test", "manufacturer", "--by", "planet"])
    assert by.exit_code == 1 and "--by" in text(by.output)
    assert runs(stored) == []


def test_structure_of_a_file_and_of_a_stored_ecosystem(stored: list[str]) -> None:
    result = runner.invoke(app, ["analyze", "structure", SAMPLE])
    assert result.exit_code == 0, result.output
    assert "Structure of manufacturer" in text(result.stdout)
    report = json.loads(runner.invoke(app, ["analyze", "structure", SAMPLE, "--json"]).stdout)
    assert report["findings"], report
    category = report["findings"][0]["category"]
    only = runner.invoke(app, ["analyze", "structure", SAMPLE, "--json", "--category", category])
    filtered = json.loads(only.stdout)["findings"]
    assert filtered and {f["category"] for f in filtered} == {category}
    kept = runner.invoke(app, [*stored, "analyze", "structure", "manufacturer", "--json"])
    assert kept.exit_code == 0, kept.output
    assert json.loads(kept.stdout)["findings"] == report["findings"]
    assert [r.kind for r in runs(stored)] == ["structure"]


def test_every_command_has_help_with_an_example() -> None:
    for command in (["stress-test"], ["analyze", "structure"]):
        result = runner.invoke(app, [*command, "--help"])
        assert result.exit_code == 0 and "Example: podium" in text(result.stdout)
