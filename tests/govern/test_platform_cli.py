"""``podium govern platforms`` on a SQLite file: assess from a YAML file, list, show the reasons,
and stress-test a terms change; a viewer may read but not assess."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from podium.cli import app
from podium.samples import SAMPLES

runner = CliRunner()
ANSWERS = """\
category: cloud
answers:
  terms_change: {score: 3, note: 90 days notice}
  data_migration: {score: 4, note: no export}
  backup_options: {score: 2}
  customer_relationship: {score: 0}
"""


def text(output: str) -> str:
    """The output with Rich's line wrapping undone."""
    return " ".join(output.split())


@pytest.fixture
def db(tmp_path: Path) -> list[str]:
    """--database of a SQLite file with the manufacturer sample, an analyst and a viewer."""
    option = ["--database", f"sqlite:///{tmp_path / 'cli.db'}"]
    assert runner.invoke(app, [*option, "import", str(SAMPLES["manufacturer"])]).exit_code == 0
    for user, role in (("ana", "analyst"), ("vic", "viewer")):
        args = [*option, "user", "add", user, "--role", role, "--password", "long enough pw"]
        assert runner.invoke(app, args).exit_code == 0
    return option


def run(db: list[str], *args: str) -> tuple[int, str]:
    result = runner.invoke(app, [*db, "govern", "platforms", *args], terminal_width=200)
    return result.exit_code, text(result.output)


def test_assess_list_show_and_terms_change(db: list[str], tmp_path: Path) -> None:
    """Four questions of weight 1.5: 100 * 1.5 * (3+4+2+0) / 24 = 56.25, moderate."""
    answers = tmp_path / "nimbus.yaml"
    answers.write_text(ANSWERS)
    code, out = run(db, "assess", "manufacturer", "nimbus", str(answers), "--user", "ana")
    assert code == 0, out
    assert "Stored version 1 of nimbus: index 56.2 (moderate, 60% answered)" in out
    code, out = run(db, "list", "manufacturer", "--user", "vic")
    assert code == 0 and "56.2" in out and "not assessed" in out
    code, out = run(db, "show", "manufacturer", "nimbus", "--user", "vic")
    assert code == 0 and "data_migration" in out and "25.00" in out and "no export" in out
    assert "Unanswered: workflow_portability, competes_with_us" in out
    code, out = run(db, "terms-change", "manufacturer", "nimbus", "--days", "2", "--user", "vic")
    assert code == 0 and "lost profit (PI): 115,500 EUR" in out and "e-axle-hd" in out


def test_refusals(db: list[str], tmp_path: Path) -> None:
    answers = tmp_path / "bad.json"
    answers.write_text('{"category": "cloud", "answers": {"data_migration": {"score": 6}}}')
    code, out = run(db, "assess", "manufacturer", "nimbus", str(answers), "--user", "ana")
    assert code == 1 and "score must be 0, 1, 2, 3 or 4, not 6" in out
    code, out = run(db, "assess", "manufacturer", "nimbus", str(answers), "--user", "vic")
    assert code == 1 and "lacks govern:write" in out
    code, out = run(db, "questionnaire")
    assert code == 0 and "No export." in out
