"""Raise, store and list the exceptions of incoming data (rules in :mod:`exceptions`).

A finding becomes a stored exception once: its ``(rule, key)`` identity makes a re-run or a
re-submission leave the existing exception (and its status) alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from podium.core.db import utcnow
from podium.core.errors import NotFound
from podium.ecosystem import models as eco
from podium.integrate import datasets, exceptions, models

STATUSES = ("open", "acknowledged", "resolved")


def store(
    *, session: Session, ecosystem: eco.Ecosystem, findings: Iterable[exceptions.Finding]
) -> int:
    """Store the findings not stored yet; return how many were new."""
    new = 0
    for finding in findings:
        exists = session.scalar(
            select(models.DataException.id).where(
                models.DataException.ecosystem_id == ecosystem.id,
                models.DataException.rule == finding.rule,
                models.DataException.key == finding.key,
            )
        )
        if exists is None:
            session.add(
                models.DataException(
                    ecosystem_id=ecosystem.id,
                    rule=finding.rule,
                    key=finding.key,
                    severity=finding.severity,
                    owner=finding.owner,
                    subject=finding.subject,
                    detail=finding.detail,
                )
            )
            new += 1
    session.flush()
    return new


def current_rows(
    session: Session, ecosystem: eco.Ecosystem, dataset: str, provider: str | None = None
) -> list[dict[str, Any]]:
    """Return the current rows of a dataset (one provider's, or every provider's)."""
    table: Any = models.DATASET_TABLES[dataset]
    names = ["provider", *datasets.DATASETS[dataset].model.model_fields]
    query = select(*(getattr(table, n) for n in names)).where(
        table.ecosystem_id == ecosystem.id, table.current.is_(True)
    )
    if provider is not None:
        query = query.where(table.provider == provider)
    return [dict(zip(names, row, strict=True)) for row in session.execute(query)]


def check(*, session: Session, ecosystem: eco.Ecosystem, now: datetime | None = None) -> int:
    """Run the rules over the current data: late shipments, capacity below forecast, missing
    submissions. Return the number of new exceptions."""
    now = now or utcnow()
    findings: list[exceptions.Finding] = []
    deliveries = _by_provider(current_rows(session, ecosystem, "deliveries"))
    for provider, rows in deliveries.items():
        findings += exceptions.late_shipments(rows, provider=provider, today=now.date())
    forecasts = current_rows(session, ecosystem, "forecasts")
    for provider, rows in _by_provider(current_rows(session, ecosystem, "capacity")).items():
        findings += exceptions.capacity_shortfalls(
            rows, forecasts, provider=provider, customer=None
        )
    findings += exceptions.missing_submissions(
        _last_submissions(session, ecosystem),
        now=now,
        cadence_days={name: spec.cadence_days for name, spec in datasets.DATASETS.items()},
    )
    return store(session=session, ecosystem=ecosystem, findings=findings)


def _by_provider(rows: Sequence[Mapping[str, Any]]) -> dict[str, list[Mapping[str, Any]]]:
    found: dict[str, list[Mapping[str, Any]]] = {}
    for row in rows:
        found.setdefault(str(row["provider"]), []).append(row)
    return found


def _last_submissions(
    session: Session, ecosystem: eco.Ecosystem
) -> dict[tuple[str, str], datetime | None]:
    """Each submitting provider's last submission per dataset (None for datasets it never
    sent, so a cadence it owes shows as missing)."""
    rows = session.execute(
        select(
            models.Submission.provider,
            models.Submission.dataset,
            func.max(models.Submission.submitted_at),
        )
        .where(models.Submission.ecosystem_id == ecosystem.id)
        .group_by(models.Submission.provider, models.Submission.dataset)
    ).all()
    return {(provider, dataset): at for provider, dataset, at in rows}


def swings(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    provider: str,
    previous: Sequence[Mapping[str, Any]],
    current: Sequence[Mapping[str, Any]],
    today: date,
    frozen_days: int,
    threshold: float,
) -> int:
    """Raise exceptions for forecast changes beyond ``threshold`` inside the frozen horizon."""
    findings = exceptions.forecast_swings(
        previous,
        current,
        provider=provider,
        today=today,
        frozen_days=frozen_days,
        threshold=threshold,
    )
    return store(session=session, ecosystem=ecosystem, findings=findings)


def listing(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    status: str | None = None,
    owner: str | None = None,
    limit: int = 500,
) -> list[models.DataException]:
    """Return exceptions, most severe and newest first."""
    query = select(models.DataException).where(models.DataException.ecosystem_id == ecosystem.id)
    if status is not None:
        query = query.where(models.DataException.status == status)
    if owner is not None:
        query = query.where(models.DataException.owner == owner)
    rank = {"critical": 0, "high": 1, "medium": 2, "low": 3}
    found = list(session.scalars(query.order_by(models.DataException.id.desc()).limit(limit)))
    return sorted(found, key=lambda e: rank.get(e.severity, 4))


def set_status(
    *, session: Session, ecosystem: eco.Ecosystem, exception_id: int, status: str
) -> models.DataException:
    """Acknowledge or resolve an exception (or open it again)."""
    found = session.get(models.DataException, exception_id)
    if found is None or found.ecosystem_id != ecosystem.id:
        raise NotFound(f"no exception {exception_id}")
    found.status = status
    return found
