"""The governance scenario end to end, on SQLite and PostgreSQL, with a clock the tests control:
a partner submits a delivery promised in the past and not delivered; the exception check raises
a late-shipment exception; it is escalated, routed by the decision rights; the sweep moves it on
exactly at its SLA deadline (not a second before); it reaches the steering committee's next
agenda; the minutes record a decision linked to it, which resolves it; the audit log holds every
transition and its hash chain is intact.

Two routings are covered. With the catalogue's defaults (:func:`forum_service.init_defaults`) a
late shipment is a customer-impact risk, a *strategic* decision type: it starts at the tactical
level (customers are affected), the steering committee follows it from the start, and it climbs
there when the tactical SLA runs out. In the other, an ecosystem adopts no customer-impact right
yet (late shipments then fall back to routine coordination) and saves a routine-coordination
right whose path climbs from the stand-up through the supplier risk review to the steering
committee.

The sweeper keeps no state: a "restarted" process (a new engine and session factory over the
same database) sweeps what ran out meanwhile, and each overdue escalation moves exactly once.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from podium.core import audit
from podium.core.auth import Principal, Role
from podium.core.db import make_engine, session_factory, unit_of_work, utcnow
from podium.ecosystem import models as eco
from podium.ecosystem.service import import_spec
from podium.govern import escalation_service as es
from podium.govern import forum_service as fs
from podium.govern import sweeper
from podium.govern.cadence import FORUM_KINDS, ForumSpec, Member
from podium.govern.escalation import aware
from podium.govern.models import Decision, Escalation, EscalationEvent
from podium.govern.rights import DecisionRightSpec, PathStep
from podium.integrate import datasets, exception_service, service
from podium.integrate.models import DataException
from tests.conftest import TokenFor, wipe
from tests.factories import small_spec

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # a Monday; the steering committee meets on Fridays
FIRST_FRIDAY = datetime(2026, 3, 6, 9, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)
ANA = Principal(user_id=1, username="ana", role=Role.ANALYST)
STEERING = "steering-committee"
CLIMB = [
    PathStep(level="operational", owner="actor:castco", forum="operational-standup", sla_hours=4),
    PathStep(level="tactical", owner="person:ana", forum="supplier-risk-review", sla_hours=24),
    PathStep(level="strategic", owner="actor:oem", forum=STEERING, sla_hours=72),
]
"""The path the orchestrator gives routine coordination: up to the steering committee."""


def at(hours: float) -> datetime:
    """The clock ``hours`` after T0."""
    return T0 + timedelta(hours=hours)


def rid() -> str:
    return uuid.uuid4().hex


def castco(ecosystem: eco.Ecosystem) -> Principal:
    """CastCo's partner admin (castco supplies housings to the OEM plant)."""
    return Principal(
        user_id=2,
        username="castco-admin",
        role=Role.PARTNER_ADMIN,
        partner_ecosystem_id=ecosystem.id,
        partner_actor="castco",
    )


# --- set-up -------------------------------------------------------------------------------------


def climbing_governance(session: Session, ecosystem: eco.Ecosystem, now: datetime = T0) -> None:
    """Three forums of the catalogue's kinds and a routine-coordination right that climbs to the
    steering committee (no customer-impact right: late shipments fall back to this one)."""
    for kind in ("operational_standup", "supplier_risk_review", "steering_committee"):
        template = FORUM_KINDS[kind]
        spec = ForumSpec(
            key=kind.replace("_", "-"),
            name=template.title,
            kind=kind,
            rrule=template.rrule,
            starts_at=datetime.combine(now.date(), time(9, 0)),
            duration_minutes=template.duration_minutes,
            members=[Member(party="person:ana", role="chair"), Member(party="actor:oem")],
        )
        fs.create_forum(
            session=session, ecosystem=ecosystem, principal=ANA, request_id=rid(), spec=spec
        )
    right = DecisionRightSpec(
        decision_type="routine_coordination",
        title="Routine coordination",
        raci={"person:ana": "R", "actor:oem": "A", "actor:castco": "I"},
        path=CLIMB,
    )
    fs.save_right(
        session=session, ecosystem=ecosystem, principal=ANA, request_id=rid(), spec=right, now=now
    )


