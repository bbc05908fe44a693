"""Partner data in and out: submissions (all-or-nothing, idempotent), reads under the agreements,
agreements themselves, exceptions and data quality.

Services never commit; the caller's unit of work does. EPCIS capture and query are in
:mod:`podium.integrate.capture`; enforcement of reads in :mod:`podium.integrate.access`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from podium.core import audit
from podium.core.auth import Principal
from podium.core.db import utcnow
from podium.core.errors import Conflict, Forbidden, Invalid, NotFound
from podium.ecosystem import models as eco
from podium.integrate import datasets, exception_service, models, quality

MAX_RECORDS = 10_000
"""Records one submission may carry; larger batches are refused with 413."""


class TooLarge(Invalid):
    """A submission over the size limit (HTTP 413)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.status, self.title = 413, "Content too large"


# --- who submits --------------------------------------------------------------------------------


def orchestrator_actor(*, session: Session, ecosystem: eco.Ecosystem) -> str | None:
    """Return the key of the ecosystem's orchestrator actor, if it names exactly one."""
    keys = session.scalars(
        select(eco.Actor.key).where(
            eco.Actor.ecosystem_id == ecosystem.id, eco.Actor.ecosystem_role == "orchestrator"
        )
    ).all()
    return keys[0] if len(keys) == 1 else None


def acting_actor(*, session: Session, ecosystem: eco.Ecosystem, principal: Principal) -> str:
    """Return the actor a caller submits for: its partner actor, or the orchestrator for staff."""
    if principal.is_partner:
        if principal.partner_ecosystem_id != ecosystem.id or principal.partner_actor is None:
            raise Forbidden("you act for a partner of another ecosystem")
        return principal.partner_actor
    actor = orchestrator_actor(session=session, ecosystem=ecosystem)
    if actor is None:
        raise Invalid("this ecosystem names no single orchestrator actor to submit for")
    return actor


# --- submissions --------------------------------------------------------------------------------


def digest(payload: Any) -> str:
    """Return the SHA-256 of a JSON-compatible payload in canonical form."""
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def record_key(dataset: str, row: Mapping[str, Any]) -> str:
    """Return the identity of a record within its provider and dataset (SHA-1 of its key)."""
    key = [str(row.get(field)) for field in datasets.DATASETS[dataset].key]
    return hashlib.sha1("\x1f".join(key).encode()).hexdigest()


def find_replay(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    provider: str,
    dataset: str,
    idempotency_key: str | None,
    request_digest: str,
) -> models.Submission | None:
    """Return the earlier submission an ``Idempotency-Key`` names, if this is a retry of it.

    The same key with a different body is refused (409): the key names one request.
    """
    if idempotency_key is None:
        return None
    earlier = session.scalar(
        select(models.Submission).where(
            models.Submission.ecosystem_id == ecosystem.id,
            models.Submission.provider == provider,
            models.Submission.dataset == dataset,
            models.Submission.idempotency_key == idempotency_key,
        )
    )
    if earlier is not None and earlier.request_digest != request_digest:
        raise Conflict("this Idempotency-Key was used with a different request body")
    return earlier


def submit(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    principal: Principal,
    dataset: str,
    records: Sequence[BaseModel],
    source: str,
    request_id: str,
    idempotency_key: str | None = None,
    request_digest: str = "",
    frozen_days: int = 14,
    swing_threshold: float = 0.2,
) -> models.Submission:
    """Store validated ``records`` of ``dataset`` as one submission of the caller's actor.

    References to items, sites and actors the ecosystem does not know are refused; records with
    the key of a stored current record supersede it (its history stays). A forecast changed by
    more than ``swing_threshold`` (relative) for a period starting within ``frozen_days`` raises
    an exception. Writes are audited.
    """
    spec = dataset_spec(dataset)
    if len(records) > MAX_RECORDS:
        raise TooLarge(f"a submission carries at most {MAX_RECORDS} records ({len(records)} sent)")
    provider = acting_actor(session=session, ecosystem=ecosystem, principal=principal)
    _check_references(session, ecosystem, dataset, records)
    rows = [datasets.to_row(record) for record in records]
    now = utcnow()
    submission = models.Submission(
        ecosystem_id=ecosystem.id,
        provider=provider,
        dataset=dataset,
        source=source,
        submitted_at=now,
        user_id=principal.user_id,
        request_id=request_id,
        idempotency_key=idempotency_key,
        request_digest=request_digest or digest(rows),
        record_count=len(rows),
        quality=_quality(session, ecosystem, provider, dataset, rows, now),
    )
    session.add(submission)
    session.flush()
    previous = _stored_versions(session, ecosystem, provider, dataset, rows)
    _store_rows(session, ecosystem, provider, dataset, submission.id, rows)
    if dataset == "forecasts" and previous:
        exception_service.swings(
            session=session,
            ecosystem=ecosystem,
            provider=provider,
            previous=previous,
            current=rows,
            today=now.date(),
            frozen_days=frozen_days,
            threshold=swing_threshold,
        )
    audit.record(
        session=session,
        request_id=request_id,
        principal=principal,
        action="write",
        ecosystem_id=ecosystem.id,
        dataset=spec.name,
        provider=provider,
        agreement=None,
        filter={"submission": submission.id},
        row_count=len(rows),
    )
    return submission


