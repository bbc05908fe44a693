"""The scorecard service on SQLite and PostgreSQL: versioned definitions, partner scorecards from
the real KPI service over submitted deliveries, trend, evidence, and segments from stored runs."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.core.audit import AuditEntry
from podium.core.auth import Principal, Role
from podium.core.errors import Forbidden, Invalid, NotFound
from podium.ecosystem import models as eco
from podium.ecosystem import service as eco_service
from podium.integrate import datasets
from podium.integrate import service as data_service
from podium.learn import scorecard_service as service
from podium.learn.periods import parse_period
from podium.mapping import service as mapping
from tests.factories import small_spec

ANALYST = Principal(user_id=1, username="ana", role=Role.ANALYST)
Q3 = parse_period("2026-Q3")
DELIVERY = {
    "key": "delivery",
    "title": "Delivery",
    "criteria": [
        {"kpi": "otif", "weight": 3},
        {"kpi": "recovery_time_days", "weight": 1, "best": 7, "worst": 56},
    ],
}


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


def deliver(
    session: Session, ecosystem: eco.Ecosystem, actor: str, lines: list[tuple[date, date]]
) -> None:
    """Submit order lines of 100 units as ``actor``: (promised, delivered) days."""
    records = [
        datasets.Delivery(
            order_id=f"{actor}-{promised.isoformat()}",
            item="housing",
            ship_to="oem-plant",
            promised_date=promised,
            promised_quantity=100.0,
            delivered_date=delivered,
            delivered_quantity=100.0,
        )
        for promised, delivered in lines
    ]
    data_service.submit(
        session=session, ecosystem=ecosystem, principal=partner(ecosystem, actor),
        dataset="deliveries", records=records, source="api", request_id="t",
    )  # fmt: skip


@pytest.fixture
def delivered(session: Session, ecosystem: eco.Ecosystem) -> eco.Ecosystem:
    """CastCo: Q2 2 of 2 lines OTIF, Q3 3 of 4 (one two days late); Alloy: Q3 0 of 1."""
    deliver(session, ecosystem, "castco", [
        (date(2026, 5, 1), date(2026, 4, 30)), (date(2026, 6, 1), date(2026, 6, 1)),
        (date(2026, 7, 10), date(2026, 7, 9)), (date(2026, 7, 20), date(2026, 7, 20)),
        (date(2026, 8, 5), date(2026, 8, 4)), (date(2026, 9, 1), date(2026, 9, 3)),
    ])  # fmt: skip
    deliver(session, ecosystem, "alloy", [(date(2026, 8, 1), date(2026, 8, 20))])
    service.save_definition(session=session, ecosystem=ecosystem, data=DELIVERY, principal=ANALYST)
    return ecosystem


# --- definitions --------------------------------------------------------------------------------


def test_the_builtin_default_is_listed_until_one_is_stored(
    session: Session, ecosystem: eco.Ecosystem
) -> None:
    """OTIF 40%, WAPE 20%, recovery time 20%, data quality 20%."""
    found = service.list_definitions(session=session, ecosystem=ecosystem)
    assert [(d.key, d.version) for d in found] == [("default", None)]
    assert found[0].definition.weights() == pytest.approx([0.4, 0.2, 0.2, 0.2])
    assert found[0].to_dict()["builtin"] is True


def test_saving_adds_a_current_version_and_an_audit_entry(
    session: Session, ecosystem: eco.Ecosystem
) -> None:
    """The older version stays readable, no longer current."""
    first = service.save_definition(
        session=session, ecosystem=ecosystem, data=DELIVERY, principal=ANALYST
    )
    changed = {**DELIVERY, "title": "Delivery v2", "key": None}
    second = service.save_definition(
        session=session, ecosystem=ecosystem, data=changed, key="delivery", principal=ANALYST
    )
    assert (first.version, second.version, second.title) == (1, 2, "Delivery v2")
    got = service.get_definition(session=session, ecosystem=ecosystem, key="delivery")
    assert (got.version, got.created_by) == (2, "ana")
    old = service.get_definition(session=session, ecosystem=ecosystem, key="delivery", version=1)
    assert (old.title, old.current) == ("Delivery", False)
    keys = [
        (d.key, d.version) for d in service.list_definitions(session=session, ecosystem=ecosystem)
    ]
    assert keys == [("default", None), ("delivery", 2)]
    entries = session.scalars(select(AuditEntry).where(AuditEntry.dataset == "learn.scorecard"))
    assert [e.filter["version"] for e in entries] == [1, 2]


def test_bad_definitions_are_refused_with_pointers(
    session: Session, ecosystem: eco.Ecosystem
) -> None:
    """All defects at once; a body naming another key than the path is refused."""
    bad = {**DELIVERY, "criteria": [{"kpi": "otif", "weight": 1, "formula": "os"},
                                    {"kpi": "nope", "weight": -1}]}  # fmt: skip
    with pytest.raises(Invalid) as caught:
        service.save_definition(session=session, ecosystem=ecosystem, data=bad)
    pointers = [e["pointer"] for e in caught.value.errors]
    assert pointers == ["/criteria/0/formula", "/criteria/1/kpi", "/criteria/1/weight"]
    assert str(caught.value).startswith("/criteria/0/formula: names other than 'value'")
    with pytest.raises(Invalid, match="the body names 'delivery', the path 'other'"):
        service.save_definition(session=session, ecosystem=ecosystem, data=DELIVERY, key="other")
    with pytest.raises(NotFound):
        service.get_definition(session=session, ecosystem=ecosystem, key="missing")


# --- scorecards ---------------------------------------------------------------------------------


def test_scorecards_from_the_real_kpi_service(session: Session, delivered: eco.Ecosystem) -> None:
    """CastCo Q3: OTIF 3/4 = 0.75 -> 75 points; no disruptions, so recovery time is left out
    and OTIF carries all the weight: total 75 (good), coverage 3/4. Q2: 2/2 -> 100, so the
    trend over 2025-Q3 .. 2026-Q3 (100 then 75) declines by 25 a quarter."""
    cards = {
        c.partner: c
        for c in service.scorecards(
            session=session, ecosystem=delivered, period=Q3, definition_key="delivery"
        )
    }
    assert set(cards) == {"castco", "alloy"}  # partner actors and providers with data
    castco = cards["castco"]
    assert castco.values == {"otif": pytest.approx(0.75), "recovery_time_days": None}
    assert castco.basis["otif"] == 4
    assert castco.card.total == pytest.approx(75.0)
    assert castco.card.standing == "good"
    assert castco.card.coverage == pytest.approx(0.75)
    assert [h["total"] for h in castco.history] == [None, None, None, pytest.approx(100.0), 75.0]
    assert castco.history[0]["period"] == "2025-Q3"
    assert castco.trend.slope == pytest.approx(-25.0)
    assert castco.trend.direction == "declining"
    assert (cards["alloy"].card.total, cards["alloy"].card.standing) == (0.0, "poor")


def test_each_kpi_names_the_rows_behind_it(session: Session, delivered: eco.Ecosystem) -> None:
    """Evidence: the API path of the partner's deliveries in the period (end exclusive)."""
    (card,) = service.scorecards(
        session=session, ecosystem=delivered, period=Q3, definition_key="delivery",
        partner="castco",
    )  # fmt: skip
    otif, recovery = card.evidence
    assert otif["rows"] == [
        "/api/v1/ecosystems/small/data/deliveries?start=2026-07-01&end=2026-10-01"
    ]
    assert (otif["provider"], otif["frame"]) == ("castco", "deliveries")
    assert otif["kpi_path"] == "/api/v1/ecosystems/small/kpis?period=2026-Q3&keys=otif&by=provider"
    assert recovery["rows"][0].startswith("/api/v1/ecosystems/small/data/disruptions?start=")
    assert card.to_dict()["criteria"][0]["formula"] == "100 * value"