def late_delivery(promised: date) -> dict[str, Any]:
    """An order line of 500 housings promised for ``promised`` and not delivered."""
    return {
        "order_id": "PO-7001",
        "line": 1,
        "item": "housing",
        "ship_to": "oem-plant",
        "promised_date": promised.isoformat(),
        "promised_quantity": 500,
    }


def late_shipment(session: Session, ecosystem: eco.Ecosystem, now: datetime) -> DataException:
    """CastCo submits its deliveries, one 8 days overdue; the check raises its exception."""
    on_time = {**late_delivery(now.date()), "order_id": "PO-7000", "delivered_date": now.date()}
    rows = [late_delivery(now.date() - timedelta(days=8)), {**on_time, "delivered_quantity": 500}]
    service.submit(
        session=session,
        ecosystem=ecosystem,
        principal=castco(ecosystem),
        dataset="deliveries",
        records=datasets.validate_records("deliveries", rows),
        source="api",
        request_id=rid(),
    )
    assert exception_service.check(session=session, ecosystem=ecosystem, now=now) >= 1
    (found,) = [
        x
        for x in exception_service.listing(session=session, ecosystem=ecosystem)
        if x.rule == "late_shipments"
    ]
    assert (found.subject, found.owner, found.severity) == (
        "order PO-7001 line 1",
        "castco",
        "high",
    )
    return found


def raise_late_shipment(
    session: Session, ecosystem: eco.Ecosystem, now: datetime = T0
) -> tuple[DataException, Escalation]:
    found = late_shipment(session, ecosystem, now)
    item = es.raise_from_exception(
        session=session,
        ecosystem=ecosystem,
        exception_id=found.id,
        request_id=rid(),
        principal=ANA,
        now=now,
    )
    assert (item.source, item.source_key) == ("exception", f"exception:{found.id}")
    assert item.severity == "high" and item.customer_impact and item.status == "open"
    assert "actor:castco" in item.parties
    return found, item


# --- reading back -------------------------------------------------------------------------------


def kinds(session: Session, item: Escalation) -> list[str]:
    return [e.kind for e in es.events(session=session, item=item)]


def trail_of(session: Session, ecosystem: eco.Ecosystem, kind: str) -> list[dict[str, Any]]:
    """The audit filters of ``govern.<kind>`` transitions of an ecosystem, oldest first."""
    found = audit.entries(session=session, ecosystem_id=ecosystem.id, limit=10_000)
    return [dict(e.filter) for e in reversed(found) if e.dataset == f"govern.{kind}"]


def transitions(session: Session, ecosystem: eco.Ecosystem, item: Escalation) -> list[str]:
    return [
        str(f["transition"])
        for f in trail_of(session, ecosystem, "escalation")
        if f["id"] == str(item.id)
    ]


def agenda_refs(session: Session, ecosystem: eco.Ecosystem, forum: str, now: datetime) -> set[str]:
    found = fs.agenda(session=session, ecosystem=ecosystem, forum_key=forum, now=now)
    return {i.candidate.ref for i in found.items if i.candidate.kind == "escalation"}


def decide_at_the_steering_committee(
    session: Session, ecosystem: eco.Ecosystem, item: Escalation, now: datetime
) -> Decision:
    """Put the escalation on the steering committee's next agenda, prepare that meeting, record
    minutes with a decision linked to it; check it is resolved by that decision."""
    upcoming = fs.agenda(session=session, ecosystem=ecosystem, forum_key=STEERING, now=now)
    assert upcoming.occurrence == FIRST_FRIDAY
    (entry,) = [i for i in upcoming.items if i.candidate.ref == str(item.id)]
    assert entry.candidate.kind == "escalation" and entry.candidate.level == "strategic"
    meeting = fs.prepare_meeting(
        session=session, ecosystem=ecosystem, principal=ANA, request_id=rid(), forum_key=STEERING,
        now=now,
    )  # fmt: skip
    assert aware(meeting.scheduled_for) == FIRST_FRIDAY
    assert [(i["kind"], i["ref"]) for i in meeting.agenda] == [("escalation", str(item.id))]
    held = FIRST_FRIDAY + timedelta(hours=2)
    fs.record_minutes(
        session=session, ecosystem=ecosystem, principal=ANA, request_id=rid(), forum_key=STEERING,
        meeting_id=meeting.id, attendees=["person:ana", "actor:oem"],
        minutes="CastCo's overdue housings: expedite by air, second source qualified.",
        decisions=[{
            "title": "Expedite PO-7001", "text": "Air freight at the OEM's cost.",
            "decision_type": "customer_impact_risk",
            "links": [{"kind": "escalation", "id": str(item.id)}],
        }],
        now=held,
    )  # fmt: skip
    (decision,) = session.scalars(select(Decision).where(Decision.meeting_id == meeting.id))
    session.refresh(item)
    assert (item.status, item.decision_id) == ("resolved", decision.id)
    assert item.closed_at is not None and aware(item.closed_at) == held
    assert item.resolution == "Expedite PO-7001: Air freight at the OEM's cost."
    assert decision.links == [{"kind": "escalation", "id": str(item.id)}]
    assert str(item.id) not in agenda_refs(session, ecosystem, STEERING, held)
    return decision


