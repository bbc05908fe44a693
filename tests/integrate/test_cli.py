"""The integration commands on a SQLite file: submit and read data, import and export agreements,
verify the audit log (and catch tampering), check exceptions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text as sql
from typer.testing import CliRunner

from podium.cli import app
from podium.core.db import make_engine
from podium.samples import SAMPLES
from tests.conftest import reference_path

runner = CliRunner()
SAMPLE = str(SAMPLES["manufacturer"])
FORECAST = (
    "item,location,period_start,bucket,quantity\n"
    "power-module,velora-dresden,2026-11-23,week,500\n"
    "power-module,velora-dresden,2026-11-30,week,520\n"
)


def text(output: str) -> str:
    """The output with Rich's line wrapping undone."""
    return " ".join(output.split())


@pytest.fixture
def db(tmp_path: Path) -> list[str]:
    """--database of a SQLite file with the sample and a partner admin of velora and kinsei."""
    option = ["--database", f"sqlite:///{tmp_path / 'cli.db'}"]
    assert runner.invoke(app, [*option, "import", SAMPLE]).exit_code == 0
    for user, role, actor in (
        ("vel", "partner_admin", "velora"),
        ("kin", "partner_admin", "kinsei"),
        ("ana", "analyst", None),
    ):
        args = [*option, "user", "add", user, "--role", role, "--password", "long enough pw"]
        if actor:
            args += ["--ecosystem", "manufacturer", "--actor", actor]
        added = runner.invoke(app, args)
        assert added.exit_code == 0, added.output
    return option


def test_submit_then_read(db: list[str], tmp_path: Path) -> None:
    source = tmp_path / "forecast.csv"
    source.write_text(FORECAST)
    sent = runner.invoke(
        app, [*db, "data", "submit", "manufacturer", "forecasts", str(source), "--user", "vel"]
    )
    assert sent.exit_code == 0, sent.output
    assert "Stored 2 forecasts record(s)" in text(sent.output)
    out = tmp_path / "read.csv"
    read = runner.invoke(
        app, [*db, "data", "read", "manufacturer", "forecasts", "--user", "vel", "-o", str(out)]
    )
    assert read.exit_code == 0, read.output
    assert out.read_text().count("power-module") == 2
    nothing = runner.invoke(
        app, [*db, "data", "read", "manufacturer", "forecasts", "--user", "kin", "--purpose", "x"]
    )
    assert nothing.exit_code == 0 and "(0 rows)" in text(nothing.output)


def test_a_bad_file_names_row_and_column_and_stores_nothing(db: list[str], tmp_path: Path) -> None:
    source = tmp_path / "forecast.csv"
    source.write_text(FORECAST + "power-module,velora-dresden,2026-12-01,week,-4\n")
    sent = runner.invoke(
        app, [*db, "data", "submit", "manufacturer", "forecasts", str(source), "--user", "vel"]
    )
    assert sent.exit_code == 1
    assert "row 4" in text(sent.output) and "quantity" in text(sent.output)
    read = runner.invoke(app, [*db, "data", "read", "manufacturer", "forecasts", "--user", "vel"])
    assert "(0 rows)" in text(read.output)


def test_agreements_import_list_export(db: list[str]) -> None:
    policy = reference_path("odrl", "catenax-example_usage_policy.json")
    imported = runner.invoke(
        app,
        [*db, "agreements", "import", "manufacturer", str(policy), "--user", "vel",
         "--key", "cx-forecast", "--recipient", "role:orchestrator", "--dataset", "forecasts"],
    )  # fmt: skip
    assert imported.exit_code == 0, imported.output
    listed = runner.invoke(app, [*db, "agreements", "list", "manufacturer", "--user", "ana"])
    assert "cx-forecast" in text(listed.output)
    exported = runner.invoke(
        app, [*db, "agreements", "export", "manufacturer", "cx-forecast", "--user", "ana"]
    )
    assert exported.exit_code == 0, exported.output
    odrl = json.loads(exported.output)
    assert odrl["@type"] == "Agreement"


def test_audit_verify_catches_tampering(db: list[str], tmp_path: Path) -> None:
    source = tmp_path / "forecast.csv"
    source.write_text(FORECAST)
    for _ in range(3):
        runner.invoke(
            app, [*db, "data", "submit", "manufacturer", "forecasts", str(source), "--user", "vel"]
        )
    verified = runner.invoke(app, [*db, "audit", "verify"])
    assert verified.exit_code == 0 and "intact (3 entries)" in text(verified.output)
    engine = make_engine(db[1])
    with engine.begin() as conn:
        conn.execute(sql("DROP TRIGGER audit_log_append_only"))
        conn.execute(
            sql(
                "UPDATE audit_log SET row_count = 1"
                " WHERE seq = (SELECT MIN(seq) + 1 FROM audit_log)"
            )
        )
    engine.dispose()
    broken = runner.invoke(app, [*db, "audit", "verify"])
    assert broken.exit_code == 1 and "tampered" in text(broken.output)


def test_exceptions_check(db: list[str], tmp_path: Path) -> None:
    source = tmp_path / "deliveries.csv"
    source.write_text(
        "order_id,line,item,promised_date,promised_quantity,delivered_date,delivered_quantity\n"
        "PO-7,1,power-module,2026-01-05,100,2026-01-09,100\n"
    )
    runner.invoke(
        app, [*db, "data", "submit", "manufacturer", "deliveries", str(source), "--user", "vel"]
    )
    checked = runner.invoke(app, [*db, "exceptions", "check", "manufacturer", "--user", "ana"])
    assert checked.exit_code == 0, checked.output
    assert "PO-7" in text(checked.output) and "velora" in text(checked.output)
