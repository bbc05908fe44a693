"""API routes of Learn: the KPIs of a period (JSON, CSV, XLSX) and their trend, KPI targets and
their check, joint initiatives and reviews.

Thin over :mod:`podium.learn.service`, :mod:`podium.learn.targets` and
:mod:`podium.learn.log_service`. Reading needs ``learn:read`` (a partner sees its own numbers,
the initiatives it takes part in and the review entries that name it); changing targets,
initiatives and reviews and storing breaches need ``learn:write``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Depends, Path, Query, Response

from podium.core.auth import Permission, Principal
from podium.core.db import utcnow
from podium.core.deps import RequestId, SessionDep, require
from podium.core.errors import Invalid
from podium.ecosystem import service as eco_service
from podium.integrate import tables
from podium.learn import frames, log_service, service, targets
from podium.learn.periods import KINDS, Period, parse_period, previous
from podium.learn.schemas import (
    InitiativeIn,
    InitiativeRead,
    InitiativeUpdate,
    KpiRow,
    KpiTableRead,
    ReviewIn,
    ReviewRead,
    SeriesPoint,
    SeriesRead,
    TargetCheckRead,
    TargetRead,
    TargetsIn,
)

router = APIRouter(tags=["learn"])

Reader = Annotated[Principal, Depends(require(Permission.LEARN_READ))]
Writer = Annotated[Principal, Depends(require(Permission.LEARN_WRITE))]
PeriodText = Annotated[
    str | None, Query(description="2026, 2026-Q3, 2026-09 or 2026-W36; default: last quarter")
]
ReviewId = Annotated[int, Path(ge=1, le=2**31 - 1)]
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@contextmanager
def _located(prefix: str) -> Iterator[None]:
    """Re-raise a service's Invalid with its pointers under ``prefix`` (e.g. ``#/query``)."""
    try:
        yield
    except Invalid as error:
        errors = [{**e, "pointer": prefix + str(e.get("pointer", ""))} for e in error.errors]
        raise Invalid(error.detail, errors) from error


def _period(text: str | None, kind: str = "quarter") -> Period:
    if text is None:
        return service.latest_complete(kind, utcnow().date())
    try:
        return parse_period(text)
    except ValueError as error:
        raise Invalid(str(error), [{"pointer": "#/query/period", "detail": str(error)}]) from None