def check_audit(session: Session, ecosystem: eco.Ecosystem, item: Escalation, middle: str) -> None:
    """Every transition of the escalation, the meeting and the decision is audited, chained."""
    assert transitions(session, ecosystem, item) == ["raised", middle, "resolved"]
    escalation_trail = [
        f for f in trail_of(session, ecosystem, "escalation") if f["id"] == str(item.id)
    ]
    assert escalation_trail[-1]["status"] == "resolved"
    assert [f["transition"] for f in trail_of(session, ecosystem, "meeting")] == [
        "prepared",
        "minutes_recorded",
    ]
    (decision,) = trail_of(session, ecosystem, "decision")
    assert decision["links"] == [{"kind": "escalation", "id": str(item.id)}]
    writes = audit.entries(session=session, ecosystem_id=ecosystem.id, limit=10_000)
    assert any(e.dataset == "deliveries" and e.partner_actor == "castco" for e in writes)
    checked = audit.verify(session=session)
    assert checked.ok, checked.reason
    assert checked.checked >= len(writes)


# --- the scenario on the services ---------------------------------------------------------------


@pytest.fixture
def ecosystem(session: Session) -> eco.Ecosystem:
    return import_spec(session=session, spec=small_spec())


def test_late_shipment_climbs_to_the_steering_committee_and_is_decided_there(
    session: Session, ecosystem: eco.Ecosystem
) -> None:
    """Customer impact (8 days late: high) starts at tactical, at the supplier risk review, with
    24 h; the sweep leaves it one second before, escalates it at the deadline to the steering
    committee, where its 72 h clock starts at the deadline that ran out."""
    climbing_governance(session, ecosystem)
    _, item = raise_late_shipment(session, ecosystem)
    assert (item.category, item.decision_right_version) == ("routine_coordination", 1)
    assert (item.level, item.forum_key, item.owner) == (
        "tactical",
        "supplier-risk-review",
        "person:ana",
    )
    assert aware(item.due_at or T0) == at(24)
    assert str(item.id) in agenda_refs(session, ecosystem, "supplier-risk-review", at(1))
    assert str(item.id) not in agenda_refs(session, ecosystem, STEERING, at(1))

    assert es.sweep(session=session, now=at(24) - SECOND) == []
    assert (item.level, kinds(session, item)) == ("tactical", ["raised"])

    assert es.sweep(session=session, now=at(24)) == [item]
    assert (item.level, item.forum_key, item.owner) == ("strategic", STEERING, "actor:oem")
    assert item.status == "open" and aware(item.level_started_at) == at(24)
    assert aware(item.due_at or T0) == at(24 + 72)
    escalated = es.events(session=session, item=item)[-1]
    assert (escalated.kind, escalated.by) == ("escalated", "system")
    assert (escalated.from_level, escalated.to_level) == ("tactical", "strategic")
    assert escalated.text == (
        "SLA of 24 h at tactical ran out at 2026-03-03 10:00 UTC; "
        "escalated to strategic (owner actor:oem, forum steering-committee)"
    )
    assert "actor:oem" in item.parties

    # further sweeps before the steering committee's deadline leave it there
    assert es.sweep(session=session, now=at(25)) == []
    assert es.sweep(session=session, now=at(24 + 72) - SECOND) == []
    assert kinds(session, item) == ["raised", "escalated"]
    assert str(item.id) not in agenda_refs(session, ecosystem, "supplier-risk-review", at(25))

    decide_at_the_steering_committee(session, ecosystem, item, at(25))
    assert es.sweep(session=session, now=at(24 + 72 + 1)) == []  # resolved: the clock stopped
    assert kinds(session, item) == ["raised", "escalated", "resolved"]
    check_audit(session, ecosystem, item, "escalated")


