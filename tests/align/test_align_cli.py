"""``podium align`` on a SQLite file: declare agreements from YAML, list them, check them for
misalignments (table and JSON), evaluate a value proposition; a viewer may read, not declare."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from podium.cli import app
from podium.samples import SAMPLES

runner = CliRunner()
AGREEMENTS = """\
ecosystem: manufacturer
agreements:
  - {partner: jiangbei, contract_type: wholesale, metrics: [unit_price], term_months: 12}
  - {partner: castelli, contract_type: capacity_reservation, metrics: [resilience, otif],
     term_months: 36, volume_commitment: 60000, data_access: true}
"""
INITIATIVE = """\
title: Shared magnet buffer
gain: 2000000
split: shares
success_probability: 0.9
actors:
  - {actor: hartwell, investment: 600000, share: 0.5}
  - {actor: jiangbei, investment: 1000000, share: 0.5}
"""


def text(output: str) -> str:
    return " ".join(output.split())


@pytest.fixture
def db(tmp_path: Path) -> list[str]:
    option = ["--database", f"sqlite:///{tmp_path / 'cli.db'}"]
    assert runner.invoke(app, [*option, "import", str(SAMPLES["manufacturer"])]).exit_code == 0
    for user, role in (("ana", "analyst"), ("vic", "viewer")):
        args = [*option, "user", "add", user, "--role", role, "--password", "long enough pw"]
        assert runner.invoke(app, args).exit_code == 0
    return option


def run(db: list[str], *args: str) -> tuple[int, str]:
    result = runner.invoke(app, [*db, "align", *args], terminal_width=200)
    return result.exit_code, result.output


def test_declare_list_check_and_value(db: list[str], tmp_path: Path) -> None:
    file = tmp_path / "agreements.yaml"
    file.write_text(AGREEMENTS)
    code, out = run(db, "agreements", "set", str(file), "--user", "vic")
    assert code == 1 and "lacks align:write" in text(out)
    code, out = run(db, "agreements", "set", str(file), "--user", "ana")
    assert code == 0 and "jiangbei: version 1" in out and "castelli: version 1" in out
    code, out = run(db, "agreements", "list", "manufacturer", "--user", "vic", "--json")
    assert code == 0 and [a["key"] for a in json.loads(out)] == ["castelli", "jiangbei"]
    code, out = run(db, "agreements", "list", "manufacturer", "--user", "vic")
    assert code == 0 and "castelli" in out and "60,000" in out
    code, out = run(db, "misalignments", "manufacturer", "--user", "vic", "--json")
    assert code == 0, out
    found = json.loads(out)
    assert ("jiangbei", "short_term_sole_source") in {
        (f["partner"], f["rule"]) for f in found["findings"]
    }
    code, out = run(db, "misalignments", "manufacturer", "--user", "vic")
    assert code == 0 and "short_term_sole_source" in text(out)
    initiative = tmp_path / "initiative.yaml"
    initiative.write_text(INITIATIVE)
    code, out = run(db, "value", str(initiative), "--user", "vic", "--ecosystem", "manufacturer")
    assert code == 0 and "not every actor joins" in text(out)  # jiangbei nets 0.9M - 1.0M
    code, out = run(db, "value", str(initiative), "--user", "vic", "--json")
    assert code == 0
    positions = {p["actor"]: p for p in json.loads(out)["positions"]}
    assert positions["jiangbei"]["shortfall"] == pytest.approx(100_000.0)


def test_bad_file_names_the_field(db: list[str], tmp_path: Path) -> None:
    file = tmp_path / "agreements.yaml"
    file.write_text("agreements:\n  - {partner: nobody, contract_type: wholesale}\n")
    code, out = run(db, "agreements", "set", str(file), "--user", "ana", "--ecosystem",
                    "manufacturer")  # fmt: skip
    assert code == 1 and "/agreements/0/partner: no actor 'nobody'" in text(out)
