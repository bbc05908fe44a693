"""The Align service on SQLite (and PostgreSQL when configured): declared agreements, versioned
and audited, refused at the offending field; the misalignment checks over the stored stress
test, structure run and Learn's OTIF; value propositions against the ecosystem's actors."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

import podium
from podium.align import demo, service
from podium.align.models import CommercialAgreement
from podium.core.audit import AuditEntry
from podium.core.auth import Principal, Role
from podium.core.errors import Forbidden, Invalid, NotFound
from podium.ecosystem import models as eco
from podium.ecosystem.service import import_spec
from podium.integrate import datasets
from podium.integrate import service as data_service
from podium.mapping import service as mapping_service
from podium.samples import SAMPLES
from tests.factories import small_spec

ANA = Principal(user_id=1, username="ana", role=Role.ANALYST)
TODAY = date(2026, 3, 2)
SPEC = podium.load(SAMPLES["manufacturer"])


def run_map(session: Session, ecosystem: eco.Ecosystem) -> None:
    """Store the stress test by actor and the structure analysis, as the Map page does."""
    for kind, parameters in (("stress_test", {"by": "actor"}), ("structure", {})):
        run = mapping_service.start_run(
            session=session, ecosystem=ecosystem, kind=kind, parameters=parameters, user_id=None
        )
        mapping_service.execute_run(sessions=session, run_id=run.id, workers=1)


@pytest.fixture
def manufacturer(session: Session) -> eco.Ecosystem:
    return import_spec(session=session, spec=SPEC)


def save(session: Session, ecosystem: eco.Ecosystem, data: Any) -> list[CommercialAgreement]:
    return service.save_agreements(
        session=session, ecosystem=ecosystem, principal=ANA, request_id="req-1", data=data
    )


def audit_rows(session: Session) -> list[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.dataset == "align.agreement")
    return list(session.scalars(query.order_by(AuditEntry.seq)))


def test_versions_and_audit(session: Session, manufacturer: eco.Ecosystem) -> None:
    first = {"partner": "jiangbei", "contract_type": "wholesale", "metrics": ["unit_price"]}
    (row,) = save(session, manufacturer, [first])
    assert (row.key, row.version, row.current, row.changed_by) == ("jiangbei", 1, True, "ana")
    assert save(session, manufacturer, {"agreements": [first]})[0].id == row.id  # unchanged
    (second,) = save(session, manufacturer, [first | {"term_months": 36}])
    assert second.version == 2 and not row.current
    versions = service.history(session=session, ecosystem=manufacturer, key="jiangbei")
    assert [v.version for v in versions] == [2, 1]
    entries = audit_rows(session)
    assert [(e.action, e.provider, e.agreement, e.filter["version"]) for e in entries] == [
        ("write", "jiangbei", "jiangbei", "1"),
        ("write", "jiangbei", "jiangbei", "2"),
    ]
    service.retire_agreement(
        session=session, ecosystem=manufacturer, principal=ANA, request_id="r", key="jiangbei"
    )
    assert service.list_agreements(session=session, ecosystem=manufacturer) == []
    assert audit_rows(session)[-1].action == "delete"
    with pytest.raises(NotFound):
        service.retire_agreement(
            session=session, ecosystem=manufacturer, principal=ANA, request_id="r", key="jiangbei"
        )


@pytest.mark.parametrize(
    ("agreement", "pointer"),
    [
        ({"partner": "nobody"}, "/agreements/0/partner"),
        ({"partner": "hartwell"}, "/agreements/0/partner"),  # the orchestrator
        ({"metrics": ["unit_price", "karma"]}, "/agreements/0/metrics"),
        ({"contract_type": "barter"}, "/agreements/0/contract_type"),
        ({"term_months": 0}, "/agreements/0/term_months"),
        ({"valid_from": "2026-01-01", "valid_to": "2025-01-01"}, "/agreements/0/valid_to"),
        ({"colour": "red"}, "/agreements/0/colour"),
        ({"terms": {"price": 10, "cost": 1, "salvage": 2, "wholesale": 5,
                    "demand": "normal:1000:300"}}, "/agreements/0/terms/salvage"),
        ({"terms": {"price": 10, "cost": 1, "wholesale": 5, "demand": "gamma:3"}},
         "/agreements/0/terms/demand"),
    ],
)  # fmt: skip
def test_bad_agreements_are_refused_at_the_field(
    session: Session, manufacturer: eco.Ecosystem, agreement: dict[str, Any], pointer: str
) -> None:
    base = {"partner": "velora", "contract_type": "wholesale"}
    with pytest.raises(Invalid) as error:
        save(session, manufacturer, [base | agreement])
    assert pointer in [e["pointer"] for e in error.value.errors]
    assert service.list_agreements(session=session, ecosystem=manufacturer) == []


def test_repeated_keys_and_partners_are_refused(
    session: Session, manufacturer: eco.Ecosystem
) -> None:
    one = {"partner": "velora", "contract_type": "wholesale"}
    with pytest.raises(Invalid) as error:
        save(session, manufacturer, [one, one])
    assert [e["pointer"] for e in error.value.errors] == ["/agreements/1/key"]
    partner = Principal(2, "v", Role.PARTNER_ADMIN, manufacturer.id, "velora")
    with pytest.raises(Forbidden):
        service.save_agreements(
            session=session, ecosystem=manufacturer, principal=partner, request_id="r", data=[one]
        )
    with pytest.raises(Forbidden):
        service.misalignments(session=session, ecosystem=manufacturer, principal=partner)


def test_misalignments_of_the_demo(session: Session, manufacturer: eco.Ecosystem) -> None:
    """Over the stored stress test: Jiangbei (SPOF, no alternate, 182 days to recover against 96
    of survival) is paid on unit price; Castelli's capacity reservation is aligned; Velora's
    wholesale price loses chain profit; Ferrant, critical, has no agreement."""
    run_map(session, manufacturer)
    demo.seed(session=session, ecosystem=manufacturer, orchestrator=ANA, today=TODAY)
    found = service.misalignments(
        session=session, ecosystem=manufacturer, principal=ANA, today=TODAY
    )
    rules = {(f.partner, f.rule): f for f in found.findings}
    cost = rules[("jiangbei", "cost_focus_on_critical")]
    assert cost.severity == "high"
    assert cost.reason.startswith("wholesale contract paid on unit price, but PI rank ")
    assert "no alternate" in cost.reason and "single point of failure for" in cost.reason
    exposure = found.exposures["jiangbei"]
    assert exposure.alternates == 0 and exposure.ranked is not None
    assert exposure.ttr_days is not None and exposure.tts_days is not None
    assert exposure.ttr_days > exposure.tts_days
    assert cost.mechanisms[0].effect == pytest.approx(0.05 * (exposure.performance_impact or 0))
    assert not [f for f in found.findings if f.partner == "castelli"]
    assert found.alignment["castelli"] == 1.0 and found.alignment["jiangbei"] == 0.0
    switch = rules[("velora", "double_marginalisation")]
    assert switch.mechanisms[0].effect is not None and switch.mechanisms[0].effect > 0
    assert ("ferrant", "no_agreement_on_critical") in rules
    assert ("voss", "cost_plus_no_gain") in rules
    assert found.agreements == len(demo.AGREEMENTS)
    assert found.source["stress_test"]["by"] == "actor"
    severities = [f.severity for f in found.findings]
    assert severities == sorted(severities, key=["high", "medium", "low"].index)


def test_otif_from_learn_and_no_stress_test(session: Session) -> None:
    """castco delivered 1 of 3 lines on time in full in 2026-Q3: paid on unit price only, it is
    flagged with OTIF 33.3%; without a stored stress test the notes say so."""
    found = import_spec(session=session, spec=small_spec())
    castco = Principal(2, "castco-user", Role.PARTNER_ADMIN, found.id, "castco")
    lines = [
        ("PO-1", "2026-07-07", "2026-07-06", 100.0),
        ("PO-2", "2026-07-08", "2026-07-10", 100.0),
        ("PO-3", "2026-07-09", "2026-07-09", 60.0),
    ]
    records = [
        {"order_id": o, "item": "housing", "ship_to": "oem-plant", "ordered_date": "2026-06-20",
         "promised_date": p, "promised_quantity": 100.0, "delivered_date": d,
         "delivered_quantity": q}
        for o, p, d, q in lines
    ]  # fmt: skip
    submission = data_service.submit(
        session=session, ecosystem=found, principal=castco, dataset="deliveries",
        records=datasets.validate_records("deliveries", records), source="api", request_id="t",
    )  # fmt: skip
    submission.submitted_at = datetime(2026, 7, 11, tzinfo=UTC)
    save(session, found, [{"partner": "castco", "contract_type": "wholesale",
                           "metrics": ["unit_price"], "term_months": 36}])  # fmt: skip
    result = service.misalignments(
        session=session, ecosystem=found, principal=ANA, today=date(2026, 10, 5)
    )
    assert result.exposures["castco"].otif == pytest.approx(1 / 3)
    assert result.source["kpi_period"] == "2026-Q3"
    reliability = [f for f in result.findings if f.rule == "reliability_not_rewarded"]
    assert len(reliability) == 1 and "OTIF 33.3% against a 95% target" in reliability[0].reason
    assert any("no stress test stored" in note for note in result.source["notes"])


def test_value_proposition_checks_actors(session: Session, manufacturer: eco.Ecosystem) -> None:
    initiative = {
        "title": "Shared SiC buffer", "gain": 3.0e6, "split": "shares",
        "actors": [{"actor": "hartwell", "investment": 1.0e6, "share": 0.6},
                   {"actor": "velora", "investment": 0.5e6, "share": 0.4}],
    }  # fmt: skip
    found = service.value_proposition(
        session=session, ecosystem=manufacturer, principal=ANA, data=initiative
    )
    assert found.currency == "EUR" and found.rational
    assert [p.net for p in found.positions] == pytest.approx([0.8e6, 0.7e6])
    bad = initiative | {"actors": [{"actor": "nobody", "share": 1.0}]}
    with pytest.raises(Invalid) as error:
        service.value_proposition(session=session, ecosystem=manufacturer, principal=ANA, data=bad)
    assert error.value.errors[0]["pointer"] == "/actors/0/actor"
    with pytest.raises(Invalid) as error:
        service.value_proposition(
            session=session, ecosystem=None, principal=ANA, data=initiative | {"split": "x"}
        )
    assert error.value.errors[0]["pointer"] == "/split"