def test_with_the_default_rights_a_late_shipment_climbs_to_the_steering_committee(
    session: Session, ecosystem: eco.Ecosystem
) -> None:
    """The catalogue routes a late shipment to customer-impact risk, a strategic type whose path
    ends at the steering committee. Customers are affected, so it starts at the tactical level
    (the supplier risk review, 24 h); the steering committee follows it on its agenda from the
    start; at the deadline, and not a second before, the sweep escalates it there (72 h)."""
    fs.init_defaults(session=session, ecosystem=ecosystem, principal=ANA, request_id=rid(), now=T0)
    _, item = raise_late_shipment(session, ecosystem)
    assert item.category == "customer_impact_risk"
    assert (item.level, item.forum_key) == ("tactical", "supplier-risk-review")
    assert aware(item.due_at or T0) == at(24)
    followed = fs.agenda(session=session, ecosystem=ecosystem, forum_key=STEERING, now=at(1))
    ((entry,),) = [[i for i in followed.items if i.candidate.ref == str(item.id)]]
    assert not entry.candidate.routed and "followed here" in entry.reason

    assert es.sweep(session=session, now=at(24) - SECOND) == []
    assert es.sweep(session=session, now=at(24)) == [item]
    assert (item.level, item.forum_key, item.owner) == ("strategic", STEERING, "actor:oem")
    assert aware(item.due_at or T0) == at(24 + 72)
    escalated = es.events(session=session, item=item)[-1]
    assert (escalated.kind, escalated.by) == ("escalated", "system")
    assert escalated.text.startswith("SLA of 24 h at tactical ran out at 2026-03-03 10:00 UTC")

    decide_at_the_steering_committee(session, ecosystem, item, at(25))
    check_audit(session, ecosystem, item, "escalated")


def test_escalating_the_same_exception_again_returns_the_first_escalation(
    session: Session, ecosystem: eco.Ecosystem
) -> None:
    climbing_governance(session, ecosystem)
    found, item = raise_late_shipment(session, ecosystem)
    assert exception_service.check(session=session, ecosystem=ecosystem, now=at(30)) == 0
    again = es.raise_from_exception(
        session=session, ecosystem=ecosystem, exception_id=found.id, request_id=rid(), now=at(30)
    )
    assert again.id == item.id and kinds(session, item) == ["raised"]


# --- restart safety -----------------------------------------------------------------------------


@dataclass
class Process:
    """One run of the application: its own engine and session factory over the database."""

    engine: Engine
    factory: sessionmaker[Session]


@pytest.fixture
def processes(engine: Engine, database_url: str) -> Iterator[list[Process]]:
    """Start "processes" over the test database (committed work); stop them, empty it after."""
    started: list[Process] = []
    yield started
    for process in started:
        process.engine.dispose()
    wipe(engine)


def start(processes: list[Process], database_url: str) -> Process:
    made = make_engine(database_url)
    process = Process(made, session_factory(made))
    processes.append(process)
    return process


