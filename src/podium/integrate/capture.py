"""EPCIS 2.0 capture and query (GS1 REST binding): validate, store as one job, read under the
agreements.

Capture validates the whole document before answering: a refused document gets 400 with every
error (``epcisException:ValidationException``) and nothing is stored. An accepted one gets 202 and
a capture job; its events are stored afterwards in one transaction, so the job ends with all of
them stored or none. Reads of another provider's events need an agreement for the dataset
``epcis_events`` at raw granularity (events cannot be aggregated without losing what they are);
its permitted fields select the event's keys.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, insert, or_, select
from sqlalchemy.orm import Session, sessionmaker

from podium.core import audit
from podium.core.auth import Principal
from podium.core.db import unit_of_work, utcnow
from podium.core.errors import Forbidden, NotFound, PodiumError
from podium.ecosystem import models as eco
from podium.integrate import epcis, models, policy
from podium.integrate.access import reader_of
from podium.integrate.service import acting_actor, digest

DATASET = "epcis_events"
MAX_EVENTS = 10_000
"""Events one capture may carry (the binding lets the server set this limit)."""
ALWAYS_SHOWN = ("type", "eventTime", "eventTimeZoneOffset")
logger = logging.getLogger(__name__)


class ValidationException(PodiumError):
    """An EPCIS document refused at capture (400, as the GS1 REST binding says)."""

    def __init__(self, errors: Sequence[dict[str, str]]) -> None:
        super().__init__(
            detail=f"the EPCIS document is not valid ({len(errors)} error(s))",
            status=400,
            title="epcisException:ValidationException",
            errors=list(errors),
        )


SchemaCheck = Callable[[Any], list[dict[str, str]]]


def validate(document: Any, schema_check: SchemaCheck | None = None) -> epcis.EpcisDocument:
    """Return the document's events, or raise :class:`ValidationException`.

    ``schema_check`` (the official JSON Schema, when the operator configured its path) is
    applied after the fast path, which is at least as strict for the standard's fields.
    """
    try:
        parsed = epcis.parse_document(document)
    except epcis.EpcisError as error:
        raise ValidationException(error.errors) from error
    errors = schema_check(document) if schema_check is not None else []
    if errors:
        raise ValidationException(errors)
    if len(parsed.events) > MAX_EVENTS:
        raise PodiumError(
            detail=f"a capture carries at most {MAX_EVENTS} events ({len(parsed.events)} sent)",
            status=413,
            title="epcisException:CaptureLimitExceededException",
        )
    return parsed


def start_capture(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    principal: Principal,
    document: Any,
    request_id: str,
    idempotency_key: str | None = None,
    error_behaviour: str = "rollback",
    schema_check: SchemaCheck | None = None,
) -> tuple[models.CaptureJob, list[epcis.EpcisEvent]]:
    """Validate ``document`` and open its capture job; return the job and the events to store.

    A retry with the same ``Idempotency-Key`` and body returns the first job and no events.
    """
    if error_behaviour not in ("rollback", "proceed"):
        raise ValidationException(
            [{"pointer": "#/headers/GS1-Capture-Error-Behaviour", "detail": "rollback or proceed"}]
        )
    provider = acting_actor(session=session, ecosystem=ecosystem, principal=principal)
    # Only a retry (same Idempotency-Key) compares digests, and canonical JSON of a large
    # document costs about half as much as validating it: skip it when there is no key.
    request_digest = digest(document) if idempotency_key is not None else ""
    earlier = _replay(session, ecosystem, provider, idempotency_key, request_digest)
    if earlier is not None:
        return earlier, []
    parsed = validate(document, schema_check)
    job = models.CaptureJob(
        id="cap-" + secrets.token_hex(12),
        ecosystem_id=ecosystem.id,
        provider=provider,
        user_id=principal.user_id,
        request_id=request_id,
        error_behaviour=error_behaviour,
        event_count=len(parsed.events),
        idempotency_key=idempotency_key,
        request_digest=request_digest,
        running=True,
        success=True,
        errors=[],
    )
    session.add(job)
    session.flush()
    return job, parsed.events


def _replay(
    session: Session,
    ecosystem: eco.Ecosystem,
    provider: str,
    idempotency_key: str | None,
    request_digest: str,
) -> models.CaptureJob | None:
    if idempotency_key is None:
        return None
    earlier = session.scalar(
        select(models.CaptureJob).where(
            models.CaptureJob.ecosystem_id == ecosystem.id,
            models.CaptureJob.provider == provider,
            models.CaptureJob.idempotency_key == idempotency_key,
        )
    )
    if earlier is not None and earlier.request_digest != request_digest:
        raise PodiumError(
            detail="this Idempotency-Key was used with a different request body",
            status=409,
            title="Conflict",
        )
    return earlier


def store_events(
    *,
    factory: sessionmaker[Session],
    job_id: str,
    events: Sequence[epcis.EpcisEvent],
    principal: Principal,
) -> None:
    """Store a job's events in one transaction and close the job (success or failure)."""
    try:
        with unit_of_work(factory) as session:
            job = _job(session, job_id)
            insert_events(session, job, events)
            audit.record(
                session=session,
                request_id=job.request_id,
                principal=principal,
                action="write",
                ecosystem_id=job.ecosystem_id,
                dataset=DATASET,
                provider=job.provider,
                agreement=None,
                filter={"capture": job.id},
                row_count=len(events),
            )
            _finish(job, [])
    except Exception:  # the job must tell the client that nothing was stored
        logger.exception("capture job %s failed: nothing was stored", job_id)
        detail = f"the events could not be stored, so none were (see the log for {job_id})"
        with unit_of_work(factory) as session:
            _finish(_job(session, job_id), [{"detail": detail}])
        raise


