"""The Learn service on SQLite and PostgreSQL: the KPI frames loaded from submitted data, a
partner's view of its own rows, KPIs end to end, targets and breaches (idempotent), the forum
agenda's KPI items, and the validation of initiatives and reviews."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from podium.core import audit
from podium.core.errors import Conflict, Invalid, NotFound
from podium.ecosystem import models as eco
from podium.ecosystem.service import import_spec
from podium.govern import escalation_actions, escalation_service
from podium.govern.models import Forum
from podium.integrate import datasets, exception_service
from podium.integrate import service as data_service
from podium.integrate.models import DataException
from podium.learn import kpis, log_service, service, targets
from podium.learn.models import FinanceInput
from podium.learn.periods import parse_period
from podium.learn.schemas import InitiativeIn, InitiativeUpdate, ReviewIn
from tests.factories import small_spec
from tests.govern.escalation_helpers import partner, seed_rights, staff

Q3 = parse_period("2026-Q3")
ANA = staff()


def submit(
    session: Session,
    ecosystem: eco.Ecosystem,
    who: Any,
    dataset: str,
    records: list[Any],
    at: datetime,
    source: str = "api",
) -> None:
    found = data_service.submit(
        session=session,
        ecosystem=ecosystem,
        principal=who,
        dataset=dataset,
        records=datasets.validate_records(dataset, records),
        source=source,
        request_id="t",
    )
    found.submitted_at = at
    session.flush()


def line(order: str, promised: date, delivered: date | None, qty: float | None) -> dict[str, Any]:
    return {
        "order_id": order,
        "item": "housing",
        "ship_to": "oem-plant",
        "ordered_date": "2026-06-20",
        "promised_date": promised.isoformat(),
        "promised_quantity": 100.0,
        "delivered_date": delivered.isoformat() if delivered else None,
        "delivered_quantity": qty,
    }


@pytest.fixture
def ecosystem(session: Session) -> eco.Ecosystem:
    """small_spec with castco's three Q3 order lines (one on time in full, one late, one
    short), two versions of the OEM's forecast for the week of 2026-07-06 and a disruption."""
    found = import_spec(session=session, spec=small_spec())
    castco = partner(found.id, "castco")
    lines = [
        line("PO-1", date(2026, 7, 7), date(2026, 7, 6), 100.0),
        line("PO-2", date(2026, 7, 8), date(2026, 7, 10), 100.0),
        line("PO-3", date(2026, 7, 9), date(2026, 7, 9), 60.0),
    ]
    submit(session, found, castco, "deliveries", lines, datetime(2026, 7, 11, tzinfo=UTC))
    week = {
        "item": "housing",
        "location": "oem-plant",
        "period_start": "2026-07-06",
        "bucket": "week",
    }
    submit(
        session,
        found,
        ANA,
        "forecasts",
        [{**week, "quantity": 200.0}],
        datetime(2026, 6, 1, tzinfo=UTC),
    )
    submit(
        session,
        found,
        ANA,
        "forecasts",
        [{**week, "quantity": 330.0}],
        datetime(2026, 7, 1, tzinfo=UTC),
    )
    outage = {
        "subject": "cast-plant",
        "started_at": "2026-07-01T00:00:00Z",
        "recovered_at": "2026-07-11T12:00:00Z",
    }
    submit(session, found, castco, "disruptions", [outage], datetime(2026, 7, 12, tzinfo=UTC))
    return found


def test_frames_from_stored_data(session: Session, ecosystem: eco.Ecosystem) -> None:
    got = service.frames(session=session, ecosystem=ecosystem, period=Q3)
    lines = got["deliveries"].sort("order_id")
    assert lines["order_id"].to_list() == ["PO-1", "PO-2", "PO-3"]
    assert set(lines["region"]) == {"EU-Central"}  # the ship-to site's region
    assert lines["ordered_date"][0] == date(2026, 6, 20)
    versions = got["forecasts"].sort("submitted_at")
    assert versions["quantity"].to_list() == [200.0, 330.0]  # both versions, not only current
    assert versions["submitted_at"][0] == datetime(2026, 6, 1, tzinfo=UTC)
    # actual demand: the promised quantity of the three lines due in the week of 2026-07-06
    assert got["actuals"].rows() == [("housing", "oem-plant", "week", date(2026, 7, 6), 300.0)]
    assert got["disruptions"].select("provider", "subject").row(0) == ("castco", "cast-plant")
    submissions = got["submissions"].sort("submitted_at")
    # in Q3: the second forecast (2026-07-01), the deliveries and the disruption
    assert submissions["dataset"].to_list() == ["forecasts", "deliveries", "disruptions"]
    assert submissions["valid"].to_list() == [1.0, 1.0, 1.0]
    assert got["initiatives"].is_empty() and got["inventory"].is_empty()


