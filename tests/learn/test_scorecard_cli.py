"""``podium scorecards`` on a SQLite file: set a definition from YAML, list and show it, show the
partner scorecards and the segments; a viewer may read but not set; bad formulas are named."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from podium.cli import app
from podium.core.auth import Principal, Role
from podium.core.db import make_engine, session_factory, unit_of_work
from podium.ecosystem import service as eco_service
from podium.integrate import datasets
from podium.integrate import service as data_service
from podium.samples import SAMPLES

runner = CliRunner()
DEFINITION = """\
key: delivery
title: Delivery
criteria:
  - {kpi: otif, weight: 3}
  - {kpi: recovery_time_days, weight: 1, best: 7, worst: 56}
"""


def text(output: str) -> str:
    """The output with Rich's line wrapping undone."""
    return " ".join(output.split())


def _deliveries(url: str) -> None:
    """Velora delivers two Q3 lines of 100 units, one on time: OTIF 0.5."""
    engine = make_engine(url)
    lines = [(date(2026, 7, 10), date(2026, 7, 9)), (date(2026, 8, 10), date(2026, 8, 12))]
    with unit_of_work(session_factory(engine)) as session:
        ecosystem = eco_service.get_ecosystem(session=session, name="manufacturer")
        velora = Principal(
            user_id=99, username="velora-bot", role=Role.PARTNER_USER,
            partner_ecosystem_id=ecosystem.id, partner_actor="velora",
        )  # fmt: skip
        records = [
            datasets.Delivery(
                order_id=f"PO-{i}",
                item="power-module",
                promised_date=promised,
                promised_quantity=100.0,
                delivered_date=delivered,
                delivered_quantity=100.0,
            )
            for i, (promised, delivered) in enumerate(lines)
        ]
        data_service.submit(
            session=session, ecosystem=ecosystem, principal=velora, dataset="deliveries",
            records=records, source="api", request_id="t",
        )  # fmt: skip
    engine.dispose()


@pytest.fixture
def db(tmp_path: Path) -> list[str]:
    """--database of a SQLite file with the manufacturer sample, an analyst, a viewer, and
    Velora's deliveries."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    option = ["--database", url]
    assert runner.invoke(app, [*option, "import", str(SAMPLES["manufacturer"])]).exit_code == 0
    for user, role in (("ana", "analyst"), ("vic", "viewer")):
        args = [*option, "user", "add", user, "--role", role, "--password", "long enough pw"]
        assert runner.invoke(app, args).exit_code == 0
    _deliveries(url)
    return option


def run(db: list[str], *args: str) -> tuple[int, str]:
    result = runner.invoke(app, [*db, "scorecards", *args], terminal_width=240)
    return result.exit_code, text(result.output)


def test_definitions_scorecards_and_segments(db: list[str], tmp_path: Path) -> None:
    """Velora: OTIF 1/2 -> 50 points, the only criterion with a value: total 50.0 (watch)."""
    path = tmp_path / "delivery.yaml"
    path.write_text(DEFINITION)
    code, out = run(db, "definitions", "set", "manufacturer", str(path), "--user", "ana")
    assert code == 0 and "Stored version 1 of 'delivery' (Delivery)." in out, out
    code, out = run(db, "definitions", "list", "manufacturer", "--user", "vic")
    assert code == 0 and "built-in" in out and "otif 75%" in out, out
    code, out = run(db, "definitions", "show", "manufacturer", "delivery", "--user", "vic")
    assert code == 0 and "clip(100 * (value - 56) / (7 - 56), 0, 100)" in out, out
    assert "excellent >= 85, good >= 70, watch >= 50" in out
    args = ["manufacturer", "--period", "2026-Q3", "--definition", "delivery", "--user", "vic"]
    code, out = run(db, "show", *args)
    assert code == 0 and "Velora" in out and "│ 50.0 │ watch │ 75% │" in out, out
    code, out = run(db, "show", *args, "--partner", "velora")
    assert code == 0 and "/api/v1/ecosystems/manufacturer/data/deliveries?start=2026-07-01" in out
    code, out = run(db, "segments", *args)
    assert code == 0 and "Note: no stress test stored" in out
    assert "velora: unknown: no stress-test result; scorecard 50 (watch) -> maintain" in out


def test_refusals(db: list[str], tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        DEFINITION.replace("{kpi: otif, weight: 3}", "{kpi: otif, weight: 3, formula: 'x'}")
    )
    code, out = run(db, "definitions", "set", "manufacturer", str(path), "--user", "ana")
    assert (
        code == 1 and "/criteria/0/formula: names other than 'value' are not allowed ('x')" in out
    )
    code, out = run(db, "definitions", "set", "manufacturer", str(path), "--user", "vic")
    assert code == 1 and "lacks learn:write" in out
    code, out = run(db, "show", "manufacturer", "--period", "2026-Q9", "--user", "vic")
    assert code == 1 and "is not a period" in out
