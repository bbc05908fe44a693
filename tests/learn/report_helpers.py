"""A small ecosystem with a quarter's worth of Learn data, shared by the report, page and browser
tests: CastCo and Alloy deliveries, an OTIF target, a joint initiative and a Q3 review."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from podium.core.auth import Principal, Role
from podium.ecosystem import models as eco
from podium.integrate import datasets
from podium.integrate import service as data_service
from podium.learn import log_service, targets
from podium.learn.periods import parse_period
from podium.learn.schemas import InitiativeIn, ReviewIn

Q3 = parse_period("2026-Q3")
ANALYST = Principal(user_id=1, username="ana", role=Role.ANALYST)
CASTCO_LINES = [
    (date(2026, 5, 1), date(2026, 4, 30)),
    (date(2026, 6, 1), date(2026, 6, 1)),
    (date(2026, 7, 10), date(2026, 7, 9)),
    (date(2026, 7, 20), date(2026, 7, 20)),
    (date(2026, 8, 5), date(2026, 8, 4)),
    (date(2026, 9, 1), date(2026, 9, 3)),
]
"""(promised, delivered): Q2 two of two on time, Q3 three of four (the last two days late)."""
ALLOY_LINES = [(date(2026, 8, 1), date(2026, 8, 20))]
"""Q3: one line, 19 days late."""
CASTCO_LESSON = "CastCo's new die cut the scrap rate in half."
ALLOY_LESSON = "Alloy's furnace outage was not on the risk radar."


def partner(ecosystem: eco.Ecosystem, actor: str, role: Role = Role.PARTNER_USER) -> Principal:
    """A user acting for ``actor``."""
    return Principal(user_id=20, username=f"{actor}-user", role=role,
                     partner_ecosystem_id=ecosystem.id, partner_actor=actor)  # fmt: skip


def deliver(
    session: Session, ecosystem: eco.Ecosystem, actor: str, lines: list[tuple[date, date]]
) -> None:
    """Submit order lines of 100 units, delivered in full, as ``actor``."""
    records = [
        datasets.Delivery(
            order_id=f"{actor}-{promised.isoformat()}", item="housing", ship_to="oem-plant",
            promised_date=promised, promised_quantity=100.0, delivered_date=delivered,
            delivered_quantity=100.0,
        )
        for promised, delivered in lines
    ]  # fmt: skip
    feed = partner(ecosystem, actor, Role.PARTNER_ADMIN)
    data_service.submit(
        session=session, ecosystem=ecosystem, principal=feed, dataset="deliveries",
        records=records, source="api", request_id="t",
    )  # fmt: skip


def seed_learn(session: Session, ecosystem: eco.Ecosystem) -> None:
    """Deliveries of CastCo and Alloy, an ecosystem OTIF target (0.95, warning 0.9, breach 0.8),
    a launched initiative with CastCo and a Q3 review with one lesson per partner."""
    deliver(session, ecosystem, "castco", CASTCO_LINES)
    deliver(session, ecosystem, "alloy", ALLOY_LINES)
    targets.set_target(session=session, ecosystem=ecosystem, kpi="otif", scope="ecosystem",
                       target=0.95, warning=0.9, breach=0.8, principal=ANALYST)  # fmt: skip
    log_service.create_initiative(
        session=session, ecosystem=ecosystem, principal=ANALYST,
        data=InitiativeIn(key="die-redesign", title="Housing die redesign", partners=["castco"],
                          started_on=date(2026, 5, 4), launched_on=date(2026, 8, 17),
                          value_created=50_000.0),
    )  # fmt: skip
    log_service.create_review(
        session=session, ecosystem=ecosystem, principal=ANALYST,
        data=ReviewIn.model_validate({
            "kind": "period", "period": "2026-Q3", "title": "Q3 review",
            "entries": [
                {"kind": "value_created", "text": CASTCO_LESSON, "partners": ["castco"],
                 "links": [{"kind": "initiative", "id": "die-redesign"}]},
                {"kind": "risk_missed", "text": ALLOY_LESSON, "partners": ["alloy"],
                 "links": [{"kind": "kpi", "id": "otif"}]},
            ],
        }),
    )  # fmt: skip
    session.flush()