def _listed(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


@router.get("/ecosystems/{name}/kpis", response_model=None)
def kpi_table(
    principal: Reader,
    session: SessionDep,
    name: str,
    period: PeriodText = None,
    by: Annotated[str, Query(description="comma-separated: provider, region, item ...")] = "",
    keys: Annotated[str | None, Query(description="comma-separated KPI keys; default all")] = None,
    format: Literal["json", "csv", "xlsx"] = "json",
) -> KpiTableRead | Response:
    """Return the KPIs of a period, grouped by ``by`` (a partner: its own numbers)."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    chosen, groups = _period(period), _listed(by)
    with _located("#/query"):
        results = service.compute(
            session=session, ecosystem=ecosystem, period=chosen,
            keys=_listed(keys) if keys is not None else None, by=groups, principal=principal,
        )  # fmt: skip
    rows = service.table_rows(results, groups)
    if format == "json":
        return KpiTableRead(
            ecosystem=ecosystem.name, period=chosen.label, by=groups,
            rows=[KpiRow(**_kpi_row(row, groups)) for row in rows],
        )  # fmt: skip
    columns = ["kpi", "title", "unit", *groups, "value", "basis"]
    filename = f"{ecosystem.name}-kpis-{chosen.label}.{format}"
    return Response(
        tables.write_table(
            [{**r, "period": chosen.label} for r in rows], ["period", *columns], format
        ),
        media_type=MEDIA_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _kpi_row(row: dict[str, object], groups: list[str]) -> dict[str, object]:
    named = {name: (None if row[name] is None else str(row[name])) for name in groups}
    return {**{k: v for k, v in row.items() if k not in groups}, "groups": named}


@router.get("/ecosystems/{name}/kpis/{key}/series")
def kpi_series(
    principal: Reader,
    session: SessionDep,
    name: str,
    key: str,
    periods: Annotated[int, Query(ge=1, le=60)] = 8,
    kind: Annotated[str, Query(description=", ".join(KINDS))] = "quarter",
    until: PeriodText = None,
    by: Annotated[str, Query(description="comma-separated grouping; default none")] = "",
) -> SeriesRead:
    """Return a KPI over the last ``periods`` complete periods of ``kind`` (oldest first)."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    if kind not in KINDS:
        detail = f"kind must be one of {', '.join(KINDS)}"
        raise Invalid(detail, [{"pointer": "#/query/kind", "detail": detail}])
    if key not in frames.KPIS:
        raise Invalid(f"no KPI {key!r}", [{"pointer": "#/path/key", "detail": "unknown KPI"}])
    last, groups = _period(until, kind), _listed(by)
    with _located("#/query"):
        found = service.kpi_series(
            session=session, ecosystem=ecosystem, key=key, periods=previous(last, periods),
            by=groups, principal=principal,
        )  # fmt: skip
    spec = frames.KPIS[key]
    points = [
        SeriesPoint(
            period=row["period"], value=row["value"], basis=row["basis"],
            groups={g: None if row[g] is None else str(row[g]) for g in groups},
        )
        for row in found.iter_rows(named=True)
    ]  # fmt: skip
    return SeriesRead(
        kpi=key, title=spec.title, unit=spec.unit, better=spec.better, by=groups, points=points
    )


@router.get("/ecosystems/{name}/kpi-targets")
def list_targets(principal: Reader, session: SessionDep, name: str) -> list[TargetRead]:
    """List the KPI targets (a partner: the ecosystem's and its own)."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    found = targets.list_targets(session=session, ecosystem=ecosystem, principal=principal)
    return [TargetRead.model_validate(t) for t in found]


@router.put("/ecosystems/{name}/kpi-targets")
def set_targets(
    principal: Writer,
    session: SessionDep,
    request_id: RequestId,
    name: str,
    body: Annotated[TargetsIn, Body()],
) -> list[TargetRead]:
    """Set the given targets (each created or changed; targets not named stay)."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    stored = []
    for index, item in enumerate(body.targets):
        with _located(f"/targets/{index}"):
            stored.append(
                targets.set_target(
                    session=session,
                    ecosystem=ecosystem,
                    principal=principal,
                    request_id=request_id,
                    **item.model_dump(),
                )
            )
    return [TargetRead.model_validate(t) for t in stored]


@router.delete("/ecosystems/{name}/kpi-targets/{kpi}", status_code=204)
def delete_target(
    principal: Writer,
    session: SessionDep,
    request_id: RequestId,
    name: str,
    kpi: str,
    scope: str = targets.ECOSYSTEM,
) -> Response:
    """Remove the target of a KPI for a scope (``ecosystem`` or a partner actor key)."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    targets.delete_target(
        session=session, ecosystem=ecosystem, kpi=kpi, scope=scope, principal=principal,
        request_id=request_id,
    )  # fmt: skip
    return Response(status_code=204)


def _checks(found: list[targets.TargetCheck]) -> list[TargetCheckRead]:
    return [
        TargetCheckRead(
            kpi=c.target.kpi, scope=c.target.scope, period=c.period, value=c.value,
            basis=c.basis, status=c.status, severity=c.severity, target=c.target.target,
            breach=c.target.breach,
        )
        for c in found
    ]  # fmt: skip


@router.get("/ecosystems/{name}/kpi-targets/status")
def target_status(
    principal: Reader, session: SessionDep, name: str, period: PeriodText = None
) -> list[TargetCheckRead]:
    """Check the targets against a period without storing anything."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    found = targets.evaluate(
        session=session, ecosystem=ecosystem, period=_period(period), principal=principal
    )
    return _checks(found)