def _job(session: Session, job_id: str) -> models.CaptureJob:
    job = session.get(models.CaptureJob, job_id)
    if job is None:
        raise NotFound(f"no capture job {job_id!r}")
    return job


def _finish(job: models.CaptureJob, errors: list[dict[str, str]]) -> None:
    job.running, job.success, job.errors, job.finished_at = False, not errors, errors, utcnow()


def insert_events(
    session: Session, job: models.CaptureJob, events: Sequence[epcis.EpcisEvent]
) -> None:
    rows = [
        {
            "ecosystem_id": job.ecosystem_id,
            "provider": job.provider,
            "capture_id": job.id,
            "event_id": event.event_id,
            "event_type": event.event_type,
            "event_time": event.event_time,
            "event_time_zone_offset": event.event_time_zone_offset,
            "action": event.action,
            "biz_step": event.biz_step,
            "disposition": event.disposition,
            "read_point": event.read_point,
            "biz_location": event.biz_location,
            "epcs": "|" + "|".join(event.epcs) + "|" if event.epcs else "",
            "body": event.body,
        }
        for event in events
    ]
    # Core executemany on the table: the ORM's bulk path costs more than the insert itself.
    table: Any = models.EpcisEventRow.__table__
    for start in range(0, len(rows), 5_000):
        session.execute(insert(table), rows[start : start + 5_000])


def get_job(
    *, session: Session, ecosystem: eco.Ecosystem, principal: Principal, job_id: str
) -> models.CaptureJob:
    """Return a capture job to its provider's users or the orchestrator's staff."""
    job = session.get(models.CaptureJob, job_id)
    if job is None or job.ecosystem_id != ecosystem.id:
        raise NotFound(f"no capture job {job_id!r}")
    if principal.is_partner and job.provider != principal.partner_actor:
        raise NotFound(f"no capture job {job_id!r}")
    return job