def test_after_a_restart_the_sweeper_moves_each_overdue_escalation_once(
    processes: list[Process], database_url: str
) -> None:
    """A first process raises two escalations and stops; while it is down both deadlines pass.
    A restarted process sweeps once and moves each one level; sweeping again, in a process that
    read the deadlines just before (as if sweeping at the same time), or in yet another process
    moves nothing; each has exactly one escalated event and audit entry."""
    first = start(processes, database_url)
    with unit_of_work(first.factory) as session:
        ecosystem = import_spec(session=session, spec=small_spec("restart"))
        climbing_governance(session, ecosystem)
        _, late = raise_late_shipment(session, ecosystem)  # tactical, due at T0 + 24 h
        small = es.raise_escalation(
            session=session, ecosystem=ecosystem, principal=ANA, request_id=rid(),
            title="Labels missing on pallets", detail="", category="routine_coordination",
            severity="low", customer_impact=False, parties=["actor:castco"], now=T0,
        )  # fmt: skip
        assert small.level == "operational" and aware(small.due_at or T0) == at(4)
        ids, eco_id = {late.id, small.id}, ecosystem.id
    first.engine.dispose()  # the process stops

    # a second sweeper read both escalations just before the restarted one moved them
    slow = start(processes, database_url)
    with unit_of_work(slow.factory) as stale:
        read = stale.scalars(select(Escalation).where(Escalation.id.in_(ids))).all()
        assert {e.level for e in read} == {"operational", "tactical"}
        restarted = start(processes, database_url)
        assert sweeper.sweep_once(restarted.factory, now=at(4) - SECOND) == []
        assert set(sweeper.sweep_once(restarted.factory, now=at(24))) == ids
        assert sweeper.sweep_once(restarted.factory, now=at(24)) == []
        # its clock is later (30 h: the low one's tactical deadline, 28 h, passed too), but what
        # it read is stale: it must not move the low one again from the level it read
        assert es.sweep(session=stale, now=at(30), request_id="slow") == []
    restarted.engine.dispose()

    again = start(processes, database_url)
    assert sweeper.sweep_once(again.factory, now=at(25)) == []
    with again.factory() as session:
        rows = {e.id: e for e in session.scalars(select(Escalation).where(Escalation.id.in_(ids)))}
        assert (rows[late.id].level, rows[late.id].forum_key) == ("strategic", STEERING)
        assert aware(rows[late.id].due_at or T0) == at(24 + 72)
        # the low one climbed once, its tactical clock started at the deadline that ran out
        # (the slow sweeper backed off: the next pass after 28 h moves it)
        assert (rows[small.id].level, rows[small.id].owner) == ("tactical", "person:ana")
        assert aware(rows[small.id].due_at or T0) == at(4 + 24)
        for escalation_id in ids:
            found = session.scalars(
                select(EscalationEvent.kind)
                .where(EscalationEvent.escalation_id == escalation_id)
                .order_by(EscalationEvent.id)
            )
            assert list(found) == ["raised", "escalated"], escalation_id
        ecosystem = session.get_one(eco.Ecosystem, eco_id)
        for escalation_id in ids:
            assert transitions(session, ecosystem, rows[escalation_id]) == ["raised", "escalated"]
        verified = audit.verify(session=session)
        assert verified.ok, verified.reason


# --- the scenario over HTTP ---------------------------------------------------------------------

ECO = "/api/v1/ecosystems/small"
Headers = dict[str, str]


def age(client: TestClient, escalation_id: int, by: timedelta) -> None:
    """Let ``by`` pass for an escalation: its opening, level start and deadline move back (the
    sweep route reads the server's clock, so time passes for the escalation instead)."""
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with unit_of_work(factory) as session:
        item = session.get_one(Escalation, escalation_id)
        assert item.due_at is not None
        item.opened_at -= by
        item.level_started_at -= by
        item.due_at -= by


def api_governance(client: TestClient, analyst: Headers) -> None:
    """The forums and the climbing routine-coordination right, through the API."""
    for kind in ("operational_standup", "supplier_risk_review", "steering_committee"):
        template = FORUM_KINDS[kind]
        body = {
            "key": kind.replace("_", "-"), "name": template.title, "kind": kind,
            "rrule": template.rrule, "starts_at": "2026-01-01T00:00:00",
            "members": [{"party": "person:ana", "role": "chair"}, {"party": "actor:oem"}],
        }  # fmt: skip
        created = client.post(f"{ECO}/forums", json=body, headers=analyst)
        assert created.status_code == 201, created.text
    right = {
        "title": "Routine coordination",
        "raci": {"person:ana": "R", "actor:oem": "A"},
        "path": [step.model_dump() for step in CLIMB],
        "note": "late shipments reach the steering committee",
    }
    saved = client.put(f"{ECO}/decision-rights/routine_coordination", json=right, headers=analyst)
    assert saved.status_code == 200, saved.text


