"""The podium command: validate, import, export, list, generate and users, on a SQLite file."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

import podium
from podium.cli import app
from podium.ecosystem.formats import write_path
from tests.factories import small_spec

runner = CliRunner()


def text(output: str) -> str:
    """The output with line wrapping undone (Rich wraps at the terminal width)."""
    return " ".join(output.split())


@pytest.fixture
def db(tmp_path: Path) -> list[str]:
    """The --database option for a fresh SQLite file."""
    return ["--database", f"sqlite:///{tmp_path / 'cli.db'}"]


@pytest.fixture
def good_file(tmp_path: Path) -> Path:
    path = tmp_path / "small.yaml"
    write_path(small_spec(), path, format="yaml")
    return path


@pytest.fixture
def bad_file(tmp_path: Path, good_file: Path) -> Path:
    """The small ecosystem with a link to an unknown actor and a negative capacity."""
    document = yaml.safe_load(good_file.read_text())
    document["links"][0]["source"] = "nobody"
    document["links"][1]["capacity_per_day"] = -5
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def test_validate_reports_each_problem_with_place(good_file: Path, bad_file: Path) -> None:
    ok = runner.invoke(app, ["validate", str(good_file)])
    assert ok.exit_code == 0, ok.output
    assert "is valid" in text(ok.output)
    bad = runner.invoke(app, ["validate", str(bad_file)])
    assert bad.exit_code == 1
    assert "bad.yaml, line" in text(bad.output)
    assert "unknown actor or site 'nobody'" in text(bad.output)
    assert "capacity_per_day" in text(bad.output)


def test_import_export_round_trip(db: list[str], good_file: Path, tmp_path: Path) -> None:
    imported = runner.invoke(app, [*db, "import", str(good_file), "--name", "plant-net"])
    assert imported.exit_code == 0, imported.output
    listed = runner.invoke(app, [*db, "ecosystems"])
    assert "plant-net" in listed.output
    out = tmp_path / "out.yaml"
    exported = runner.invoke(app, [*db, "export", "--ecosystem", "plant-net", str(out)])
    assert exported.exit_code == 0, exported.output
    assert podium.load(out) == small_spec().model_copy(update={"name": "plant-net"})
    only = runner.invoke(app, [*db, "export", "--format", "graphml", str(tmp_path / "g.graphml")])
    assert only.exit_code == 0, only.output


def test_bad_import_stores_nothing(db: list[str], good_file: Path, bad_file: Path) -> None:
    assert runner.invoke(app, [*db, "import", str(good_file)]).exit_code == 0
    refused = runner.invoke(app, [*db, "import", str(bad_file), "--name", "other"])
    assert refused.exit_code == 1
    assert "nothing was imported" in text(refused.output)
    listed = runner.invoke(app, [*db, "ecosystems"])
    assert "small" in listed.output and "other" not in listed.output


def test_export_converts_a_file(good_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "small.xlsx"
    result = runner.invoke(app, ["export", "--ecosystem", str(good_file), str(out)])
    assert result.exit_code == 0, result.output
    assert podium.load(out) == small_spec()


def test_generate_writes_a_valid_file(tmp_path: Path) -> None:
    out = tmp_path / "gen.yaml"
    result = runner.invoke(
        app, ["generate", "--sites", "300", "--tiers", "3", "--seed", "7", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert len(podium.load(out).sites) == 300


def test_user_add_and_token(db: list[str]) -> None:
    added = runner.invoke(
        app, [*db, "user", "add", "ana", "--role", "analyst", "--password", "long enough pw"]
    )
    assert added.exit_code == 0, added.output
    token = runner.invoke(app, [*db, "user", "token", "ana"])
    assert token.exit_code == 0 and token.output.strip().startswith("pdm_")
    again = runner.invoke(app, [*db, "user", "add", "ana", "--password", "long enough pw"])
    assert again.exit_code != 0


def test_a_bad_field_does_not_hide_other_problems_of_its_entity(tmp_path: Path) -> None:
    """A link with a negative capacity still has its unknown target and item reported."""
    path = tmp_path / "bad-link.yaml"
    path.write_text(
        'schema_version: "1"\nname: bad\n'
        "actors:\n  - {id: a, name: A, kind: supplyer}\n"
        "sites:\n  - {id: s, actor: ghost, name: S}\n"
        "links:\n  - {id: l, kind: supplies, source: s, target: nowhere, item: i,"
        " capacity_per_day: -3}\n"
    )
    result = runner.invoke(app, ["validate", str(path)])
    out = text(result.output)
    assert result.exit_code == 1
    expected = [
        "line 4: actors[0].kind:",
        "line 6: sites[0].actor: unknown actor 'ghost'",
        "line 8: links[0].capacity_per_day:",
        "line 8: links[0].target: unknown actor or site 'nowhere'",
        "line 8: links[0].item: unknown item 'i'",
    ]
    positions = [out.find(e) for e in expected]
    assert all(p >= 0 for p in positions), out
    assert positions == sorted(positions), "problems come in document order"
    assert "5 problem(s)" in out