def test_a_partner_sees_only_its_own_rows(session: Session, ecosystem: eco.Ecosystem) -> None:
    alloy = partner(ecosystem.id, "alloy")
    got = service.frames(session=session, ecosystem=ecosystem, period=Q3, principal=alloy)
    assert all(frame.is_empty() for frame in got.values())
    castco = partner(ecosystem.id, "castco")
    own = service.frames(session=session, ecosystem=ecosystem, period=Q3, principal=castco)
    assert own["deliveries"].height == 3 and own["disruptions"].height == 1
    assert own["forecasts"].is_empty() and own["actuals"].is_empty()  # the OEM's forecasts


def test_kpis_end_to_end(session: Session, ecosystem: eco.Ecosystem) -> None:
    """OTIF (SCOR RL.2.1-style line level, Bolstorff & Rosenbaum, *Supply Chain Excellence*):
    PO-1 on time in full, PO-2 two days late, PO-3 60 of 100 -> OTIF 1/3, on time 2/3, in full
    2/3. WAPE at the default lag of 7 days (Kolassa & Schuetz 2007, sum |F - A| / sum A): the
    version current on 2026-06-29 is the first (200; the revision of 2026-07-01 is too late for
    that lag) against actual demand 300 -> 100 / 300; at lag 0 the revision counts: 30 / 300.
    Recovery: 2026-07-01 00:00 to 2026-07-11 12:00 = 10.5 days."""
    got = service.compute(
        session=session,
        ecosystem=ecosystem,
        period=Q3,
        keys=["otif", "on_time", "in_full", "forecast_wape", "recovery_time_days"],
        by=(),
    )
    assert got["otif"].row(0) == pytest.approx((1 / 3, 3))
    assert got["on_time"].row(0) == pytest.approx((2 / 3, 3))
    assert got["in_full"].row(0) == pytest.approx((2 / 3, 3))
    assert got["forecast_wape"].row(0) == pytest.approx((1 / 3, 1))
    inputs = service.frames(session=session, ecosystem=ecosystem, period=Q3)
    at_zero = kpis.forecast_wape(inputs["forecasts"], inputs["actuals"], period=Q3, lag_days=0)
    assert at_zero.row(0) == pytest.approx((0.1, 1))
    assert got["recovery_time_days"].row(0) == pytest.approx((10.5, 1))
    by_provider = service.compute(
        session=session, ecosystem=ecosystem, period=Q3, keys=["otif"], by=("provider",)
    )["otif"]
    assert by_provider.rows() == [("castco", pytest.approx(1 / 3), 3)]
    empty = service.compute(
        session=session, ecosystem=ecosystem, period=parse_period("2026-Q1"), keys=["otif"], by=()
    )["otif"]
    assert empty.row(0) == (None, 0)  # no orders: no value, never 100%
    with pytest.raises(Invalid) as refused:
        service.compute(session=session, ecosystem=ecosystem, period=Q3, keys=["speed"])
    assert refused.value.errors[0]["pointer"] == "/keys"


def test_extra_inputs(session: Session, ecosystem: eco.Ecosystem) -> None:
    """Adoption: castco submitted deliveries and disruptions through the API -> 2/2. Cash to
    cash = inventory days + DSO - DPO (Stewart 1995, the cash-to-cash cycle): no inventory
    reported, so no value; DSO and DPO come from the period's finance input."""
    session.add(FinanceInput(ecosystem_id=ecosystem.id, period="2026-Q3", dso_days=40, dpo_days=30))
    session.flush()
    assert service.expected_submitters(session=session, ecosystem=ecosystem) == {
        "deliveries": ["castco"],
        "disruptions": ["castco"],
    }  # (the OEM orchestrator's forecasts are not adoption)
    got = service.compute(
        session=session,
        ecosystem=ecosystem,
        period=Q3,
        keys=["adoption", "cash_to_cash_days", "risk_visibility"],
        by=(),
    )
    assert got["adoption"].row(0) == (1.0, 2)
    assert got["cash_to_cash_days"].row(0) == (None, 0)
    assert got["risk_visibility"]["value"][0] == pytest.approx(1.0)  # tier-1 spend mapped
    demand = service.daily_demand(session=session, ecosystem=ecosystem, period=Q3)
    # housing: 300 units due over the 92 days of Q3; pump: the ecosystem's 40/day
    assert dict(demand.iter_rows()) == {"housing": pytest.approx(300 / 92), "pump": 40.0}


