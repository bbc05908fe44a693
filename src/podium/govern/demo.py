"""Governance for the demo: what an orchestrator's first weeks of governing its ecosystem leave.

Default decision rights and forums; the late deliveries of the integrate demo escalated (raised
days ago, so the sweep has moved some past their SLA); an escalation the partner raised itself; a
dispute with the partner over a late delivery; a certification scheme with partners certified
(one expiring, one expired) and trainings; and an assessment of the cloud platform that hosts the
orchestrator's systems. Dates follow ``today``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.core.auth import Principal
from podium.ecosystem import models as eco
from podium.govern import (
    certification_service,
    dispute_service,
    escalation_service,
    forum_service,
    platform_service,
)
from podium.govern.parties import actor_party
from podium.integrate.models import DataException, Delivery

REQUEST_ID = "demo"


def seed(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    orchestrator: Principal,
    partner: Principal,
    today: date,
) -> None:
    """Store a small governance history between the orchestrator and ``partner``."""
    now = datetime.combine(today, time(9), tzinfo=UTC)
    forum_service.init_defaults(
        session=session,
        ecosystem=ecosystem,
        principal=orchestrator,
        request_id=REQUEST_ID,
        now=now - timedelta(days=21),
    )
    _escalate_exceptions(session, ecosystem, orchestrator, now)
    _partner_escalation(session, ecosystem, partner, now)
    escalation_service.sweep(session=session, now=now, request_id=REQUEST_ID)
    _dispute(session, ecosystem, orchestrator, partner, now)
    _certification(session, ecosystem, orchestrator, str(partner.partner_actor), today)
    _platform(session, ecosystem, orchestrator, now)


def _escalate_exceptions(
    session: Session, ecosystem: eco.Ecosystem, orchestrator: Principal, now: datetime
) -> None:
    """Escalate the high-severity exceptions, as if each had been raised a few days ago."""
    found = session.scalars(
        select(DataException)
        .where(DataException.ecosystem_id == ecosystem.id, DataException.severity == "high")
        .order_by(DataException.id)
    )
    for age_days, exception in enumerate(found, start=1):
        escalation_service.raise_from_exception(
            session=session,
            ecosystem=ecosystem,
            exception_id=exception.id,
            request_id=REQUEST_ID,
            principal=orchestrator,
            now=now - timedelta(days=min(age_days, 6), hours=3),
        )


def _partner_escalation(
    session: Session, ecosystem: eco.Ecosystem, partner: Principal, now: datetime
) -> None:
    escalation_service.raise_escalation(
        session=session,
        ecosystem=ecosystem,
        principal=partner,
        request_id=REQUEST_ID,
        title="Forecast for next quarter exceeds our committed capacity",
        detail="The shared forecast asks for more than our agreed weekly capacity from week 6 on; "
        "we need a decision on allocation or on adding a shift.",
        category="capacity_allocation",
        severity="medium",
        customer_impact=False,
        parties=(),
        source="partner",
        now=now - timedelta(hours=20),
    )


def _dispute(
    session: Session,
    ecosystem: eco.Ecosystem,
    orchestrator: Principal,
    partner: Principal,
    now: datetime,
) -> None:
    """The orchestrator disputes a late delivery's penalty with the partner."""
    late = session.scalars(
        select(Delivery)
        .where(Delivery.ecosystem_id == ecosystem.id, Delivery.provider == partner.partner_actor)
        .order_by(Delivery.promised_date)
        .limit(1)
    ).first()
    orchestrator_actor = dispute_service.acting_party(
        session=session, ecosystem=ecosystem, principal=orchestrator
    )
    dispute = dispute_service.open_dispute(
        session=session,
        ecosystem=ecosystem,
        principal=orchestrator,
        request_id=REQUEST_ID,
        title="Penalty for a late delivery",
        subject="delivery",
        subject_ref=late.order_id if late else None,
        parties=[orchestrator_actor, actor_party(str(partner.partner_actor))],
        now=now - timedelta(days=12),
    )
    dispute_service.add_entry(
        session=session,
        ecosystem=ecosystem,
        principal=partner,
        request_id=REQUEST_ID,
        dispute_id=dispute.id,
        kind="statement",
        text="The delay came from the carrier's strike; the agreement excuses force majeure.",
        now=now - timedelta(days=10),
    )


def _certification(
    session: Session, ecosystem: eco.Ecosystem, orchestrator: Principal, partner: str, today: date
) -> None:
    """A quality scheme; the partner certified, one supplier expiring and one expired."""
    certification_service.create_scheme(
        session=session,
        ecosystem=ecosystem,
        principal=orchestrator,
        request_id=REQUEST_ID,
        key="iatf-16949",
        name="IATF 16949 automotive quality",
        process="automotive-quality",
        levels=["conditional", "certified"],
        validity_days=3 * 365,
    )
    suppliers = session.scalars(
        select(eco.Actor.key)
        .where(eco.Actor.ecosystem_id == ecosystem.id, eco.Actor.kind == "supplier")
        .order_by(eco.Actor.id)
        .limit(4)
    ).all()
    expiries = [today + timedelta(days=400), today + timedelta(days=20), today - timedelta(days=5)]
    for actor, expires_on in zip(suppliers, expiries, strict=False):
        certification_service.certify(
            session=session,
            ecosystem=ecosystem,
            principal=orchestrator,
            request_id=REQUEST_ID,
            scheme="iatf-16949",
            actor=actor,
            level="certified",
            issued_on=expires_on - timedelta(days=3 * 365),
            expires_on=expires_on,
        )
    certification_service.record_training(
        session=session,
        ecosystem=ecosystem,
        principal=orchestrator,
        request_id=REQUEST_ID,
        actor=partner,
        person="Quality lead",
        course="Core tools: APQP and PPAP",
        completed_on=today - timedelta(days=30),
        scheme="iatf-16949",
        hours=16.0,
    )
    certification_service.raise_expiry_exceptions(
        session=session, ecosystem=ecosystem, on=today, warning_days=30
    )


def _platform(
    session: Session, ecosystem: eco.Ecosystem, orchestrator: Principal, now: datetime
) -> None:
    """Assess the cloud that hosts the orchestrator's systems, where the sample has one."""
    cloud = session.scalar(
        select(eco.Actor.key)
        .where(eco.Actor.ecosystem_id == ecosystem.id, eco.Actor.kind == "technology")
        .order_by(eco.Actor.id)
    )
    if cloud is None:
        return
    answers = {
        "terms_change": {"score": 3, "note": "Terms may change with 90 days' notice."},
        "data_migration": {"score": 2, "note": "Exports exist but were never tested."},
        "workflow_portability": {"score": 3, "note": "MES workflows use its proprietary engine."},
        "competes_with_us": {"score": 0, "note": "It sells no drive units."},
        "backup_options": {"score": 2, "note": "A second region, no second provider."},
        "service_levels": {"score": 1, "note": "99.9% with service credits."},
        "customer_relationship": {"score": 0, "note": "We own our customers."},
        "pricing_exposure": {"score": 2, "note": "Usage-based, no cap."},
    }
    platform_service.save_assessment(
        session=session,
        ecosystem=ecosystem,
        principal=orchestrator,
        request_id=REQUEST_ID,
        platform=cloud,
        category="cloud",
        answers=answers,
        now=now - timedelta(days=7),
    )