def test_a_partner_sees_only_its_own_scorecard(session: Session, delivered: eco.Ecosystem) -> None:
    """The KPIs are computed over its own rows only, and another's card is refused."""
    castco = partner(delivered, "castco")
    found = service.scorecards(
        session=session, ecosystem=delivered, period=Q3, definition_key="delivery",
        principal=castco,
    )  # fmt: skip
    assert [c.partner for c in found] == ["castco"]
    assert found[0].card.total == pytest.approx(75.0)
    with pytest.raises(Forbidden):
        service.scorecards(
            session=session, ecosystem=delivered, period=Q3, principal=castco, partner="alloy"
        )
    with pytest.raises(NotFound):
        service.scorecards(session=session, ecosystem=delivered, period=Q3, partner="nobody")


def test_an_empty_period_scores_nothing(session: Session, delivered: eco.Ecosystem) -> None:
    """No data is no score, never 100; the history still shows the quarters before."""
    cards = service.scorecards(
        session=session, ecosystem=delivered, period=parse_period("2027-Q1"),
        definition_key="delivery",
    )  # fmt: skip
    assert {c.partner: c.card.total for c in cards} == {"castco": None, "alloy": None}
    castco = next(c for c in cards if c.partner == "castco")
    assert castco.card.standing is None and castco.card.coverage == 0.0
    assert [h["total"] is not None for h in castco.history] == [False, True, True, False, False]