def test_responses_come_from_escalations(session: Session, ecosystem: eco.Ecosystem) -> None:
    seed_rights(session, ecosystem.id)
    detected = datetime(2026, 7, 12, 8, tzinfo=UTC)
    session.add(
        DataException(
            ecosystem_id=ecosystem.id,
            rule="late_shipments",
            key="k1",
            severity="high",
            owner="castco",
            subject="order PO-2",
            detail="late",
            created_at=detected,
        )
    )
    session.flush()
    x = session.scalar(select(DataException).where(DataException.key == "k1"))
    assert x is not None
    item = escalation_service.raise_from_exception(
        session=session,
        ecosystem=ecosystem,
        exception_id=x.id,
        request_id="t",
        principal=ANA,
        now=detected,
    )
    escalation_actions.respond(
        session=session,
        ecosystem=ecosystem,
        principal=ANA,
        request_id="t",
        escalation_id=item.id,
        text="on it",
        now=datetime(2026, 7, 12, 14, tzinfo=UTC),
    )
    frame = service.frames(session=session, ecosystem=ecosystem, period=Q3)["responses"]
    assert frame.select("kind", "ref", "provider").row(0) == (
        "exception",
        f"exception:{x.id}",
        "castco",
    )
    got = service.compute(
        session=session, ecosystem=ecosystem, period=Q3, keys=["response_time_hours"], by=()
    )
    assert got["response_time_hours"].row(0) == pytest.approx((6.0, 1))  # 08:00 -> 14:00


# --- targets and breaches -----------------------------------------------------------------------


def test_target_validation(session: Session, ecosystem: eco.Ecosystem) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"kpi": "speed", "scope": "ecosystem", "target": 1, "breach": 0}, "/kpi"),
        ({"kpi": "otif", "scope": "nobody", "target": 0.9, "breach": 0.8}, "/scope"),
        ({"kpi": "otif", "scope": "castco", "target": 0.9, "breach": 0.95}, "/breach"),
        ({"kpi": "recovery_time_days", "scope": "ecosystem", "target": 10, "breach": 5}, "/breach"),
        (
            {
                "kpi": "forecast_bias",
                "scope": "ecosystem",
                "target": 0,
                "warning": 0.2,
                "breach": 0.1,
            },
            "/breach",
        ),
    ]
    for fields, pointer in cases:
        with pytest.raises(Invalid) as refused:
            targets.set_target(session=session, ecosystem=ecosystem, **fields)
        assert refused.value.errors[0]["pointer"] == pointer, fields


@pytest.mark.parametrize(
    ("better", "value", "status", "severity"),
    [
        ("higher", 0.95, "ok", None),
        ("higher", 0.85, "warning", None),
        ("higher", 0.80, "breach", "medium"),  # at the threshold
        ("higher", 0.76, "breach", "medium"),  # 0.04 past, a fifth of the 0.2 gap
        ("higher", 0.70, "breach", "high"),  # half the gap past
        ("higher", 0.60, "breach", "critical"),  # a whole gap past
        ("higher", None, "no_data", None),
        ("lower", 9.0, "ok", None),
        ("lower", 21.0, "breach", "medium"),
        ("lower", 40.0, "breach", "critical"),
    ],
)
def test_judge(better: str, value: float | None, status: str, severity: str | None) -> None:
    """Higher is better: target 1.0, warning 0.9, breach 0.8 (gap 0.2). Lower is better:
    target 10, warning 15, breach 20 days (gap 10)."""
    limits = (1.0, 0.9, 0.8) if better == "higher" else (10.0, 15.0, 20.0)
    target = targets.KpiTarget(
        kpi="x",
        scope="ecosystem",
        target=limits[0],
        warning=limits[1],
        breach=limits[2],
        better=better,
    )
    assert targets.judge(target, value) == (status, severity)


