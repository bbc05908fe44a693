"""``podium govern escalations`` on a SQLite file: raise, list, show, act, reopen, sweep as of a
time, and escalate the open exceptions of incoming data and the partners' current risk signals."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from podium.cli import app
from podium.core.auth import Principal, Role
from podium.core.db import make_engine, session_factory, unit_of_work
from podium.ecosystem.models import Ecosystem
from podium.govern.models import Escalation
from podium.integrate import datasets
from podium.integrate import service as data_service
from podium.integrate.models import DataException, RiskSignal
from podium.samples import SAMPLES
from tests.govern.escalation_helpers import seed_rights

runner = CliRunner()


def text(output: str) -> str:
    return " ".join(output.split())


@pytest.fixture
def db(tmp_path: Path) -> list[str]:
    """--database of a SQLite file with the sample, its rights, an exception and two users."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    option = ["--database", url]
    assert runner.invoke(app, [*option, "import", str(SAMPLES["manufacturer"])]).exit_code == 0
    for user, role in (("ana", "analyst"), ("vic", "viewer")):
        args = [*option, "user", "add", user, "--role", role, "--password", "long enough pw"]
        assert runner.invoke(app, args).exit_code == 0
    engine = make_engine(url)
    with unit_of_work(session_factory(engine)) as session:
        eco_id = session.scalar(select(Ecosystem.id).where(Ecosystem.name == "manufacturer"))
        assert eco_id is not None
        seed_rights(session, eco_id)
        session.add(
            DataException(ecosystem_id=eco_id, rule="capacity_shortfalls", key="k",
                          severity="medium", owner="velora", subject="item x",
                          detail="Short by 12%.")
        )  # fmt: skip
    engine.dispose()
    return option


def run(db: list[str], *args: str) -> str:
    result = runner.invoke(app, [*db, "govern", "escalations", *args])
    assert result.exit_code == 0, result.output
    return text(result.output)


def age(db: list[str], by: timedelta) -> None:
    """Move every escalation's stored times back by ``by``, as if that much time had passed."""
    engine = make_engine(db[1])
    with unit_of_work(session_factory(engine)) as session:
        for item in session.scalars(select(Escalation)):
            item.opened_at -= by
            item.level_started_at -= by
            item.due_at = None if item.due_at is None else item.due_at - by
    engine.dispose()


def test_raise_work_and_sweep(db: list[str]) -> None:
    raised = run(db, "raise", "manufacturer", "Castings", "--user", "ana",
                 "--category", "routine_coordination", "--party", "actor:velora")  # fmt: skip
    assert "Raised escalation 1 at operational: owner actor:castco, forum standup" in raised
    assert "Escalations of manufacturer (1)" in run(db, "list", "manufacturer", "--user", "vic")
    run(db, "acknowledge", "manufacturer", "1", "--user", "ana")
    ahead = runner.invoke(app, [*db, "govern", "escalations", "sweep", "--at", "2100-01-01"])
    assert ahead.exit_code == 2 and "cannot run ahead of the clock" in text(ahead.output)
    age(db, timedelta(days=30))
    assert "1 moved" in run(db, "sweep")
    assert "0 moved" in run(db, "sweep")
    shown = run(db, "show", "manufacturer", "1", "--user", "vic")
    assert "Castings: routine_coordination, medium" in shown
    assert "breached" in shown and "escalated" in shown
    resolved = run(db, "resolve", "manufacturer", "1", "--user", "ana", "--resolution", "Done")
    assert "is resolved at tactical" in resolved
    refused = runner.invoke(
        app, [*db, "govern", "escalations", "escalate", "manufacturer", "1", "--user", "vic",
              "--reason", "x"],
    )  # fmt: skip
    assert refused.exit_code == 1 and "lacks govern:take_part" in text(refused.output)


