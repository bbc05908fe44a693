"""The governance board (/govern) over the demo's governance, and the sweeper the app runs.

The board is seeded the way ``podium demo`` seeds it (integrate's exchanged data, then
governance), on SQLite and PostgreSQL; each role sees its part of it.
"""

from __future__ import annotations

import time as clock
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

import podium
from podium.app import create_app
from podium.cli import _demo_partner
from podium.core.auth import Role, add_user, principal_of
from podium.core.settings import Settings
from podium.ecosystem.service import import_spec
from podium.govern import demo as govern_demo
from podium.govern.models import Escalation, EscalationEvent
from podium.integrate import demo as integrate_demo
from podium.samples import sample_path

PASSWORD = "correct horse battery"
BOARD = "/govern?ecosystem=manufacturer"
PARTNER_TITLE = "Forecast for next quarter exceeds our committed capacity"


@pytest.fixture
def app(client: TestClient) -> TestClient:
    """The client over the manufacturer sample with the demo's data exchange and governance."""
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with factory() as db:
        eco = import_spec(session=db, spec=podium.load(sample_path("manufacturer")))
        users = {
            role: add_user(session=db, username=role.value, password=PASSWORD, role=role)
            for role in (Role.ADMIN, Role.ANALYST, Role.VIEWER)
        }
        partner = add_user(
            session=db,
            username="partner",
            password=PASSWORD,
            role=Role.PARTNER_ADMIN,
            partner_ecosystem_id=eco.id,
            partner_actor=_demo_partner(db, eco.id),
        )
        for seed in (integrate_demo.seed, govern_demo.seed):
            seed(
                session=db,
                ecosystem=eco,
                orchestrator=principal_of(users[Role.ADMIN]),
                partner=principal_of(partner),
                today=date.today(),
            )
        db.commit()
    return client


def login(client: TestClient, username: str) -> None:
    client.cookies.clear()
    response = client.post(
        "/login", data={"username": username, "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 303


def test_the_orchestrator_sees_the_whole_board(app: TestClient) -> None:
    login(app, "analyst")
    page = app.get(BOARD)
    assert page.status_code == 200
    text = page.text
    for section in ("board-escalations", "board-forums", "board-disputes", "board-platforms"):
        assert f'id="{section}"' in text
    assert "Late shipments" in text and PARTNER_TITLE in text
    assert "Steering committee" in text
    assert "Penalty for a late delivery" in text
    assert "expired" in text and "expiring" in text
    assert 'data-platform="nimbus"' in text
    assert "/govern/rights" in text and "/platforms" in text


def test_a_viewer_reads_the_board(app: TestClient) -> None:
    login(app, "viewer")
    page = app.get(BOARD)
    assert page.status_code == 200 and PARTNER_TITLE in page.text


def test_a_partner_sees_only_its_part(app: TestClient) -> None:
    login(app, "partner")
    text = app.get(BOARD).text
    assert PARTNER_TITLE in text
    assert "Penalty for a late delivery" in text
    assert 'id="board-platforms"' not in text
    assert "/govern/rights" not in text


def test_the_app_sweeps_overdue_escalations_while_it_serves(
    settings: Settings, app: TestClient
) -> None:
    """An escalation whose deadline passed is escalated by the app's own sweeper, without any
    request: the deadline is stored, so a server started later catches up at once."""
    factory = app.app.state.session_factory  # type: ignore[attr-defined]
    with factory() as db:
        item = db.scalars(select(Escalation).where(Escalation.title == PARTNER_TITLE)).one()
        db.execute(
            update(Escalation)
            .where(Escalation.id == item.id)
            .values(due_at=datetime.now(UTC) - timedelta(minutes=1))
        )
        db.commit()
        before = item.level
    fast = create_app(settings.model_copy(update={"escalation_sweep_s": 0.05}))
    try:
        with TestClient(fast):
            moved = _wait_for_escalation(fast.state.session_factory, item.id, before)
    finally:
        fast.state.engine.dispose()
    assert moved.level != before
    with factory() as db:
        kinds = db.scalars(
            select(EscalationEvent.kind).where(EscalationEvent.escalation_id == item.id)
        ).all()
    assert "escalated" in kinds


def _wait_for_escalation(factory: object, escalation_id: int, level: str) -> Escalation:
    deadline = clock.monotonic() + 10
    while True:
        with factory() as db:  # type: ignore[operator]
            found: Escalation = db.get(Escalation, escalation_id)
        if found.level != level or clock.monotonic() > deadline:
            return found
        clock.sleep(0.05)