def test_the_scenario_over_http(client: TestClient, token_for: TokenFor) -> None:
    """The same scenario through the API. The sweep route takes no clock (it sweeps at the
    server's now), so time passing is simulated by moving the escalation's stored times
    (``opened_at``, ``level_started_at``, ``due_at``) back through the session factory: first
    to a minute before its deadline (the sweep leaves it), then past it (the sweep moves it)."""
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with factory() as db:
        eco_id = import_spec(session=db, spec=small_spec()).id
        db.commit()
    analyst = token_for(Role.ANALYST)
    partner = token_for(Role.PARTNER_ADMIN, ecosystem_id=eco_id, actor="castco")
    api_governance(client, analyst)

    today = utcnow().date()
    records = [late_delivery(today - timedelta(days=8))]
    submitted = client.post(f"{ECO}/data/deliveries", json={"records": records}, headers=partner)
    assert submitted.status_code == 201, submitted.text
    assert client.post(f"{ECO}/exceptions/check", headers=analyst).json()["new"] >= 1
    listed = client.get(f"{ECO}/exceptions", headers=analyst).json()
    (late,) = [x for x in listed if x["rule"] == "late_shipments"]
    assert (late["severity"], late["owner"]) == ("high", "castco")

    raised = client.post(f"{ECO}/exceptions/{late['id']}/escalate", headers=analyst)
    assert raised.status_code == 201, raised.text
    item = raised.json()
    url = f"{ECO}/escalations/{item['id']}"
    assert (item["level"], item["forum_key"], item["category"]) == (
        "tactical",
        "supplier-risk-review",
        "routine_coordination",
    )
    again = client.post(f"{ECO}/exceptions/{late['id']}/escalate", headers=analyst)
    assert again.json()["id"] == item["id"]

    assert client.post(f"{ECO}/escalations/sweep", headers=analyst).json() == {"moved": []}
    age(client, item["id"], timedelta(hours=24) - timedelta(minutes=1))
    assert client.post(f"{ECO}/escalations/sweep", headers=analyst).json() == {"moved": []}
    assert client.post(f"{ECO}/escalations/sweep", headers=partner).status_code == 403
    age(client, item["id"], timedelta(minutes=1))
    moved = client.post(f"{ECO}/escalations/sweep", headers=analyst)
    assert moved.status_code == 200 and moved.json() == {"moved": [item["id"]]}
    assert client.post(f"{ECO}/escalations/sweep", headers=analyst).json() == {"moved": []}

    detail = client.get(url, headers=partner)  # castco is a party: it sees the escalation
    assert detail.status_code == 200, detail.text
    shown = detail.json()
    assert (shown["level"], shown["forum_key"], shown["owner"]) == (
        "strategic",
        STEERING,
        "actor:oem",
    )
    assert [e["kind"] for e in shown["events"]] == ["raised", "escalated"]
    assert shown["events"][1]["text"].startswith("SLA of 24 h at tactical ran out at ")

    agenda = client.get(f"{ECO}/forums/{STEERING}/agenda", headers=analyst)
    assert agenda.status_code == 200, agenda.text
    assert [(i["kind"], i["ref"]) for i in agenda.json()["items"]] == [
        ("escalation", str(item["id"]))
    ]
    meeting = client.post(f"{ECO}/forums/{STEERING}/meetings", headers=analyst)
    assert meeting.status_code == 201, meeting.text
    assert meeting.json()["scheduled_for"] == agenda.json()["occurrence"]
    assert [i["ref"] for i in meeting.json()["agenda"]] == [str(item["id"])]
    minutes = {
        "attendees": ["person:ana", "actor:oem"],
        "minutes": "Expedite the overdue housings.",
        "decisions": [{
            "title": "Expedite PO-7001", "text": "Air freight at the OEM's cost.",
            "links": [{"kind": "escalation", "id": item["id"]}],
        }],
    }  # fmt: skip
    meeting_url = f"{ECO}/forums/{STEERING}/meetings/{meeting.json()['id']}"
    recorded = client.put(meeting_url, json=minutes, headers=analyst)
    assert recorded.status_code == 200, recorded.text
    assert client.put(meeting_url, json=minutes, headers=analyst).status_code == 409

    (decision,) = client.get(f"{ECO}/decisions", headers=analyst).json()
    assert decision["links"] == [{"kind": "escalation", "id": str(item["id"])}]
    final = client.get(url, headers=analyst).json()
    assert (final["status"], final["decision_id"]) == ("resolved", decision["id"])
    assert [e["kind"] for e in final["events"]] == ["raised", "escalated", "resolved"]
    assert client.get(f"{ECO}/forums/{STEERING}/agenda", headers=analyst).json()["items"] == []

    with factory() as session:
        ecosystem = session.get_one(eco.Ecosystem, eco_id)
        resolved = session.get_one(Escalation, item["id"])
        assert transitions(session, ecosystem, resolved) == ["raised", "escalated", "resolved"]
        assert [f["transition"] for f in trail_of(session, ecosystem, "meeting")] == [
            "prepared",
            "minutes_recorded",
        ]
        verified = audit.verify(session=session)
        assert verified.ok, verified.reason