def test_bias_is_judged_by_distance_from_zero() -> None:
    target = targets.KpiTarget(
        kpi="forecast_bias", scope="ecosystem", target=0.0, warning=0.05, breach=0.1, better="zero"
    )
    assert targets.judge(target, -0.12) == ("breach", "medium")
    assert targets.judge(target, 0.07) == ("warning", None)
    assert targets.judge(target, -0.25) == ("breach", "critical")


def test_breaches_are_stored_once(session: Session, ecosystem: eco.Ecosystem) -> None:
    targets.set_target(
        session=session,
        ecosystem=ecosystem,
        kpi="otif",
        scope="castco",
        target=0.95,
        warning=0.9,
        breach=0.85,
        principal=ANA,
    )
    targets.set_target(
        session=session, ecosystem=ecosystem, kpi="otif", scope="ecosystem", target=0.95, breach=0.2
    )
    targets.set_target(
        session=session, ecosystem=ecosystem, kpi="in_full", scope="alloy", target=0.95, breach=0.9
    )
    with pytest.raises(Invalid, match="not over until 2026-10-01"):
        targets.check_targets(
            session=session, ecosystem=ecosystem, period=Q3, now=datetime(2026, 9, 30, tzinfo=UTC)
        )
    for _ in range(2):
        checks = targets.check_targets(session=session, ecosystem=ecosystem, period=Q3)
    status = {(c.target.kpi, c.target.scope): (c.status, c.severity) for c in checks}
    # castco's OTIF 1/3 is 0.52 past the 0.85 threshold, more than the 0.1 gap: critical
    assert status == {
        ("otif", "castco"): ("breach", "critical"),
        ("otif", "ecosystem"): ("ok", None),
        ("in_full", "alloy"): ("no_data", None),
    }
    stored = session.scalars(select(DataException).where(DataException.rule == "kpi_breach"))
    (breach,) = list(stored)
    assert (breach.key, breach.owner, breach.severity) == (
        "otif:castco:2026-Q3",
        "castco",
        "critical",
    )
    assert "On time in full of castco in 2026-Q3 was 0.3333 share" in breach.detail
    entries = audit.entries(session=session, ecosystem_id=ecosystem.id, limit=100)
    assert [e.dataset for e in entries].count("learn.target") == 3


def test_changing_a_target_keeps_one_row(session: Session, ecosystem: eco.Ecosystem) -> None:
    for breach in (0.8, 0.7):
        targets.set_target(
            session=session,
            ecosystem=ecosystem,
            kpi="otif",
            scope="castco",
            target=0.95,
            breach=breach,
        )
    (found,) = targets.list_targets(session=session, ecosystem=ecosystem)
    assert found.breach == 0.7
    assert (
        targets.list_targets(
            session=session, ecosystem=ecosystem, principal=partner(ecosystem.id, "alloy")
        )
        == []
    )
    targets.delete_target(session=session, ecosystem=ecosystem, kpi="otif", scope="castco")
    with pytest.raises(NotFound):
        targets.delete_target(session=session, ecosystem=ecosystem, kpi="otif", scope="castco")


def test_kpis_due_on_the_agenda(session: Session, ecosystem: eco.Ecosystem) -> None:
    targets.set_target(
        session=session, ecosystem=ecosystem, kpi="otif", scope="castco", target=0.95, breach=0.9
    )
    forum = Forum(
        ecosystem_id=ecosystem.id,
        key="steering",
        name="Steering",
        kind="steering",
        level="strategic",
    )
    occurrence = datetime(2026, 10, 5, 9, tzinfo=UTC)
    (item,) = targets.kpis_due(
        session=session, ecosystem=ecosystem, forum=forum, occurrence=occurrence
    )
    assert (item.kind, item.ref, item.parties) == ("kpi", "otif:castco:2026-Q3", ("actor:castco",))
    assert item.opened_at == datetime(2026, 10, 1, tzinfo=UTC)
    forum.level = "operational"  # the month before (September) has no deliveries: no breach
    assert (
        targets.kpis_due(session=session, ecosystem=ecosystem, forum=forum, occurrence=occurrence)
        == []
    )


# --- initiatives and reviews --------------------------------------------------------------------


