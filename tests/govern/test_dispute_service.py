"""Disputes through the service on SQLite and PostgreSQL: opening, evidence links that must
exist, the mechanism's clock, who may act, partner visibility and the audit trail."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.core.audit import AuditEntry
from podium.core.auth import Principal, Role
from podium.core.errors import Conflict, Forbidden, Invalid, NotFound
from podium.ecosystem import models as eco
from podium.ecosystem import service as eco_service
from podium.govern import dispute_service as service
from podium.integrate import datasets
from podium.integrate import models as data
from podium.integrate import service as data_service
from tests.factories import small_spec

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ANALYST = Principal(user_id=1, username="ana", role=Role.ANALYST)


@pytest.fixture
def ecosystem(session: Session) -> eco.Ecosystem:
    return eco_service.import_spec(session=session, spec=small_spec())


def partner(ecosystem: eco.Ecosystem, actor: str) -> Principal:
    return Principal(
        user_id=hash(actor) % 1000 + 10,
        username=f"{actor}-user",
        role=Role.PARTNER_USER,
        partner_ecosystem_id=ecosystem.id,
        partner_actor=actor,
    )


def open_one(session: Session, ecosystem: eco.Ecosystem, who: Principal, **changes: object) -> int:
    args: dict[str, object] = {
        "title": "Late housings in March",
        "subject": "delivery",
        "subject_ref": "PO-7",
        "parties": ["actor:oem"],
        "mechanism": None,
        "now": T0,
    }
    args.update(changes)
    found = service.open_dispute(
        session=session,
        ecosystem=ecosystem,
        principal=who,
        request_id="t",
        **args,  # type: ignore[arg-type]
    )
    return found.id


def test_a_partner_opens_a_dispute_and_is_a_party(
    session: Session, ecosystem: eco.Ecosystem
) -> None:
    castco = partner(ecosystem, "castco")
    dispute_id = open_one(session, ecosystem, castco)
    dispute = service.get(
        session=session, ecosystem=ecosystem, principal=castco, dispute_id=dispute_id
    )
    assert dispute.parties == ["actor:castco", "actor:oem"]
    assert dispute.raised_by == "actor:castco"
    assert (dispute.status, dispute.step_index) == ("open", 0)
    assert service.utc(dispute.due_at) == T0 + timedelta(days=30)
    entries = service.entries(session=session, dispute=dispute)
    assert [(e.kind, e.by, e.party) for e in entries] == [("opened", "castco-user", "actor:castco")]
    audit = session.scalars(select(AuditEntry).where(AuditEntry.dataset == "govern.dispute")).all()
    assert [(a.filter["id"], a.filter["transition"]) for a in audit] == [
        (str(dispute_id), "opened")
    ]


@pytest.mark.parametrize(
    ("changes", "pointer"),
    [
        ({"parties": ["actor:nobody"]}, "/parties/1"),
        ({"parties": ["person:Ana"]}, "/parties/1"),
        ({"parties": ["oem"]}, "/parties/1"),
        ({"parties": []}, "/parties"),
        ({"subject": "weather"}, "/subject"),
        ({"title": " "}, "/title"),
        ({"mechanism": [{"step": "arbitration", "days": -1}]}, "/mechanism/0/days"),
    ],
)
def test_bad_disputes_are_refused_with_a_pointer(
    session: Session, ecosystem: eco.Ecosystem, changes: dict[str, object], pointer: str
) -> None:
    with pytest.raises(Invalid) as caught:
        open_one(session, ecosystem, partner(ecosystem, "castco"), **changes)
    assert pointer in [e["pointer"] for e in caught.value.errors]


def test_partners_see_only_disputes_that_involve_them(
    session: Session, ecosystem: eco.Ecosystem
) -> None:
    castco, alloy = partner(ecosystem, "castco"), partner(ecosystem, "alloy")
    theirs = open_one(session, ecosystem, castco)
    both = open_one(session, ecosystem, ANALYST, parties=["actor:castco", "actor:alloy"])
    listed = service.list_disputes(session=session, ecosystem=ecosystem, principal=alloy)
    assert [d.id for d in listed] == [both]
    with pytest.raises(NotFound):
        service.get(session=session, ecosystem=ecosystem, principal=alloy, dispute_id=theirs)
    staff = service.list_disputes(session=session, ecosystem=ecosystem, principal=ANALYST)
    assert {d.id for d in staff} == {theirs, both}


def test_the_mechanism_advances_with_a_reason_and_becomes_overdue(
    session: Session, ecosystem: eco.Ecosystem
) -> None:
    castco = partner(ecosystem, "castco")
    dispute_id = open_one(session, ecosystem, castco)
    assert service.overdue(session=session, ecosystem=ecosystem, now=T0 + timedelta(days=30)) == []
    late = service.overdue(
        session=session, ecosystem=ecosystem, now=T0 + timedelta(days=30, seconds=1)
    )
    assert [d.id for d in late] == [dispute_id]
    with pytest.raises(Forbidden):
        service.advance(
            session=session,
            ecosystem=ecosystem,
            principal=castco,
            request_id="t",
            dispute_id=dispute_id,
            reason="please",
        )
    moved_at = T0 + timedelta(days=31)
    dispute = service.advance(
        session=session,
        ecosystem=ecosystem,
        principal=ANALYST,
        request_id="t",
        dispute_id=dispute_id,
        reason="no agreement within 30 days",
        now=moved_at,
    )
    assert (dispute.step_index, service.utc(dispute.due_at)) == (1, moved_at + timedelta(days=45))
    steps = service.timeline(
        dispute=dispute, found=service.entries(session=session, dispute=dispute), now=moved_at
    )
    assert [(s.step, s.state, s.started_at) for s in steps] == [
        ("negotiation", "done", T0),
        ("mediation", "current", moved_at),
        ("arbitration", "pending", moved_at + timedelta(days=45)),
    ]
    resolved = service.resolve(
        session=session,
        ecosystem=ecosystem,
        principal=ANALYST,
        request_id="t",
        dispute_id=dispute_id,
        outcome="Mediator: 3% rebate",
        now=moved_at,
    )
    assert (resolved.status, resolved.outcome, resolved.due_at) == (
        "resolved",
        "Mediator: 3% rebate",
        None,
    )
    with pytest.raises(Conflict):
        service.withdraw(
            session=session,
            ecosystem=ecosystem,
            principal=castco,
            request_id="t",
            dispute_id=dispute_id,
        )
    audit = session.scalars(select(AuditEntry).where(AuditEntry.dataset == "govern.dispute")).all()
    assert [a.filter["transition"] for a in audit] == ["opened", "advanced", "resolved"]


def test_settlement_proposed_by_one_party_and_accepted_by_the_other(
    session: Session, ecosystem: eco.Ecosystem
) -> None:
    castco, alloy = partner(ecosystem, "castco"), partner(ecosystem, "alloy")
    dispute_id = open_one(
        session, ecosystem, castco, parties=["actor:alloy"], subject="cost_allocation"
    )
    service.add_entry(
        session=session,
        ecosystem=ecosystem,
        principal=castco,
        request_id="t",
        dispute_id=dispute_id,
        kind="proposal",
        text="Split the tooling 60/40",
    )
    with pytest.raises(Conflict, match="your own"):
        service.accept(
            session=session,
            ecosystem=ecosystem,
            principal=castco,
            request_id="t",
            dispute_id=dispute_id,
        )
    with pytest.raises(Forbidden):
        service.withdraw(
            session=session,
            ecosystem=ecosystem,
            principal=alloy,
            request_id="t",
            dispute_id=dispute_id,
        )
    done = service.accept(
        session=session, ecosystem=ecosystem, principal=alloy, request_id="t", dispute_id=dispute_id
    )
    assert (done.status, done.outcome) == ("resolved", "Split the tooling 60/40")


def test_the_raising_party_withdraws(session: Session, ecosystem: eco.Ecosystem) -> None:
    castco = partner(ecosystem, "castco")
    dispute_id = open_one(session, ecosystem, castco)
    done = service.withdraw(
        session=session,
        ecosystem=ecosystem,
        principal=castco,
        request_id="t",
        dispute_id=dispute_id,
        reason="paid in full",
    )
    assert (done.status, done.outcome) == ("withdrawn", "withdrawn: paid in full")


def test_evidence_links_must_point_at_existing_records(
    session: Session, ecosystem: eco.Ecosystem
) -> None:
    castco, alloy = partner(ecosystem, "castco"), partner(ecosystem, "alloy")
    delivery = datasets.Delivery(
        order_id="PO-7", item="housing", promised_date=date(2026, 2, 1), promised_quantity=100.0
    )
    data_service.submit(
        session=session,
        ecosystem=ecosystem,
        principal=castco,
        dataset="deliveries",
        records=[delivery],
        source="api",
        request_id="t",
    )
    record_id = session.scalar(select(data.Delivery.id).where(data.Delivery.order_id == "PO-7"))
    dispute_id = open_one(session, ecosystem, castco)
    seq = session.scalar(select(AuditEntry.seq).where(AuditEntry.dataset == "govern.dispute"))
    links = [
        {"kind": "delivery", "id": "PO-7"},
        {"kind": "record", "id": f"deliveries:{record_id}"},
        {"kind": "audit", "id": str(seq)},
    ]
    entry = service.add_entry(
        session=session,
        ecosystem=ecosystem,
        principal=ANALYST,
        request_id="t",
        dispute_id=dispute_id,
        kind="evidence",
        text="Delivery log",
        links=links,
    )
    assert entry.links == links and entry.party == "actor:oem"
    bad = [
        {"kind": "delivery", "id": "PO-999"},
        {"kind": "record", "id": "deliveries:999999"},
        {"kind": "record", "id": "nonsense"},
        {"kind": "audit", "id": "999999"},
        {"kind": "agreement", "id": "urn:podium:agreement:none"},
        {"kind": "photo", "id": "1"},
    ]
    with pytest.raises(Invalid) as caught:
        service.add_entry(
            session=session,
            ecosystem=ecosystem,
            principal=castco,
            request_id="t",
            dispute_id=dispute_id,
            kind="evidence",
            text="x",
            links=bad,
        )
    assert [e["pointer"] for e in caught.value.errors] == [f"/links/{i}" for i in range(6)]
    with pytest.raises(NotFound):
        service.add_entry(
            session=session,
            ecosystem=ecosystem,
            principal=alloy,
            request_id="t",
            dispute_id=dispute_id,
            kind="statement",
            text="not mine",
        )