@router.post("/ecosystems/{name}/kpi-targets/check")
def check_targets(
    principal: Writer, session: SessionDep, name: str, period: PeriodText = None
) -> list[TargetCheckRead]:
    """Check the targets against a period; store each breach once as a data exception."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    with _located("#/query"):
        found = targets.check_targets(session=session, ecosystem=ecosystem, period=_period(period))
    return _checks(found)


@router.get("/ecosystems/{name}/initiatives")
def list_initiatives(principal: Reader, session: SessionDep, name: str) -> list[InitiativeRead]:
    """List the joint initiatives (a partner: those it takes part in)."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    found = log_service.list_initiatives(session=session, ecosystem=ecosystem, principal=principal)
    return [InitiativeRead.model_validate(i) for i in found]


@router.post("/ecosystems/{name}/initiatives", status_code=201)
def create_initiative(
    principal: Writer,
    session: SessionDep,
    request_id: RequestId,
    name: str,
    body: Annotated[InitiativeIn, Body()],
) -> InitiativeRead:
    """Record a joint initiative with its partners, milestones and value."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    found = log_service.create_initiative(
        session=session, ecosystem=ecosystem, data=body, principal=principal,
        request_id=request_id,
    )  # fmt: skip
    return InitiativeRead.model_validate(found)


@router.get("/ecosystems/{name}/initiatives/{key}")
def get_initiative(principal: Reader, session: SessionDep, name: str, key: str) -> InitiativeRead:
    """Return one joint initiative."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    found = log_service.get_initiative(
        session=session, ecosystem=ecosystem, key=key, principal=principal
    )
    return InitiativeRead.model_validate(found)


@router.patch("/ecosystems/{name}/initiatives/{key}")
def update_initiative(
    principal: Writer,
    session: SessionDep,
    request_id: RequestId,
    name: str,
    key: str,
    body: Annotated[InitiativeUpdate, Body()],
) -> InitiativeRead:
    """Change an initiative (e.g. its launch date and value); fields left out stay."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    found = log_service.update_initiative(
        session=session, ecosystem=ecosystem, key=key, data=body, principal=principal,
        request_id=request_id,
    )  # fmt: skip
    return InitiativeRead.model_validate(found)


def _review(review: log_service.Review, principal: Principal) -> ReviewRead:
    return ReviewRead(
        id=review.id, kind=review.kind, period=review.period, incident=review.incident,
        title=review.title, entries=log_service.visible_entries(review, principal),
        author=review.author, created_at=review.created_at, updated_at=review.updated_at,
    )  # fmt: skip


@router.get("/ecosystems/{name}/reviews")
def list_reviews(
    principal: Reader, session: SessionDep, name: str, period: PeriodText = None
) -> list[ReviewRead]:
    """List the reviews, newest first (of one period if given)."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    label = _period(period).label if period is not None else None
    found = log_service.list_reviews(
        session=session, ecosystem=ecosystem, principal=principal, period=label
    )
    return [_review(r, principal) for r in found]


@router.post("/ecosystems/{name}/reviews", status_code=201)
def create_review(
    principal: Writer,
    session: SessionDep,
    request_id: RequestId,
    name: str,
    body: Annotated[ReviewIn, Body()],
) -> ReviewRead:
    """Record a review of a period or an incident: what created value, which incentives
    failed, which risks were missed, which mechanisms worked."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    found = log_service.create_review(
        session=session, ecosystem=ecosystem, data=body, principal=principal,
        request_id=request_id,
    )  # fmt: skip
    return _review(found, principal)


@router.get("/ecosystems/{name}/reviews/{review_id}")
def get_review(
    principal: Reader, session: SessionDep, name: str, review_id: ReviewId
) -> ReviewRead:
    """Return one review."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    found = log_service.get_review(
        session=session, ecosystem=ecosystem, review_id=review_id, principal=principal
    )
    return _review(found, principal)


@router.put("/ecosystems/{name}/reviews/{review_id}")
def update_review(
    principal: Writer,
    session: SessionDep,
    request_id: RequestId,
    name: str,
    review_id: ReviewId,
    body: Annotated[ReviewIn, Body()],
) -> ReviewRead:
    """Replace a review's subject, title and entries."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    found = log_service.update_review(
        session=session, ecosystem=ecosystem, review_id=review_id, data=body,
        principal=principal, request_id=request_id,
    )  # fmt: skip
    return _review(found, principal)