# --- segments -----------------------------------------------------------------------------------


def test_segments_without_stored_runs_say_criticality_is_unknown(
    session: Session, delivered: eco.Ecosystem
) -> None:
    """CastCo performs (75, good) at unknown criticality: preferred, maintain; Alloy is poor
    (0) at unknown criticality: at risk, redesign (not exited blind)."""
    found, source = service.segments(
        session=session, ecosystem=delivered, period=Q3, definition_key="delivery"
    )
    by = {r.partner: r for r in found}
    assert (by["castco"].segment, by["castco"].action) == ("preferred", "maintain")
    assert (by["alloy"].segment, by["alloy"].action) == ("at risk", "redesign")
    assert "no stress test stored: REI unknown (run one under Map)" in by["castco"].reasons
    assert "stress_test" not in source and len(source["notes"]) == 2


def _run(session: Session, ecosystem: eco.Ecosystem, kind: str, **parameters: object) -> None:
    run = mapping.start_run(session=session, ecosystem=ecosystem, kind=kind, parameters=parameters)
    mapping.execute_run(sessions=session, run_id=run.id, workers=1)


def test_segments_read_the_stored_stress_test_and_structure(
    session: Session, delivered: eco.Ecosystem
) -> None:
    """CastCo's foundry is the only source of housings, so it is a single point of failure for
    the pump and critical; at 75 (good) it is strategic: deepen. Its REI is the stress test's
    (by actor) for its scenario."""
    _run(session, delivered, "stress_test", by="actor")
    _run(session, delivered, "structure")
    found, source = service.segments(
        session=session, ecosystem=delivered, period=Q3, definition_key="delivery"
    )
    castco = next(r for r in found if r.partner == "castco")
    run = mapping.latest_run(session=session, ecosystem=delivered, kind="stress_test")
    assert run is not None and run.results is not None
    expected = next(r for r in run.results["results"] if r["scenario"] == "castco")
    assert castco.inputs is not None
    assert castco.inputs.rei == pytest.approx(expected["risk_exposure_index"])
    assert castco.inputs.spof_for == ("pump",)
    assert (castco.criticality, castco.segment, castco.action) == (
        "critical",
        "strategic",
        "deepen",
    )
    assert "single point of failure for pump" in castco.summary
    assert source["stress_test"]["run"] == run.id and source["notes"] == []


def test_partners_may_not_see_the_segmentation(session: Session, delivered: eco.Ecosystem) -> None:
    with pytest.raises(Forbidden):
        service.segments(
            session=session, ecosystem=delivered, period=Q3, principal=partner(delivered, "castco")
        )
