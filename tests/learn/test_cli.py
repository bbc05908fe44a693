"""``podium kpis`` on a SQLite file: show KPIs, set and check targets, record initiatives and
reviews; a viewer may read but not write, a partner user sees its own numbers."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from podium.cli import app
from podium.core.auth import Role, add_user
from podium.core.db import make_engine, session_factory, unit_of_work, upgrade_database
from podium.ecosystem.service import import_spec
from tests.factories import small_spec
from tests.govern.escalation_helpers import partner
from tests.learn.test_service import line, submit

runner = CliRunner()
REVIEW = """\
kind: period
period: 2026-Q3
title: Q3 review
entries:
  - kind: value_created
    text: The housing redesign paid off.
    partners: [castco]
    links: [{kind: kpi, id: otif}]
"""


def text(output: str) -> str:
    """The output with Rich's line wrapping and table rules undone."""
    return " ".join(output.replace("\u2502", " ").replace("\u2503", " ").split())


@pytest.fixture
def db(tmp_path: Path) -> list[str]:
    """--database of a SQLite file with small_spec, castco's three Q3 order lines (OTIF 1/3),
    an analyst (ana), a viewer (vic) and a castco partner user (cas)."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    upgrade_database(url)
    engine = make_engine(url)
    with unit_of_work(session_factory(engine)) as session:
        found = import_spec(session=session, spec=small_spec())
        lines = [
            line("PO-1", date(2026, 7, 7), date(2026, 7, 6), 100.0),
            line("PO-2", date(2026, 7, 8), date(2026, 7, 10), 100.0),
            line("PO-3", date(2026, 7, 9), date(2026, 7, 9), 60.0),
        ]
        submit(
            session,
            found,
            partner(found.id, "castco"),
            "deliveries",
            lines,
            datetime(2026, 7, 11, tzinfo=UTC),
        )
        for name, role in (("ana", Role.ANALYST), ("vic", Role.VIEWER)):
            add_user(session=session, username=name, password="long enough pw", role=role)
        add_user(
            session=session,
            username="cas",
            password="long enough pw",
            role=Role.PARTNER_USER,
            partner_ecosystem_id=found.id,
            partner_actor="castco",
        )
    engine.dispose()
    return ["--database", url]


def run(db: list[str], *args: str) -> tuple[int, str]:
    result = runner.invoke(app, [*db, "kpis", *args], terminal_width=200)
    return result.exit_code, text(result.output)


def test_show_targets_and_check(db: list[str]) -> None:
    """OTIF of castco: 1 of 3 lines on time in full (33.3%); the breach threshold 0.85 is passed
    by more than the target-to-threshold gap (0.1), so the breach is critical."""
    code, out = run(
        db,
        "show",
        "small",
        "--period",
        "2026-Q3",
        "--by",
        "provider",
        "--keys",
        "otif,in_full",
        "--user",
        "vic",
    )
    assert code == 0, out
    assert "On time in full castco 33.3% share 3" in out and "In full castco 66.7%" in out
    set_args = [
        "targets",
        "set",
        "small",
        "otif",
        "--target",
        "0.95",
        "--breach",
        "0.85",
        "--scope",
        "castco",
    ]
    code, out = run(db, *set_args, "--user", "vic")
    assert code == 1 and "lacks learn:write" in out
    code, out = run(db, *set_args, "--user", "ana")
    assert code == 0 and "Target of otif for castco: 0.95" in out
    code, out = run(
        db,
        "targets",
        "set",
        "small",
        "otif",
        "--target",
        "0.9",
        "--breach",
        "0.95",
        "--user",
        "ana",
    )
    assert code == 1 and "/breach" in out
    code, out = run(db, "targets", "list", "small", "--user", "cas")
    assert code == 0 and "otif castco 95.0%" in out
    for _ in range(2):
        code, out = run(db, "check", "small", "--period", "2026-Q3", "--user", "ana")
        assert code == 0 and "breach (critical)" in out and "1 breach(es) raised" in out
    code, out = run(db, "check", "small", "--period", "2026-Q5", "--user", "ana")
    assert code == 1 and "is not a period" in out


def test_a_partner_sees_its_own_numbers(db: list[str]) -> None:
    code, out = run(
        db,
        "show",
        "small",
        "--period",
        "2026-Q3",
        "--by",
        "provider",
        "--keys",
        "otif",
        "--user",
        "cas",
    )
    assert code == 0 and "castco 33.3%" in out
    code, out = run(db, "show", "small", "--period", "2026-Q3", "--keys", "speed", "--user", "cas")
    assert code == 1 and "/keys" in out and "unknown KPI(s) speed" in out


def test_initiatives_and_reviews(db: list[str], tmp_path: Path) -> None:
    code, out = run(
        db,
        "initiatives",
        "add",
        "small",
        "light",
        "--title",
        "Lighter housing",
        "--partner",
        "castco",
        "--partner",
        "ghost",
        "--started-on",
        "2026-01-10",
        "--user",
        "ana",
    )
    assert code == 1 and "/partners/1: no actor 'ghost'" in out
    code, out = run(
        db,
        "initiatives",
        "add",
        "small",
        "light",
        "--title",
        "Lighter housing",
        "--partner",
        "castco",
        "--started-on",
        "2026-01-10",
        "--user",
        "ana",
    )
    assert code == 0, out
    code, out = run(
        db,
        "initiatives",
        "launch",
        "small",
        "light",
        "--on",
        "2026-08-01",
        "--value-created",
        "500000",
        "--user",
        "ana",
    )
    assert code == 0 and "203 days after its start" in out
    code, out = run(db, "initiatives", "list", "small", "--user", "vic")
    assert code == 0 and "light Lighter housing castco 2026-01-10 2026-08-01 500,000 EUR" in out
    path = tmp_path / "review.yaml"
    path.write_text(REVIEW.replace("id: otif", "id: speed"))
    code, out = run(db, "reviews", "add", "small", str(path), "--user", "ana")
    assert code == 1 and "/entries/0/links/0/id: no kpi 'speed'" in out
    path.write_text(REVIEW)
    code, out = run(db, "reviews", "add", "small", str(path), "--user", "ana")
    assert code == 0 and "Recorded review #1 with 1 entries" in out
    code, out = run(db, "reviews", "list", "small", "--period", "2026-Q3", "--user", "cas")
    assert code == 0 and "The housing redesign paid off." in out and "kpi:otif" in out
