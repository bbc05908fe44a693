"""A year of partner data for the demo, so that Learn's KPIs have something to measure.

:func:`seed` generates the history of :mod:`podium.learn.history` for the ecosystem and submits it
through :func:`podium.integrate.service.submit`, batch by batch, as the orchestrator (forecasts,
its risk monitoring) and as each partner supplier (deliveries, inventory, disruptions, risk
signals): weekly uploads at first, then most partners through the API. Each submission is dated
when the partner would have sent it and its data quality scored for that time. The joint
initiatives are recorded, the exception rules run once, and the late-delivery exceptions of past
lines are dated the day after the promised date and resolved on delivery. Order ids start at
``PO-200001``, apart from the integrate demo's ``PO-1xxx``.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.core.auth import Principal, Role
from podium.core.db import utcnow
from podium.ecosystem import models as eco
from podium.ecosystem.service import export_spec
from podium.integrate import datasets, exception_service, quality, service
from podium.integrate.models import DataException
from podium.learn import history, log_service, targets
from podium.learn import service as learn_service
from podium.learn.history_events import at
from podium.learn.schemas import InitiativeIn
from podium.mapping import service as mapping_service

REQUEST_ID = "learn-demo"


def seed(
    *, session: Session, ecosystem: eco.Ecosystem, orchestrator: Principal, today: date
) -> history.History:
    """Store a year (up to yesterday) of generated observations of every partner supplier."""
    found = history.generate(export_spec(session=session, ecosystem=ecosystem), today=today)
    feeds = {actor: _feed(ecosystem, actor) for actor in found.api_since}
    previous: dict[tuple[str, str], datetime] = {}
    for number, batch in enumerate(found.batches):
        records = datasets.validate_records(batch.dataset, list(batch.records))
        submission = service.submit(
            session=session,
            ecosystem=ecosystem,
            principal=feeds.get(batch.provider, orchestrator),
            dataset=batch.dataset,
            records=records,
            source=batch.source,
            request_id=f"{REQUEST_ID}-{number}",
        )
        key, sent = (batch.provider, batch.dataset), min(batch.at, utcnow())
        submission.submitted_at = sent
        submission.quality = _quality(batch.dataset, records, sent, previous.get(key))
        previous[key] = sent
    for initiative in found.initiatives:
        log_service.create_initiative(
            session=session,
            ecosystem=ecosystem,
            data=_initiative(initiative, ecosystem.currency),
            principal=orchestrator,
            request_id=REQUEST_ID,
        )
    exception_service.check(session=session, ecosystem=ecosystem)
    _settle_late_lines(session, ecosystem, found)
    _targets(session, ecosystem, orchestrator, today)
    _analyse(session, ecosystem, orchestrator)
    return found


def _analyse(session: Session, ecosystem: eco.Ecosystem, orchestrator: Principal) -> None:
    """Run the map's stress test by actor and its structure analysis, which give the segments
    their criticality (REI, single points of failure) and the report its exposure."""
    for kind, parameters in (("stress_test", {"by": "actor"}), ("structure", {})):
        run = mapping_service.start_run(
            session=session,
            ecosystem=ecosystem,
            kind=kind,
            parameters=parameters,
            user_id=orchestrator.user_id,
        )
        mapping_service.execute_run(sessions=session, run_id=run.id, workers=1)


DEMO_TARGETS = (
    ("otif", 0.95, 0.92, 0.88),
    ("forecast_wape", 0.15, 0.20, 0.30),
    ("recovery_time_days", 14.0, 21.0, 35.0),
    ("data_quality", 0.95, 0.90, 0.80),
)
"""(KPI, target, warning, breach) the demo orchestrator holds every partner to."""


def _targets(
    session: Session, ecosystem: eco.Ecosystem, orchestrator: Principal, today: date
) -> None:
    """Set the demo's targets and check the last complete month and quarter against them, so
    that breaches are exceptions the forums see."""
    for kpi, target, warning, breach in DEMO_TARGETS:
        targets.set_target(
            session=session, ecosystem=ecosystem, kpi=kpi, scope="ecosystem", target=target,
            warning=warning, breach=breach, principal=orchestrator, request_id=REQUEST_ID,
        )  # fmt: skip
    for kind in ("month", "quarter"):
        period = learn_service.latest_complete(kind, today)
        targets.check_targets(session=session, ecosystem=ecosystem, period=period)


def _feed(ecosystem: eco.Ecosystem, actor: str) -> Principal:
    """The partner's system feed: it acts for ``actor`` (no user: id 0)."""
    return Principal(
        user_id=0,
        username=f"{actor}-feed",
        role=Role.PARTNER_ADMIN,
        partner_ecosystem_id=ecosystem.id,
        partner_actor=actor,
    )


def _quality(
    dataset: str, records: list[BaseModel], at: datetime, previous: datetime | None
) -> dict[str, Any]:
    """Score the submission as :func:`service.submit` does, at its (past) time ``at``."""
    spec = datasets.DATASETS[dataset]
    rows = [datasets.to_row(record) for record in records]
    filled = sum(1 for row in rows for name in spec.optional if row.get(name) not in (None, []))
    score = quality.assess(
        records=len(rows),
        valid=len(rows),
        filled=filled,
        fillable=len(spec.optional) * len(rows),
        submitted_at=at,
        previous_at=previous,
        cadence_days=spec.cadence_days,
    )
    return asdict(score)


def _initiative(initiative: history.Initiative, currency: str) -> InitiativeIn:
    fields = asdict(initiative)
    fields["partners"] = list(initiative.partners)
    fields["milestones"] = list(initiative.milestones)
    return InitiativeIn.model_validate({**fields, "currency": currency})


def _settle_late_lines(session: Session, ecosystem: eco.Ecosystem, found: history.History) -> None:
    """Date each late-delivery exception of a generated line the day after its promised date;
    resolve it on the day the line was delivered (open lines stay open)."""
    lines: dict[str, dict[str, Any]] = {}
    for batch in found.batches:
        if batch.dataset == "deliveries":
            for row in batch.records:
                lines[f"{batch.provider}|{row['order_id']}|{row['line']}"] = row
    raised = session.scalars(
        select(DataException).where(
            DataException.ecosystem_id == ecosystem.id, DataException.rule == "late_shipments"
        )
    )
    for exception in raised:
        line = lines.get(exception.key)
        if line is None:
            continue
        exception.created_at = at(line["promised_date"] + timedelta(days=1), 6)
        exception.updated_at = exception.created_at
        if line["delivered_date"] is not None:
            exception.status = "resolved"
            exception.updated_at = at(line["delivered_date"], 16)
    session.flush()
