"""``podium share GAME.yaml``: allocations as a table and as JSON, the core check, bad files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from podium.align.share_cli import share
from podium.samples import SAMPLES

runner = CliRunner()
app = typer.Typer()
app.command()(share)
PARK = SAMPLES["industrial_park"].with_name("industrial_park_substation.yaml")
AIRPORT = "players: [A, B, C, D]\ncost_model:\n  airport: {A: 8, B: 11, C: 13, D: 18}\n"


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), terminal_width=200)
    return result.exit_code, result.output


@pytest.fixture
def airport(tmp_path: Path) -> Path:
    path = tmp_path / "airport.yaml"
    path.write_text(AIRPORT)
    return path


def test_airport_shapley_json(airport: Path) -> None:
    """Littlechild & Owen (1973), runway costs 8, 11, 13, 18: Shapley (2, 3, 4, 9), in the core."""
    code, out = run(str(airport), "--method", "shapley", "--json")
    assert code == 0, out
    found = json.loads(out)
    assert found["allocation"] == pytest.approx({"A": 2, "B": 3, "C": 4, "D": 9})
    assert found["in_core"] is True and found["objections"] == []


def test_table_game_with_objections(tmp_path: Path) -> None:
    """Equal split of 9 among three when A alone costs 1: A objects, gaining 2 by leaving."""
    path = tmp_path / "table.yaml"
    path.write_text(
        'players: [A, B, C]\ncoalition_costs: {A: 1, B: 5, C: 5, "A,B": 6, "A,C": 6, '
        '"B,C": 8, "A,B,C": 9}\n'
    )
    code, out = run(str(path), "--method", "equal", "--json")
    assert code == 0, out
    found = json.loads(out)
    assert found["in_core"] is False
    assert found["objections"][0] == {
        "coalition": ["A"],
        "stand_alone": 1.0,
        "allocated": 3.0,
        "gain": 2.0,
    }
    code, out = run(str(path), "--method", "nucleolus")
    assert code == 0 and "In the core" in out


def test_sampled_shapley_reports_standard_errors(airport: Path) -> None:
    code, out = run(str(airport), "--samples", "500", "--seed", "3", "--json")
    assert code == 0, out
    found = json.loads(out)
    assert found["samples"] == 500 and all(p["std_error"] > 0 for p in found["players"])
    assert sum(found["allocation"].values()) == pytest.approx(18)


def test_park_sample_table_output() -> None:
    code, out = run(str(PARK), "--method", "nucleolus")
    assert code == 0, out
    assert "voltaris" in out and "Not in the core" in out and "gains" in out


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "players: [A, B]\ncoalition_costs: {A: 1, B: 2}\n",
            "#/coalition_costs: 1 coalition is missing",
        ),
        (
            "players: [A]\ncost_model: {airport: {A: -3}}\n",
            "#/cost_model/airport/A: must be at least 0",
        ),
        ("players: [A\n", "#/: not valid YAML"),
    ],
)
def test_bad_files_name_the_file_and_field(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    code, out = run(str(path))
    assert code == 2 and f"{path}: {message}" in " ".join(out.split())


def test_unknown_method_and_missing_file(airport: Path, tmp_path: Path) -> None:
    code, out = run(str(airport), "--method", "auction")
    assert code == 2 and "unknown method 'auction'" in out
    code, out = run(str(tmp_path / "none.yaml"))
    assert code == 2 and "cannot read the file" in out