def test_from_exceptions_escalates_each_once(db: list[str]) -> None:
    first = run(db, "from-exceptions", "manufacturer", "--user", "ana")
    assert "1 open exception(s) escalated" in first
    run(db, "from-exceptions", "manufacturer", "--user", "ana")
    assert "Escalations of manufacturer (1)" in run(db, "list", "manufacturer", "--user", "ana")
    shown = run(db, "show", "manufacturer", "1", "--user", "ana")
    assert "Capacity shortfalls: item x: capacity_allocation, medium" in shown


def test_reopen_a_resolved_escalation(db: list[str]) -> None:
    run(db, "raise", "manufacturer", "Castings", "--user", "ana",
        "--category", "routine_coordination")  # fmt: skip
    early = runner.invoke(app, [*db, "govern", "escalations", "reopen", "manufacturer", "1",
                                "--user", "ana", "--reason", "x"])  # fmt: skip
    assert early.exit_code == 1 and "cannot reopen an escalation that is open" in text(early.output)
    run(db, "resolve", "manufacturer", "1", "--user", "ana", "--resolution", "Done")
    reopened = run(db, "reopen", "manufacturer", "1", "--user", "ana", "--reason", "Still short")
    assert "Escalation 1 is open at operational" in reopened
    shown = run(db, "show", "manufacturer", "1", "--user", "vic")
    assert "reopened" in shown and "Still short" in shown
    refused = runner.invoke(app, [*db, "govern", "escalations", "reopen", "manufacturer", "1",
                                  "--user", "ana"])  # fmt: skip
    assert refused.exit_code == 2 and "--reason" in refused.output
    helped = runner.invoke(app, ["govern", "escalations", "reopen", "--help"])
    assert "Example:" in helped.output


def submit_signals(db: list[str], *signals: dict[str, object]) -> None:
    """Store risk signals as velora's partner admin submits them (same key: supersedes)."""
    engine = make_engine(db[1])
    with unit_of_work(session_factory(engine)) as session:
        found = session.scalar(select(Ecosystem).where(Ecosystem.name == "manufacturer"))
        assert found is not None
        velora = Principal(user_id=99, username="velora-admin", role=Role.PARTNER_ADMIN,
                           partner_ecosystem_id=found.id, partner_actor="velora")  # fmt: skip
        data_service.submit(
            session=session,
            ecosystem=found,
            principal=velora,
            dataset="risk_signals",
            records=datasets.validate_records("risk_signals", list(signals)),
            source="api",
            request_id="t",
        )
    engine.dispose()


SIGNAL = {"subject": "velora-dresden", "category": "capacity", "severity": 3, "source": "feed",
          "observed_at": "2026-03-02T08:00:00Z", "description": "Furnace down."}  # fmt: skip


def test_from_risk_signals_escalates_each_current_one_once(db: list[str]) -> None:
    submit_signals(db, SIGNAL, {**SIGNAL, "subject": "kinsei", "category": "financial"})
    submit_signals(db, {**SIGNAL, "severity": 4})  # supersedes the first: one current row
    engine = make_engine(db[1])
    with unit_of_work(session_factory(engine)) as session:
        assert len(session.scalars(select(RiskSignal)).all()) == 3
    engine.dispose()
    denied = runner.invoke(app, [*db, "govern", "escalations", "from-risk-signals",
                                 "manufacturer", "--user", "vic"])  # fmt: skip
    assert denied.exit_code == 1 and "lacks govern:write" in text(denied.output)
    first = run(db, "from-risk-signals", "manufacturer", "--user", "ana")
    assert "2 current risk signal(s) escalated" in first
    again = run(db, "from-risk-signals", "manufacturer", "--user", "ana")
    assert "2 current risk signal(s) escalated" in again
    assert "Escalations of manufacturer (2)" in run(db, "list", "manufacturer", "--user", "ana")
    shown = run(db, "show", "manufacturer", "1", "--user", "ana")
    assert "Financial risk: kinsei: customer_impact_risk, medium" in shown
    shown = run(db, "show", "manufacturer", "2", "--user", "ana")
    assert "Capacity risk: velora-dresden: capacity_allocation, high" in shown  # not the stale 3
    assert "Furnace down." in shown