def job_document(job: models.CaptureJob) -> dict[str, Any]:
    """The capture job as the GS1 REST binding shows it."""
    return {
        "captureID": job.id,
        "createdAt": _utc(job.created_at).isoformat(),
        "finishedAt": _utc(job.finished_at).isoformat() if job.finished_at else None,
        "running": job.running,
        "success": job.success,
        "captureErrorBehaviour": job.error_behaviour,
        "eventCount": job.event_count,
        "errors": job.errors,
    }


def _utc(moment: datetime) -> datetime:
    """Stored times are UTC; SQLite gives them back without their zone."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def query_events(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    principal: Principal,
    query: epcis.EventQuery,
    purpose: str | None,
    request_id: str,
    limit: int = 1_000,
) -> list[dict[str, Any]]:
    """Return the event bodies matching ``query`` that the caller may read, oldest first."""
    found: list[dict[str, Any]] = []
    for grant in _grants(session, ecosystem, principal, purpose):
        if not grant.grain.is_raw or len(found) >= limit:
            continue
        rows = session.scalars(
            select(models.EpcisEventRow.body)
            .where(*_conditions(ecosystem, grant, query))
            .order_by(models.EpcisEventRow.event_time, models.EpcisEventRow.id)
            .limit(limit - len(found))
        ).all()
        bodies = [_shown(body, grant) for body in rows]
        found.extend(bodies)
        audit.record(
            session=session,
            request_id=request_id,
            principal=principal,
            action="read",
            ecosystem_id=ecosystem.id,
            dataset=DATASET,
            provider=grant.provider,
            agreement=grant.agreement,
            filter={"query": repr(query), "purpose": purpose},
            row_count=len(bodies),
        )
    return found


def _grants(
    session: Session, ecosystem: eco.Ecosystem, principal: Principal, purpose: str | None
) -> list[policy.Grant]:
    from podium.integrate.access import agreements_in

    if principal.is_partner and principal.partner_ecosystem_id != ecosystem.id:
        raise Forbidden("you act for a partner of another ecosystem")
    reader = reader_of(session=session, ecosystem=ecosystem, principal=principal)
    providers = session.scalars(
        select(models.EpcisEventRow.provider)
        .where(models.EpcisEventRow.ecosystem_id == ecosystem.id)
        .distinct()
    ).all()
    agreements = agreements_in(session=session, ecosystem=ecosystem, dataset=DATASET)
    return policy.grants_for(
        agreements if purpose else [],
        reader=reader.actor,
        reader_groups=reader.groups,
        dataset=DATASET,
        purpose=purpose or "",
        at=utcnow(),
        providers=sorted(providers),
    )


def _conditions(
    ecosystem: eco.Ecosystem, grant: policy.Grant, query: epcis.EventQuery
) -> list[Any]:
    table = models.EpcisEventRow
    found: list[Any] = [table.ecosystem_id == ecosystem.id, table.provider == grant.provider]
    columns = {
        "event_type": query.event_types,
        "biz_step": query.biz_steps,
        "disposition": query.dispositions,
        "biz_location": query.biz_locations,
        "read_point": query.read_points,
    }
    for name, values in columns.items():
        if values:
            found.append(getattr(table, name).in_(list(values)))
    for name, values in grant.filters.items():
        if name not in models.EVENT_FILTERS:
            return [table.id.is_(None)]  # a filter on what events do not carry matches none
        found.append(getattr(table, name).in_(list(values)))
    if query.ge_event_time is not None:
        found.append(table.event_time >= query.ge_event_time)
    if query.lt_event_time is not None:
        found.append(table.event_time < query.lt_event_time)
    if query.epcs:
        found.append(or_(*(table.epcs.contains(f"|{epc}|") for epc in query.epcs)))
    return [and_(*found)]


def _shown(body: dict[str, Any], grant: policy.Grant) -> dict[str, Any]:
    if grant.fields is None:
        return body
    return {k: v for k, v in body.items() if k in grant.fields or k in ALWAYS_SHOWN}