def dataset_spec(dataset: str) -> datasets.DatasetSpec:
    spec = datasets.DATASETS.get(dataset)
    if spec is None:
        known = ", ".join(sorted(datasets.DATASETS))
        raise NotFound(f"no dataset {dataset!r} (known: {known})")
    return spec


def _check_references(
    session: Session, ecosystem: eco.Ecosystem, dataset: str, records: Sequence[BaseModel]
) -> None:
    def keys(table: Any) -> set[str]:
        return set(session.scalars(select(table.key).where(table.ecosystem_id == ecosystem.id)))

    sites = keys(eco.Site)
    errors = datasets.check_references(
        dataset, records, items=keys(eco.Item), sites=sites, actors=keys(eco.Actor)
    )
    if errors:
        raise Invalid(f"{len(errors)} record(s) name what the ecosystem does not know", errors)


def _stored_versions(
    session: Session,
    ecosystem: eco.Ecosystem,
    provider: str,
    dataset: str,
    rows: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """Return the current stored forecasts that ``rows`` will supersede (for the swing rule)."""
    if dataset != "forecasts":
        return []
    keys = [record_key(dataset, row) for row in rows]
    table = models.Forecast
    names = list(datasets.DATASETS[dataset].model.model_fields)
    found: list[dict[str, Any]] = []
    for start in range(0, len(keys), 500):
        query = select(*(getattr(table, n) for n in names)).where(
            table.ecosystem_id == ecosystem.id,
            table.provider == provider,
            table.current.is_(True),
            table.record_key.in_(keys[start : start + 500]),
        )
        found += [dict(zip(names, row, strict=True)) for row in session.execute(query)]
    return found


def _store_rows(
    session: Session,
    ecosystem: eco.Ecosystem,
    provider: str,
    dataset: str,
    submission_id: int,
    rows: list[dict[str, Any]],
) -> None:
    """Insert the rows, first marking the current rows with the same keys as superseded."""
    table: Any = models.DATASET_TABLES[dataset]
    base = {"ecosystem_id": ecosystem.id, "provider": provider, "submission_id": submission_id}
    full = [
        {**base, **row, "record_key": record_key(dataset, row), "current": True} for row in rows
    ]
    keys = [row["record_key"] for row in full]
    for start in range(0, len(keys), 500):
        session.execute(
            update(table)
            .where(
                table.ecosystem_id == ecosystem.id,
                table.provider == provider,
                table.current.is_(True),
                table.record_key.in_(keys[start : start + 500]),
            )
            .values(current=False)
        )
    if full:
        session.execute(insert(table), full)


def _quality(
    session: Session,
    ecosystem: eco.Ecosystem,
    provider: str,
    dataset: str,
    rows: list[dict[str, Any]],
    now: datetime,
) -> dict[str, Any]:
    """Score the submission: valid (all are, or it was refused), complete, on time."""
    spec = datasets.DATASETS[dataset]
    optional = [name for name, info in spec.model.model_fields.items() if not info.is_required()]
    filled = sum(1 for row in rows for name in optional if row.get(name) not in (None, [], ""))
    previous = session.scalar(
        select(func.max(models.Submission.submitted_at)).where(
            models.Submission.ecosystem_id == ecosystem.id,
            models.Submission.provider == provider,
            models.Submission.dataset == dataset,
        )
    )
    score = quality.assess(
        records=len(rows),
        valid=len(rows),
        filled=filled,
        fillable=len(optional) * len(rows),
        submitted_at=now,
        previous_at=previous,
        cadence_days=spec.cadence_days,
    )
    return asdict(score)


def list_submissions(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    principal: Principal,
    dataset: str | None = None,
    limit: int = 100,
) -> list[models.Submission]:
    """Return recent submissions: a partner's own, or every provider's for orchestrator staff."""
    query = select(models.Submission).where(models.Submission.ecosystem_id == ecosystem.id)
    if principal.is_partner:
        query = query.where(models.Submission.provider == principal.partner_actor)
    if dataset is not None:
        query = query.where(models.Submission.dataset == dataset)
    query = query.order_by(models.Submission.id.desc()).limit(limit)
    return list(session.scalars(query))


def quality_by_partner(*, session: Session, ecosystem: eco.Ecosystem) -> dict[str, quality.Quality]:
    """Return each provider's data quality over its submissions (orchestrator view)."""
    found: dict[str, list[quality.Quality]] = {}
    rows = session.execute(
        select(models.Submission.provider, models.Submission.quality).where(
            models.Submission.ecosystem_id == ecosystem.id
        )
    )
    for provider, scored in rows:
        found.setdefault(provider, []).append(quality.Quality(**scored))
    return {provider: quality.partner_quality(scores) for provider, scores in sorted(found.items())}
