"""Decision rights, forums, agendas and minutes in the database (SQLite, and PostgreSQL when
configured): versions, validation against the ecosystem, partner visibility, the audit trail,
and decisions that resolve the escalations they link."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.core.audit import AuditEntry
from podium.core.auth import Principal, Role
from podium.core.errors import Conflict, Invalid, NotFound
from podium.ecosystem import models as eco
from podium.ecosystem.service import import_spec
from podium.govern import forum_service as fs
from podium.govern.cadence import AgendaCandidate, ForumSpec, Member
from podium.govern.models import Decision, DecisionRight, Escalation, Meeting
from podium.govern.rights import STRATEGIC_TYPES, DecisionRightSpec
from podium.integrate.models import DataException
from tests.factories import small_spec

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # a Monday
ANA = Principal(user_id=1, username="ana", role=Role.ANALYST)
RID = "req-1"


def partner(ecosystem: eco.Ecosystem, actor: str) -> Principal:
    return Principal(
        user_id=2,
        username=f"{actor}-user",
        role=Role.PARTNER_USER,
        partner_ecosystem_id=ecosystem.id,
        partner_actor=actor,
    )


@pytest.fixture
def ecosystem(session: Session) -> eco.Ecosystem:
    return import_spec(session=session, spec=small_spec())


def forum_spec(**changes: object) -> ForumSpec:
    data: dict[str, object] = {
        "key": "weekly", "name": "Weekly supplier call", "kind": "operational_standup",
        "rrule": "FREQ=WEEKLY;BYDAY=TU", "starts_at": datetime(2026, 3, 1, 9, 0),
        "timezone": "Europe/Warsaw", "members": [{"party": "actor:castco"}],
    }  # fmt: skip
    data.update(changes)
    return ForumSpec.model_validate(data)


def audit_of(session: Session, kind: str) -> list[dict[str, object]]:
    rows = session.scalars(select(AuditEntry).where(AuditEntry.dataset == f"govern.{kind}"))
    return [dict(r.filter) for r in rows]


def init(session: Session, ecosystem: eco.Ecosystem) -> list[DecisionRight]:
    return fs.init_defaults(
        session=session, ecosystem=ecosystem, principal=ANA, request_id=RID, now=NOW
    )


# --- decision rights ----------------------------------------------------------------------------


def test_defaults_give_every_type_a_valid_right_and_its_forums(
    session: Session, ecosystem: eco.Ecosystem
) -> None:
    created = init(session, ecosystem)
    assert len(created) == 9 and all(r.version == 1 and r.current for r in created)
    forums = {f.kind: f for f in fs.list_forums(session=session, ecosystem=ecosystem)}
    assert set(forums) == {
        "steering_committee", "coalition_board", "joint_business_review",
        "supplier_risk_review", "operational_standup",
    }  # fmt: skip
    steering = forums["steering_committee"]
    assert steering.key == "steering-committee" and steering.level == "strategic"
    assert fs.forum_spec(steering).starts_at == datetime(2026, 3, 6, 9, 0, tzinfo=UTC)  # 1st Fri
    rights = {r.decision_type: r for r in fs.list_rights(session=session, ecosystem=ecosystem)}
    for decision_type in STRATEGIC_TYPES:
        last = rights[decision_type].path[-1]
        assert last["level"] == "strategic" and last["forum"] == "steering-committee"
    capacity = rights["capacity_allocation"]
    assert capacity.raci == {"person:ana": "R", "actor:oem": "A", "actor:castco": "C"}
    assert [s["owner"] for s in capacity.path] == ["actor:oem", "actor:oem"]
    assert init(session, ecosystem) == []  # a second run leaves them alone
    assert len(audit_of(session, "decision_right")) == 9
    assert len(audit_of(session, "forum")) == 5


def test_defaults_need_one_orchestrator(session: Session, ecosystem: eco.Ecosystem) -> None:
    oem = session.scalar(select(eco.Actor).where(eco.Actor.key == "oem"))
    assert oem is not None
    oem.ecosystem_role = "partner"
    with pytest.raises(Invalid, match="orchestrator"):
        init(session, ecosystem)


def test_an_edit_adds_a_version_and_keeps_the_old_readable(
    session: Session, ecosystem: eco.Ecosystem
) -> None:
    init(session, ecosystem)
    first = fs.spec_of(
        fs.get_right(session=session, ecosystem=ecosystem, decision_type="data_access")
    )
    changed = first.model_copy(update={"raci": {**first.raci, "actor:alloy": "I"}})
    saved = fs.save_right(
        session=session,
        ecosystem=ecosystem,
        principal=ANA,
        request_id=RID,
        spec=changed,
        note="inform Alloy",
    )
    assert saved.version == 2 and saved.note == "inform Alloy" and saved.changed_by == "ana"
    again = fs.save_right(
        session=session, ecosystem=ecosystem, principal=ANA, request_id=RID, spec=changed
    )
    assert again.id == saved.id  # nothing changed: no version
    old = fs.get_right(session=session, ecosystem=ecosystem, decision_type="data_access", version=1)
    assert not old.current and "actor:alloy" not in old.raci
    versions = fs.history(session=session, ecosystem=ecosystem, decision_type="data_access")
    assert [v.row.version for v in versions] == [2, 1]
    assert versions[0].changes == [{"pointer": "/raci/actor:alloy", "before": None, "after": "I"}]
    entry = audit_of(session, "decision_right")[-1]
    assert entry["transition"] == "changed" and entry["version"] == 2
    with pytest.raises(NotFound):
        fs.get_right(session=session, ecosystem=ecosystem, decision_type="data_access", version=9)


def test_a_right_naming_unknown_actors_or_forums_is_refused(
    session: Session, ecosystem: eco.Ecosystem
) -> None:
    spec = DecisionRightSpec.model_validate({
        "decision_type": "tooling", "title": "Tooling",
        "raci": {"actor:ghost": "A", "person:ana": "R"},
        "path": [{"level": "operational", "owner": "actor:oem", "forum": "nowhere",
                  "sla_hours": 8}],
    })  # fmt: skip
    with pytest.raises(Invalid) as refused:
        fs.save_right(
            session=session, ecosystem=ecosystem, principal=ANA, request_id=RID, spec=spec
        )
    assert [e["pointer"] for e in refused.value.errors] == ["/raci/actor:ghost", "/path/0/forum"]
    assert session.scalars(select(DecisionRight)).all() == []


# --- forums -------------------------------------------------------------------------------------


def test_a_forum_starts_at_its_first_occurrence_and_partners_see_their_own(
    session: Session, ecosystem: eco.Ecosystem
) -> None:
    forum = fs.create_forum(
        session=session, ecosystem=ecosystem, principal=ANA, request_id=RID, spec=forum_spec()
    )
    assert fs.forum_spec(forum).starts_at == datetime(2026, 3, 3, 8, 0, tzinfo=UTC)  # Tue 09:00 CET
    assert forum.level == "operational"
    castco, alloy = partner(ecosystem, "castco"), partner(ecosystem, "alloy")
    assert [
        f.key for f in fs.list_forums(session=session, ecosystem=ecosystem, principal=castco)
    ] == ["weekly"]
    assert fs.list_forums(session=session, ecosystem=ecosystem, principal=alloy) == []
    with pytest.raises(NotFound):
        fs.get_forum(session=session, ecosystem=ecosystem, key="weekly", principal=alloy)
    with pytest.raises(Conflict):
        fs.create_forum(
            session=session, ecosystem=ecosystem, principal=ANA, request_id=RID, spec=forum_spec()
        )
    ics = fs.calendar(session=session, ecosystem=ecosystem, principal=alloy, now=NOW)
    assert icalendar.Calendar.from_ical(ics).walk("VEVENT") == []
    ics = fs.calendar(session=session, ecosystem=ecosystem, principal=castco, key="weekly", now=NOW)
    (event,) = icalendar.Calendar.from_ical(ics).walk("VEVENT")
    assert str(event["uid"]) == "forum-weekly.small@podium"


def test_bad_forums_and_renames_are_refused(session: Session, ecosystem: eco.Ecosystem) -> None:
    with pytest.raises(Invalid) as refused:
        fs.create_forum(
            session=session,
            ecosystem=ecosystem,
            principal=ANA,
            request_id=RID,
            spec=forum_spec(members=[{"party": "actor:ghost"}], rrule="FREQ=SOMETIMES"),
        )
    assert [e["pointer"] for e in refused.value.errors] == ["/rrule", "/members/0/party"]
    fs.create_forum(
        session=session, ecosystem=ecosystem, principal=ANA, request_id=RID, spec=forum_spec()
    )
    with pytest.raises(Invalid):
        fs.update_forum(
            session=session,
            ecosystem=ecosystem,
            principal=ANA,
            request_id=RID,
            key="weekly",
            spec=forum_spec(key="other"),
        )
    updated = fs.update_forum(
        session=session,
        ecosystem=ecosystem,
        principal=ANA,
        request_id=RID,
        key="weekly",
        spec=forum_spec(rrule="FREQ=WEEKLY;BYDAY=TH", duration_minutes=30),
    )
    assert updated.rrule == "FREQ=WEEKLY;BYDAY=TH" and updated.duration_minutes == 30


def test_a_forum_a_right_routes_to_cannot_be_stopped(
    session: Session, ecosystem: eco.Ecosystem
) -> None:
    init(session, ecosystem)
    with pytest.raises(Conflict, match="customer_impact_risk"):
        fs.deactivate_forum(
            session=session,
            ecosystem=ecosystem,
            principal=ANA,
            request_id=RID,
            key="steering-committee",
        )
    fs.create_forum(
        session=session, ecosystem=ecosystem, principal=ANA, request_id=RID, spec=forum_spec()
    )
    stopped = fs.deactivate_forum(
        session=session, ecosystem=ecosystem, principal=ANA, request_id=RID, key="weekly"
    )
    assert not stopped.active
    assert "weekly" not in {f.key for f in fs.list_forums(session=session, ecosystem=ecosystem)}
    assert [e["transition"] for e in audit_of(session, "forum")][-1] == "deactivated"


# --- agenda and meetings ------------------------------------------------------------------------


def escalation(ecosystem: eco.Ecosystem, forum: str, **changes: object) -> Escalation:
    data: dict[str, object] = {
        "ecosystem_id": ecosystem.id, "title": "Late housings", "category": "capacity_allocation",
        "severity": "medium", "source": "person", "parties": ["actor:castco"], "level": "tactical",
        "owner": "actor:oem", "forum_key": forum, "status": "open",
        "opened_at": NOW - timedelta(hours=30), "level_started_at": NOW - timedelta(hours=30),
        "due_at": NOW + timedelta(hours=10),
    }  # fmt: skip
    data.update(changes)
    return Escalation(**data)


def exception(
    ecosystem: eco.Ecosystem, key: str, severity: str, owner: str = "castco"
) -> DataException:
    return DataException(
        ecosystem_id=ecosystem.id,
        rule="late_shipments",
        key=key,
        severity=severity,
        owner=owner,
        subject=f"order {key}",
        detail="late",
        status="open",
        created_at=NOW - timedelta(hours=50),
    )


def test_the_agenda_gathers_what_is_open_most_urgent_first(
    session: Session, ecosystem: eco.Ecosystem
) -> None:
    init(session, ecosystem)
    review = "joint-business-review"
    escalated = exception(ecosystem, "PO-3", "critical")
    session.add_all([
        escalation(ecosystem, review),
        escalation(ecosystem, review, title="IP clause", category="intellectual_property",
                   severity="low", parties=["actor:alloy"]),
        escalation(ecosystem, review, title="Done", status="resolved"),
        escalation(ecosystem, "steering-committee", title="Elsewhere"),
        exception(ecosystem, "PO-1", "high"), exception(ecosystem, "PO-2", "low", owner="alloy"),
        escalated,
    ])  # fmt: skip
    session.flush()
    session.add(
        escalation(ecosystem, "supplier-risk-review", source_key=f"exception:{escalated.id}")
    )
    kpi = AgendaCandidate("kpi", "otif", "OTIF below 95%", "medium", NOW - timedelta(hours=5))
    found = fs.agenda(
        session=session,
        ecosystem=ecosystem,
        forum_key=review,
        now=NOW,
        kpis_due=lambda **_: [kpi],
    )
    assert found.occurrence == datetime(2026, 3, 11, 9, 0, tzinfo=UTC)  # 2nd Wed, UTC default
    assert [i.candidate.title for i in found.items] == [
        "IP clause", "late shipments: order PO-1", "Late housings", "OTIF below 95%",
    ]  # fmt: skip
    castco = partner(ecosystem, "castco")
    steering_items = fs.agenda(
        session=session, ecosystem=ecosystem, forum_key="steering-committee", now=NOW
    ).items
    assert {(i.candidate.title, i.candidate.routed) for i in steering_items} == {
        ("Elsewhere", True),  # routed to the steering committee
        ("IP clause", False),  # a strategic type, followed while the review handles it
    }  # and no raw exceptions: a strategic forum sees them once escalated
    followed = next(i for i in steering_items if not i.candidate.routed)
    assert followed.reason.startswith("strategic decision type, followed here while the tactical")
    fs.update_forum(
        session=session,
        ecosystem=ecosystem,
        principal=ANA,
        request_id=RID,
        key=review,
        spec=fs.forum_spec(
            fs.get_forum(session=session, ecosystem=ecosystem, key=review)
        ).model_copy(update={"members": [Member(party="actor:castco")]}),
    )
    seen = fs.agenda(
        session=session, ecosystem=ecosystem, forum_key=review, now=NOW, principal=castco
    )
    assert [i.candidate.title for i in seen.items] == [
        "late shipments: order PO-1",
        "Late housings",
    ]
    assert seen.hidden == 1


def test_minutes_record_decisions_and_resolve_their_escalations(
    session: Session, ecosystem: eco.Ecosystem
) -> None:
    from podium.govern import escalation_service

    init(session, ecosystem)
    raised = escalation_service.raise_escalation(
        session=session,
        ecosystem=ecosystem,
        principal=ANA,
        request_id=RID,
        title="Castings stopped",
        detail="furnace down",
        category="major_service_failure",
        severity="critical",
        customer_impact=True,
        parties=["actor:castco"],
        now=NOW,
    )
    forum_key = raised.forum_key
    assert forum_key is not None
    meeting = fs.prepare_meeting(
        session=session,
        ecosystem=ecosystem,
        principal=ANA,
        request_id=RID,
        forum_key=forum_key,
        now=NOW,
    )
    assert [item["ref"] for item in meeting.agenda] == [str(raised.id)]
    again = fs.prepare_meeting(
        session=session,
        ecosystem=ecosystem,
        principal=ANA,
        request_id=RID,
        forum_key=forum_key,
        now=NOW + timedelta(minutes=1),
    )
    assert again.id == meeting.id
    with pytest.raises(Invalid) as refused:
        fs.record_minutes(
            session=session,
            ecosystem=ecosystem,
            principal=ANA,
            request_id=RID,
            forum_key=forum_key,
            meeting_id=meeting.id,
            attendees=["ana"],
            minutes="",
            decisions=[
                {"title": "Air freight", "text": "x", "links": [{"kind": "escalation", "id": 999}]},
                {"title": "", "text": "y"},
            ],
        )
    assert [e["pointer"] for e in refused.value.errors] == ["/decisions/1/title"]
    with pytest.raises(Invalid) as refused:
        fs.record_minutes(
            session=session,
            ecosystem=ecosystem,
            principal=ANA,
            request_id=RID,
            forum_key=forum_key,
            meeting_id=meeting.id,
            attendees=["ana"],
            minutes="",
            decisions=[
                {
                    "title": "Air freight",
                    "text": "x",
                    "decision_type": "nope",
                    "links": [{"kind": "escalation", "id": 999}],
                }
            ],
        )
    assert [e["pointer"] for e in refused.value.errors] == [
        "/minutes", "/attendees/0", "/decisions/0/decision_type", "/decisions/0/links/0/id",
    ]  # fmt: skip
    assert session.get(Meeting, meeting.id).minutes is None  # type: ignore[union-attr]
    decisions = [{
        "title": "Air freight from Alloy", "text": "Approve air freight for 4 weeks.",
        "decision_type": "major_service_failure",
        "links": [{"kind": "escalation", "id": raised.id}, {"kind": "kpi", "id": "otif"}],
    }]  # fmt: skip
    held = fs.record_minutes(
        session=session,
        ecosystem=ecosystem,
        principal=ANA,
        request_id=RID,
        forum_key=forum_key,
        meeting_id=meeting.id,
        attendees=["person:ana", "actor:castco"],
        minutes="Discussed.",
        decisions=decisions,
        now=NOW + timedelta(days=1),
    )
    assert held.minutes == "Discussed." and held.recorded_by == "ana"
    (decision,) = session.scalars(select(Decision)).all()
    assert decision.meeting_id == meeting.id and decision.links[0] == {
        "kind": "escalation",
        "id": str(raised.id),
    }
    session.refresh(raised)
    assert raised.status == "resolved" and raised.decision_id == decision.id
    assert raised.resolution == "Air freight from Alloy: Approve air freight for 4 weeks."
    assert fs.agenda(session=session, ecosystem=ecosystem, forum_key=forum_key, now=NOW).items == []
    with pytest.raises(Conflict):
        fs.record_minutes(
            session=session,
            ecosystem=ecosystem,
            principal=ANA,
            request_id=RID,
            forum_key=forum_key,
            meeting_id=meeting.id,
            attendees=[],
            minutes="again",
        )
    alloy = partner(ecosystem, "alloy")  # sits in no forum
    assert fs.list_decisions(session=session, ecosystem=ecosystem, principal=alloy) == []
    assert fs.list_decisions(session=session, ecosystem=ecosystem, principal=ANA) == [decision]
    transitions = [e["transition"] for e in audit_of(session, "meeting")]
    assert transitions == ["prepared", "prepared", "minutes_recorded"]
    assert audit_of(session, "decision")[0]["transition"] == "recorded"
