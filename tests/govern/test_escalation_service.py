"""The escalation service on SQLite and PostgreSQL: routing by the current decision right, raising
from exceptions and risk signals (once), the actions and who may take them, the sweep with a
controllable clock, restart safety of the durable timer, the board, and the audit trail."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from podium.core import audit
from podium.core.auth import Role
from podium.core.db import make_engine, session_factory, unit_of_work, upgrade_database
from podium.core.errors import Conflict, Forbidden, Invalid, NotFound
from podium.ecosystem import models as eco
from podium.ecosystem.service import import_spec
from podium.govern import escalation_service as service
from podium.govern import sweeper
from podium.govern.escalation import aware
from podium.govern.models import Decision, Escalation, EscalationEvent
from podium.integrate.models import DataException, RiskSignal, Submission
from tests.factories import small_spec
from tests.govern.escalation_helpers import partner, seed_rights, staff

T0 = datetime(2026, 3, 12, 9, 0, tzinfo=UTC)
ANA = staff()


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


@pytest.fixture
def ecosystem(session: Session) -> eco.Ecosystem:
    found = import_spec(session=session, spec=small_spec())
    seed_rights(session, found.id)
    return found


def raise_one(session: Session, ecosystem: eco.Ecosystem, **changes: Any) -> Escalation:
    fields: dict[str, Any] = {
        "title": "Castings late",
        "detail": "Two weeks behind.",
        "category": "customer_impact_risk",
        "severity": "medium",
        "customer_impact": False,
        "parties": ["actor:castco"],
        "principal": ANA,
        "request_id": "r1",
        "now": T0,
    }
    fields.update(changes)
    return service.raise_escalation(session=session, ecosystem=ecosystem, **fields)


def kinds(session: Session, item: Escalation) -> list[str]:
    return [e.kind for e in service.events(session=session, item=item)]


def audited(session: Session, item: Escalation) -> list[str]:
    rows = audit.entries(session=session, ecosystem_id=item.ecosystem_id, limit=1000)
    found = [r for r in rows if r.dataset == "govern.escalation" and r.filter["id"] == str(item.id)]
    return [r.filter["transition"] for r in sorted(found, key=lambda r: r.seq)]


# --- raising ------------------------------------------------------------------------------------


def test_an_issue_is_routed_by_the_current_right(
    session: Session, ecosystem: eco.Ecosystem
) -> None:
    item = raise_one(session, ecosystem)
    assert (item.level, item.owner, item.forum_key, item.decision_right_version) == (
        "operational",
        "actor:castco",
        "standup",
        1,
    )
    assert item.status == "open" and item.raised_by == "ana" and item.source == "person"
    assert item.due_at is not None and item.due_at == at(24)
    (raised,) = service.events(session=session, item=item)
    assert (raised.kind, raised.by, raised.to_level) == ("raised", "person:ana", "operational")
    assert "SLA until 2026-03-13 09:00 UTC" in raised.text
    assert audited(session, item) == ["raised"]


def test_customer_impact_starts_at_tactical(session: Session, ecosystem: eco.Ecosystem) -> None:
    item = raise_one(session, ecosystem, customer_impact=True)
    assert (item.level, item.owner, item.due_at) == ("tactical", "person:ana", at(48))
    assert item.parties == ["actor:castco", "person:ana"]


def test_a_strategic_category_climbs_to_the_strategic_forum(
    session: Session, ecosystem: eco.Ecosystem
) -> None:
    """A strategic type starts where its severity and path put it, and reaches the strategic
    forum when the level below does not resolve it within its SLA."""
    item = raise_one(session, ecosystem, category="strategic_investment", severity="low")
    assert (item.level, item.forum_key) == ("tactical", "jbr")
    assert item.due_at is not None
    service.sweep(session=session, now=aware(item.due_at))
    assert (item.level, item.forum_key) == ("strategic", "steering")
    assert service.open_for_forum(session=session, ecosystem=ecosystem, forum_key="steering") == [
        item
    ]


def test_a_category_without_a_right_is_refused_naming_those_with_one(
    session: Session, ecosystem: eco.Ecosystem
) -> None:
    with pytest.raises(Invalid) as refused:
        raise_one(session, ecosystem, category="intellectual_property")
    (error,) = refused.value.errors
    assert error["pointer"] == "/category"
    assert "capacity_allocation, customer_impact_risk, routine_coordination" in error["detail"]


def test_bad_fields_are_named(session: Session, ecosystem: eco.Ecosystem) -> None:
    with pytest.raises(Invalid) as refused:
        raise_one(session, ecosystem, title=" ", severity="huge", parties=["nobody", "actor:ghost"])
    assert [e["pointer"] for e in refused.value.errors] == [
        "/title",
        "/severity",
        "/parties/0",
        "/parties/1",
    ]
    assert session.scalar(select(func.count()).select_from(Escalation)) == 0


def test_a_partner_is_a_party_of_what_it_raises(session: Session, ecosystem: eco.Ecosystem) -> None:
    item = raise_one(session, ecosystem, principal=partner(ecosystem.id, "alloy"), parties=[])
    assert "actor:alloy" in item.parties and item.raised_by == "alloy-user"
    with pytest.raises(Forbidden):
        raise_one(session, ecosystem, principal=partner(ecosystem.id + 1, "alloy"))


def late_exception(session: Session, ecosystem: eco.Ecosystem, severity: str) -> DataException:
    found = DataException(
        ecosystem_id=ecosystem.id,
        rule="late_shipments",
        key=f"castco|po-1|{severity}",
        severity=severity,
        owner="castco",
        subject="order po-1 line 1",
        detail="Order po-1 line 1 is not delivered 15 day(s) after its promised date.",
    )
    session.add(found)
    session.flush()
    return found


def test_an_exception_is_escalated_once(session: Session, ecosystem: eco.Ecosystem) -> None:
    """A critical late shipment is a major service failure; without a right for that, it falls
    back to customer-impact risk, and the customer is affected (tactical)."""
    found = late_exception(session, ecosystem, "critical")
    first = service.raise_from_exception(
        session=session, ecosystem=ecosystem, exception_id=found.id, request_id="r", now=T0
    )
    again = service.raise_from_exception(
        session=session, ecosystem=ecosystem, exception_id=found.id, request_id="r", now=at(5)
    )
    assert again.id == first.id and first.source_key == f"exception:{found.id}"
    assert (first.category, first.severity, first.customer_impact, first.level) == (
        "customer_impact_risk",
        "critical",
        True,
        "tactical",
    )
    assert first.title == "Late shipments: order po-1 line 1" and first.raised_by == "system"
    assert kinds(session, first) == ["raised"]
    with pytest.raises(NotFound):
        service.raise_from_exception(
            session=session, ecosystem=ecosystem, exception_id=found.id + 99, request_id="r"
        )


def test_a_risk_signal_is_escalated_once(session: Session, ecosystem: eco.Ecosystem) -> None:
    submission = Submission(
        ecosystem_id=ecosystem.id, provider="alloy", dataset="risk_signals", source="api",
        request_id="r", request_digest="0" * 64, record_count=1,
    )  # fmt: skip
    session.add(submission)
    session.flush()
    signal = RiskSignal(
        ecosystem_id=ecosystem.id, provider="alloy", submission_id=submission.id,
        record_key="k", subject="cast-plant", category="capacity", severity=4, source="feed",
        observed_at=T0, description="Furnace down.",
    )  # fmt: skip
    session.add(signal)
    session.flush()
    item = service.raise_from_risk_signal(
        session=session, ecosystem=ecosystem, signal_id=signal.id, request_id="r", now=T0
    )
    assert (item.category, item.severity, item.source_key) == (
        "capacity_allocation",
        "high",
        f"risk_signal:{signal.id}",
    )
    assert item.parties[:2] == ["actor:castco", "actor:alloy"]  # the site's actor, the provider
    again = service.raise_from_risk_signal(
        session=session, ecosystem=ecosystem, signal_id=signal.id, request_id="r"
    )
    assert again.id == item.id


def test_a_kpi_breach_is_escalated_once_per_period(
    session: Session, ecosystem: eco.Ecosystem
) -> None:
    fields: dict[str, Any] = {
        "session": session, "ecosystem": ecosystem, "kpi": "otif", "subject": "castco",
        "title": "OTIF below target", "detail": "82% against 95%.", "severity": "high",
        "request_id": "r", "category": "intellectual_property", "parties": ["actor:castco"],
    }  # fmt: skip
    first = service.raise_from_kpi(period="2026-03", **fields)
    assert first.category == "routine_coordination" and first.source == "kpi"
    assert service.raise_from_kpi(period="2026-03", **fields).id == first.id
    assert service.raise_from_kpi(period="2026-04", **fields).id != first.id


# --- actions ------------------------------------------------------------------------------------


def test_the_partner_owner_works_its_escalation(session: Session, ecosystem: eco.Ecosystem) -> None:
    item = raise_one(session, ecosystem, parties=["actor:castco", "actor:alloy"])
    castco, alloy = partner(ecosystem.id, "castco"), partner(ecosystem.id, "alloy")
    who: dict[str, Any] = {
        "session": session,
        "ecosystem": ecosystem,
        "request_id": "r",
        "escalation_id": item.id,
    }
    service.acknowledge(principal=castco, now=at(1), **who)
    service.respond(principal=alloy, text="We can send half.", now=at(2), **who)
    with pytest.raises(Forbidden):
        service.resolve(principal=alloy, resolution="done", **who)
    with pytest.raises(NotFound):
        service.respond(principal=partner(ecosystem.id, "grid"), text="hi", **who)
    with pytest.raises(Forbidden, match="lacks govern:take_part"):
        service.respond(principal=staff(Role.VIEWER, "vic"), text="hi", **who)
    with pytest.raises(Conflict):
        service.acknowledge(principal=castco, **who)
    service.escalate(principal=castco, reason="Need a decision on allocation", now=at(3), **who)
    assert (item.level, item.owner, item.status, item.due_at) == (
        "tactical",
        "person:ana",
        "open",
        at(3 + 48),
    )
    with pytest.raises(Forbidden):  # castco is no longer the owner
        service.resolve(principal=castco, resolution="done", **who)
    service.resolve(principal=ANA, resolution="Split the castings 60/40.", now=at(4), **who)
    assert (item.status, item.closed_at) == ("resolved", at(4))
    with pytest.raises(Invalid) as blank:
        service.reopen(principal=ANA, reason="", **who)
    assert blank.value.errors[0]["pointer"] == "/reason"
    service.reopen(principal=ANA, reason="Still short.", now=at(10), **who)
    assert (item.status, item.closed_at, item.due_at) == ("open", None, at(10 + 48))
    expected = ["raised", "acknowledged", "responded", "escalated", "resolved", "reopened"]
    assert kinds(session, item) == expected
    assert audited(session, item) == expected


def test_resolving_with_a_decision_links_it(session: Session, ecosystem: eco.Ecosystem) -> None:
    item = raise_one(session, ecosystem)
    decision = Decision(ecosystem_id=ecosystem.id, title="Allocate", text="60/40")
    session.add(decision)
    session.flush()
    who: dict[str, Any] = {
        "session": session,
        "ecosystem": ecosystem,
        "principal": ANA,
        "request_id": "r",
    }
    with pytest.raises(Invalid) as refused:
        service.resolve(escalation_id=item.id, resolution="x", decision_id=decision.id + 9, **who)
    assert refused.value.errors[0]["pointer"] == "/decision_id"
    service.resolve(escalation_id=item.id, resolution="60/40", decision_id=decision.id, **who)
    assert item.decision_id == decision.id


def test_the_top_cannot_be_escalated_by_hand(session: Session, ecosystem: eco.Ecosystem) -> None:
    item = raise_one(session, ecosystem, category="strategic_investment")
    service.escalate(
        session=session, ecosystem=ecosystem, principal=ANA, request_id="r",
        escalation_id=item.id, reason="the board must decide",
    )  # fmt: skip
    assert item.level == "strategic"
    with pytest.raises(Conflict, match="top of its path"):
        service.escalate(
            session=session, ecosystem=ecosystem, principal=ANA, request_id="r",
            escalation_id=item.id, reason="higher",
        )  # fmt: skip


# --- reading ------------------------------------------------------------------------------------


def test_partners_see_only_what_involves_them(session: Session, ecosystem: eco.Ecosystem) -> None:
    mine = raise_one(session, ecosystem, parties=["actor:alloy"])
    theirs = raise_one(session, ecosystem, parties=["actor:grid"], customer_impact=True)
    alloy = partner(ecosystem.id, "alloy")
    assert service.list_escalations(session=session, ecosystem=ecosystem, principal=alloy) == [mine]
    everything = service.list_escalations(session=session, ecosystem=ecosystem, principal=ANA)
    assert everything == [theirs, mine]  # tactical before operational
    with pytest.raises(NotFound):
        service.get(session=session, ecosystem=ecosystem, principal=alloy, escalation_id=theirs.id)
    tactical = service.list_escalations(
        session=session, ecosystem=ecosystem, principal=ANA, level="tactical"
    )
    assert tactical == [theirs]
    late = service.list_escalations(
        session=session, ecosystem=ecosystem, principal=ANA, overdue_only=True, now=at(30)
    )
    assert late == [mine]


def test_the_board_counts_by_level_and_age(session: Session, ecosystem: eco.Ecosystem) -> None:
    """Closed form at T0 + 40 h: the operational one (24 h SLA) is overdue; the tactical one
    raised at T0 + 3 h is due at T0 + 51 h, 11/48 = 23% left: at risk; the strategic one raised
    at T0 + 30 h and escalated by hand at once has 62/72 left; the resolved one is not counted."""
    overdue = raise_one(session, ecosystem)
    risky = raise_one(session, ecosystem, customer_impact=True, now=at(3))
    strategic = raise_one(session, ecosystem, category="strategic_investment", now=at(30))
    service.escalate(
        session=session, ecosystem=ecosystem, principal=ANA, request_id="r",
        escalation_id=strategic.id, reason="the board must decide", now=at(30),
    )  # fmt: skip
    done = raise_one(session, ecosystem, now=at(1))
    service.resolve(
        session=session, ecosystem=ecosystem, principal=ANA, request_id="r",
        escalation_id=done.id, resolution="ok",
    )  # fmt: skip
    board = service.board_summary(session=session, ecosystem=ecosystem, principal=ANA, now=at(40))
    assert board.active == 3
    assert board.by_level == {"operational": 1, "tactical": 1, "strategic": 1}
    assert board.by_age == {"under 1 day": 1, "1-3 days": 2, "3-7 days": 0, "over 7 days": 0}
    assert board.at_risk == [risky] and board.overdue == [overdue]


# --- the sweep ----------------------------------------------------------------------------------


def test_the_sweep_escalates_at_the_deadline_not_before(
    session: Session, ecosystem: eco.Ecosystem
) -> None:
    item = raise_one(session, ecosystem)
    assert service.sweep(session=session, now=at(24) - timedelta(microseconds=1)) == []
    assert service.sweep(session=session, now=at(24)) == [item]
    assert (item.level, item.owner, item.forum_key, item.status) == (
        "tactical",
        "person:ana",
        "jbr",
        "open",
    )
    assert item.due_at is not None and aware(item.due_at) == at(72)
    assert service.sweep(session=session, now=at(24)) == []
    (_, moved) = service.events(session=session, item=item)
    assert (moved.kind, moved.by, moved.from_level, moved.to_level) == (
        "escalated",
        "system",
        "operational",
        "tactical",
    )
    assert moved.text.startswith("SLA of 24 h at operational ran out at 2026-03-13 09:00 UTC")
    assert audited(session, item) == ["raised", "escalated"]


def test_at_the_top_the_breach_is_recorded_once(session: Session, ecosystem: eco.Ecosystem) -> None:
    item = raise_one(session, ecosystem, category="routine_coordination")
    assert service.sweep(session=session, now=at(500)) == [item]
    assert (item.level, item.due_at) == ("tactical", None)  # routine: never strategic
    assert service.sweep(session=session, now=at(1000)) == []
    assert kinds(session, item) == ["raised", "escalated", "breached"]
    board = service.board_summary(session=session, ecosystem=ecosystem, principal=ANA, now=at(1))
    assert board.overdue == [item]
    ok = audit.verify(session=session)
    assert ok.ok, ok.reason


# --- the durable timer --------------------------------------------------------------------------


@pytest.fixture
def file_factory(tmp_path: Path) -> Iterator[Any]:
    """Factories over one SQLite file: each call opens a new engine (a new process, as it were)."""
    url = f"sqlite:///{tmp_path / 'timer.db'}"
    upgrade_database(url)
    engines = []

    def make() -> Any:
        engine = make_engine(url)
        engines.append(engine)
        return session_factory(engine)

    yield make
    for engine in engines:
        engine.dispose()


def test_a_restart_sweeps_again_and_escalates_once(file_factory: Any) -> None:
    first = file_factory()
    with unit_of_work(first) as db:
        found = import_spec(session=db, spec=small_spec())
        seed_rights(db, found.id)
        item_id = raise_one(db, found).id
    first.kw["bind"].dispose()  # the process stops before the deadline
    restarted = file_factory()
    assert sweeper.sweep_once(restarted, at(23)) == []
    assert sweeper.sweep_once(restarted, at(25)) == [item_id]
    assert sweeper.sweep_once(file_factory(), at(25)) == []
    with unit_of_work(restarted) as db:
        events = db.scalars(
            select(EscalationEvent.kind).where(EscalationEvent.escalation_id == item_id)
        )
        assert list(events) == ["raised", "escalated"]
        assert audit.verify(session=db).ok


def test_the_background_loop_sweeps_until_cancelled(file_factory: Any) -> None:
    factory = file_factory()
    with unit_of_work(factory) as db:
        found = import_spec(session=db, spec=small_spec())
        seed_rights(db, found.id)
        item_id = raise_one(db, found, category="routine_coordination").id
    times = iter([at(1), at(30), at(100), *([at(1000)] * 1000)])

    async def run() -> None:
        task = asyncio.create_task(sweeper.run_sweeper(factory, 0.01, clock=lambda: next(times)))
        await asyncio.sleep(0.3)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    asyncio.run(run())
    with unit_of_work(factory) as db:
        events = db.scalars(
            select(EscalationEvent.kind).where(EscalationEvent.escalation_id == item_id)
        )
        assert list(events) == ["raised", "escalated", "breached"]
    with pytest.raises(ValueError, match="positive"):
        asyncio.run(sweeper.run_sweeper(factory, 0))