def initiative(**changes: Any) -> InitiativeIn:
    fields: dict[str, Any] = {
        "key": "lightweight",
        "title": "Lightweight housing",
        "partners": ["castco"],
        "started_on": "2026-01-10",
        "launched_on": "2026-08-01",
        "value_created": 5e5,
        "milestones": [{"name": "prototype", "due": "2026-04-01", "done_on": "2026-04-03"}],
    }
    fields.update(changes)
    return InitiativeIn.model_validate(fields)


def test_initiatives(session: Session, ecosystem: eco.Ecosystem) -> None:
    with pytest.raises(Invalid) as refused:
        log_service.create_initiative(
            session=session, ecosystem=ecosystem, data=initiative(partners=["castco", "ghost"])
        )
    assert refused.value.errors == [
        {"pointer": "/partners/1", "detail": "no actor 'ghost' in this ecosystem"}
    ]
    made = log_service.create_initiative(session=session, ecosystem=ecosystem, data=initiative())
    assert made.milestones[0]["done_on"] == "2026-04-03"
    with pytest.raises(Conflict):
        log_service.create_initiative(session=session, ecosystem=ecosystem, data=initiative())
    with pytest.raises(Invalid):
        log_service.update_initiative(
            session=session,
            ecosystem=ecosystem,
            key="lightweight",
            data=InitiativeUpdate(launched_on=date(2025, 1, 1)),
        )
    row = service.frames(session=session, ecosystem=ecosystem, period=Q3)["initiatives"]
    assert row.select("key", "partner", "value_created").row(0) == ("lightweight", "castco", 5e5)
    got = service.compute(
        session=session, ecosystem=ecosystem, period=Q3, keys=["innovation_cycle_days"], by=()
    )
    assert got["innovation_cycle_days"].row(0) == (203.0, 1)  # 2026-01-10 -> 2026-08-01
    alloy = partner(ecosystem.id, "alloy")
    assert log_service.list_initiatives(session=session, ecosystem=ecosystem, principal=alloy) == []
    with pytest.raises(NotFound):
        log_service.get_initiative(
            session=session, ecosystem=ecosystem, key="lightweight", principal=alloy
        )


def review(**changes: Any) -> ReviewIn:
    fields: dict[str, Any] = {
        "kind": "period",
        "period": "2026-q3",
        "title": "Q3 review",
        "entries": [
            {
                "kind": "value_created",
                "text": "Housing redesign paid off.",
                "partners": ["castco"],
                "links": [{"kind": "kpi", "id": "otif"}],
            },
            {"kind": "risk_missed", "text": "Smelter outage unseen.", "partners": ["alloy"]},
        ],
    }
    fields.update(changes)
    return ReviewIn.model_validate(fields)


def test_reviews(session: Session, ecosystem: eco.Ecosystem) -> None:
    bad = review()
    bad.entries[0].links.append(
        bad.entries[0].links[0].model_copy(update={"kind": "escalation", "id": "999"})
    )
    bad.entries[1].partners.append("ghost")
    with pytest.raises(Invalid) as refused:
        log_service.create_review(session=session, ecosystem=ecosystem, data=bad)
    assert [e["pointer"] for e in refused.value.errors] == [
        "/entries/0/links/1/id",
        "/entries/1/partners/1",
    ]
    made = log_service.create_review(
        session=session, ecosystem=ecosystem, data=review(), principal=ANA
    )
    assert (made.period, made.author) == ("2026-Q3", "ana")
    castco = partner(ecosystem.id, "castco")
    (seen,) = log_service.list_reviews(session=session, ecosystem=ecosystem, principal=castco)
    assert [e["kind"] for e in log_service.visible_entries(seen, castco)] == ["value_created"]
    with pytest.raises(NotFound):
        log_service.get_review(
            session=session,
            ecosystem=ecosystem,
            review_id=made.id,
            principal=partner(ecosystem.id, "grid"),
        )
    exceptions = exception_service.listing(session=session, ecosystem=ecosystem)
    assert exceptions == []  # nothing raised by a review
    count = session.scalar(select(func.count()).select_from(log_service.Review))
    assert count == 1


def test_review_subject_is_required() -> None:
    with pytest.raises(ValueError, match="names its incident"):
        review(kind="incident", period=None)
    with pytest.raises(ValueError, match="not a period"):
        review(period="Q3")
