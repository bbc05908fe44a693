"""Reads of partner data under the data-sharing agreements: default deny, enforced in the query.

Who reads decides what: a partner reads its own data raw, and another provider's only through an
agreement in force for the dataset and the stated purpose, with its filters, permitted fields and
granularity; the orchestrator's staff read as the orchestrator actor. Aggregation to week or
month, item family and region is pushed into SQL (one ``GROUP BY`` per grant), so an enforced read
costs about what the same query without enforcement does. Every read is audited, one entry per
provider and agreement that gave rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Date, DateTime, and_, cast, func, select
from sqlalchemy.orm import Session, aliased, outerjoin
from sqlalchemy.sql.elements import ColumnElement

from podium.core import audit
from podium.core.auth import Principal
from podium.core.db import utcnow
from podium.core.errors import Invalid
from podium.ecosystem import models as eco
from podium.integrate import datasets, models, policy
from podium.integrate.service import orchestrator_actor

MAX_ROWS = 100_000
SCAN_SHARE = 0.4
"""On SQLite, an aggregated read scans the table rather than walk the read index when the index
would select at least this share of the table's rows: each row found through the index costs a
lookup in the table, which doubled a 1M-row aggregation whose rows were not stored in time order
(``bench/ingest.py``). PostgreSQL plans from its statistics."""


@dataclass(frozen=True)
class Reader:
    """Whom the agreements see reading: an actor key (None when none) and its groups."""

    actor: str | None
    groups: frozenset[str]


@dataclass(frozen=True)
class Window:
    """The part of a dataset asked for: periods from ``start`` to ``end`` (exclusive), as
    things stood at ``as_of`` (None: now)."""

    start: date | None = None
    end: date | None = None
    as_of: datetime | None = None


@dataclass
class ReadResult:
    """Rows a read returned and where they came from (provider, agreement, grain, rows)."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    sources: list[dict[str, Any]] = field(default_factory=list)


def reader_of(*, session: Session, ecosystem: eco.Ecosystem, principal: Principal) -> Reader:
    """Return the actor and groups a caller reads as."""
    if principal.is_partner:
        if principal.partner_ecosystem_id != ecosystem.id:
            return Reader(None, frozenset())
        actor = principal.partner_actor
    else:
        actor = orchestrator_actor(session=session, ecosystem=ecosystem)
    groups: set[str] = set() if principal.is_partner else {"role:orchestrator"}
    row = None
    if actor is not None:
        row = session.scalar(
            select(eco.Actor).where(eco.Actor.ecosystem_id == ecosystem.id, eco.Actor.key == actor)
        )
    if row is not None:
        groups |= {f"kind:{row.kind}", f"role:{row.ecosystem_role}", row.key}
    return Reader(actor, frozenset(groups))


def agreements_in(
    *, session: Session, ecosystem: eco.Ecosystem, dataset: str | None = None
) -> list[policy.SharingAgreement]:
    """Return the ecosystem's agreements that are not revoked (parsed from their ODRL)."""
    query = select(models.SharingAgreementRow).where(
        models.SharingAgreementRow.ecosystem_id == ecosystem.id,
        models.SharingAgreementRow.revoked_at.is_(None),
    )
    if dataset is not None:
        query = query.where(models.SharingAgreementRow.dataset == dataset)
    return [policy.parse_odrl(row.odrl) for row in session.scalars(query)]


def grants(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    principal: Principal,
    dataset: str,
    purpose: str | None,
    at: datetime | None = None,
) -> list[policy.Grant]:
    """Return what the caller may read of ``dataset``, provider by provider (default deny)."""
    reader = reader_of(session=session, ecosystem=ecosystem, principal=principal)
    table: Any = models.DATASET_TABLES[dataset]
    agreements = agreements_in(session=session, ecosystem=ecosystem, dataset=dataset)
    usable = agreements if purpose else []
    # Only the reader and the agreements' providers can be granted anything: ask whether each
    # holds rows (one index probe each) instead of listing every provider of the dataset.
    candidates = {a.provider for a in usable} | ({reader.actor} if reader.actor else set())
    providers = [p for p in sorted(candidates) if _holds_rows(session, table, ecosystem, p)]
    found = policy.grants_for(
        usable,
        reader=reader.actor,
        reader_groups=reader.groups,
        dataset=dataset,
        purpose=purpose or "",
        at=at or utcnow(),
        providers=providers,
    )
    return found


def _holds_rows(session: Session, table: Any, ecosystem: eco.Ecosystem, provider: str) -> bool:
    query = select(table.id).where(table.ecosystem_id == ecosystem.id, table.provider == provider)
    return session.scalar(query.limit(1)) is not None


def read(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    principal: Principal,
    dataset: str,
    purpose: str | None,
    request_id: str,
    where: Mapping[str, Sequence[str]] | None = None,
    start: date | None = None,
    end: date | None = None,
    limit: int = 1_000,
    as_of: datetime | None = None,
    action: str = "read",
) -> ReadResult:
    """Read ``dataset`` as the caller may: its own rows raw, others' as agreements say.

    ``where`` filters fields by values and ``start``/``end`` (exclusive) the dataset's time
    field; both narrow what the grants allow, never widen it. ``as_of`` reads each record as it
    stood then (its latest version submitted by that time) instead of now. ``action`` is what
    the audit log records ("read", or "export" for a download).
    """
    spec = datasets.DATASETS[dataset]
    where = typed_where(spec, where or {})
    found = grants(
        session=session, ecosystem=ecosystem, principal=principal, dataset=dataset, purpose=purpose
    )
    errors = [e for grant in found for e in below_grain(spec, grant, where, start, end)]
    if errors:
        raise Invalid("a filter is finer than an agreement shares: ask at its grain", errors)
    result = ReadResult()
    for grant in found:
        room = min(limit, MAX_ROWS) - len(result.rows)
        if room <= 0:
            break
        window = Window(start, end, as_of)
        rows = _rows_of(session, ecosystem, spec, grant, where or {}, window, room)
        result.rows.extend(rows)
        result.sources.append(source_of(grant, len(rows)))
        audit.record(
            session=session,
            request_id=request_id,
            principal=principal,
            action=action,
            ecosystem_id=ecosystem.id,
            dataset=dataset,
            provider=grant.provider,
            agreement=grant.agreement,
            filter=_filter_record(where, window, purpose, grant),
            row_count=len(rows),
        )
    return result


def source_of(grant: policy.Grant, rows: int) -> dict[str, Any]:
    grain = grant.grain
    return {
        "provider": grant.provider,
        "agreement": grant.agreement,
        "granularity": {"time": grain.time, "item": grain.item, "place": grain.place},
        "rows": rows,
    }


def _filter_record(
    where: Mapping[str, Sequence[Any]] | None,
    window: Window,
    purpose: str | None,
    grant: policy.Grant,
) -> dict[str, Any]:
    return {
        "where": {k: [str(v) for v in values] for k, values in (where or {}).items()},
        "start": window.start.isoformat() if window.start else None,
        "end": window.end.isoformat() if window.end else None,
        "as_of": window.as_of.isoformat() if window.as_of else None,
        "purpose": purpose,
        "grain": [grant.grain.time, grant.grain.item, grant.grain.place],
    }


def typed_where(
    spec: datasets.DatasetSpec, where: Mapping[str, Sequence[str]]
) -> dict[str, list[Any]]:
    """Return the caller's filters with values of each field's type, or refuse them (422)."""
    typed, errors = {}, []
    for name, values in where.items():
        try:
            typed[name] = datasets.typed_values(spec, name, values)
        except datasets.DatasetError as error:
            errors += error.errors
    if errors:
        raise Invalid(f"{spec.name}: a filter names no field or holds a wrong value", errors)
    return typed


def below_grain(
    spec: datasets.DatasetSpec,
    grant: policy.Grant,
    where: Mapping[str, Sequence[Any]],
    start: date | None,
    end: date | None,
) -> list[dict[str, str]]:
    """Say which of the caller's filters would show another provider's data below what the
    grant shares: a hidden field, a field finer than the grain, a window cutting a period."""
    if grant.agreement is None:
        return []
    shape, grain, errors = spec.shape, grant.grain, []
    finer = {shape.item_field: grain.item == "family", shape.place_field: grain.place == "region"}
    for name in where:
        hidden = grant.fields is not None and name not in grant.fields | {"region", "family"}
        grouped = name in shape.grouping or name in ("region", "family")
        cut = not grain.is_raw and (name == shape.time_field or finer.get(name) or not grouped)
        if hidden or cut:
            detail = f"agreement {grant.agreement} shares {spec.name} without {name} at this grain"
            errors.append({"pointer": f"#/query/{name}", "detail": detail})
    for label, day in (("start", start), ("end", end)):
        if day is not None and not grain.is_raw and policy.coarsen(day, grain.time) != day:
            detail = f"agreement {grant.agreement} shares {spec.name} by {grain.time}: {label} "
            detail += f"must start a {grain.time}"
            errors.append({"pointer": f"#/query/{label}", "detail": detail})
    return errors


def _filters(
    table: Any,
    ecosystem: eco.Ecosystem,
    spec: datasets.DatasetSpec,
    grant: policy.Grant,
    where: Mapping[str, Sequence[str]],
) -> list[ColumnElement[bool]]:
    """WHERE clauses of the grant's filters and the caller's."""
    return [
        _filter(table, ecosystem, spec, name, list(values))
        for filters in (grant.filters, where)
        for name, values in filters.items()
    ]


def _indexed_terms(
    table: Any,
    ecosystem: eco.Ecosystem,
    spec: datasets.DatasetSpec,
    grant: policy.Grant,
    window: Window,
) -> list[ColumnElement[bool]]:
    """WHERE clauses the read index serves: the provider's current rows (or those in force at
    ``window.as_of``), in the time window."""
    found: list[ColumnElement[bool]] = [
        table.ecosystem_id == ecosystem.id,
        table.provider == grant.provider,
        table.current.is_(True) if window.as_of is None else _in_force(table, window.as_of),
    ]
    time_field = spec.shape.time_field
    if time_field is not None:
        column = getattr(table, time_field)
        if window.start is not None:
            found.append(column >= window.start)
        if window.end is not None:
            found.append(column < window.end)
    return found


def _in_force(table: Any, as_of: datetime) -> ColumnElement[bool]:
    """The version of each record from the latest submission made by ``as_of``."""
    older = aliased(table)
    latest = (
        select(func.max(older.submission_id))
        .join(models.Submission, models.Submission.id == older.submission_id)
        .where(
            older.ecosystem_id == table.ecosystem_id,
            older.provider == table.provider,
            older.record_key == table.record_key,
            models.Submission.submitted_at <= as_of,
        )
        .scalar_subquery()
    )
    return table.submission_id == latest


def _scan_pays(session: Session, table: Any, terms: list[ColumnElement[bool]]) -> bool:
    """Whether, on SQLite, the index would select :data:`SCAN_SHARE` of the table or more.

    SQLite plans without statistics unless ``ANALYZE`` ran, and then assumes an index is
    selective; counting the index's hits (it covers them) up to that share tells it cheaply.
    """
    if session.get_bind().dialect.name != "sqlite":
        return False
    bound = int((session.scalar(select(func.max(table.id))) or 0) * SCAN_SHARE) + 1
    hits = select(table.id).where(*terms).limit(bound).subquery()
    return (session.scalar(select(func.count()).select_from(hits)) or 0) >= bound


def _filter(
    table: Any, ecosystem: eco.Ecosystem, spec: datasets.DatasetSpec, name: str, values: list[str]
) -> ColumnElement[bool]:
    """``name`` in ``values``; a region filters the place field by its sites' region, a family
    the item field by its items' family. A field the dataset lacks matches nothing."""
    shape = spec.shape
    if name == "region" and shape.place_field and name not in spec.model.model_fields:
        sites = select(eco.Site.key).where(
            eco.Site.ecosystem_id == ecosystem.id, eco.Site.region.in_(values)
        )
        return getattr(table, shape.place_field).in_(sites)
    if name == "family" and shape.item_field and name not in spec.model.model_fields:
        items = select(eco.Item.key).where(
            eco.Item.ecosystem_id == ecosystem.id, eco.Item.family.in_(values)
        )
        return getattr(table, shape.item_field).in_(items)
    try:
        typed = datasets.typed_values(spec, name, values)
    except datasets.DatasetError:
        return table.id.is_(None)  # an agreement's filter that cannot match lets nothing through
    return getattr(table, name).in_(typed)


def _rows_of(
    session: Session,
    ecosystem: eco.Ecosystem,
    spec: datasets.DatasetSpec,
    grant: policy.Grant,
    where: Mapping[str, Sequence[str]],
    window: Window,
    limit: int,
) -> list[dict[str, Any]]:
    table: Any = models.DATASET_TABLES[spec.name]
    terms = _indexed_terms(table, ecosystem, spec, grant, window)
    probe = terms if window.as_of is None else [*terms[:2], *terms[3:]]  # no per-row subquery
    if not grant.grain.is_raw and _scan_pays(session, table, probe):
        # "+ 0": SQLite cannot use the ecosystem term, which leads every index, so it scans
        terms = [(table.ecosystem_id + 0) == ecosystem.id, *terms[1:]]
    conditions = terms + _filters(table, ecosystem, spec, grant, where)
    if grant.grain.is_raw:
        return _raw_rows(session, table, spec, grant, conditions, limit)
    return _aggregated_rows(session, ecosystem, table, spec, grant, conditions, limit)


def _permitted(spec: datasets.DatasetSpec, grant: policy.Grant) -> list[str]:
    names = list(spec.model.model_fields)
    return [n for n in names if grant.fields is None or n in grant.fields]


def _raw_rows(
    session: Session,
    table: Any,
    spec: datasets.DatasetSpec,
    grant: policy.Grant,
    conditions: list[ColumnElement[bool]],
    limit: int,
) -> list[dict[str, Any]]:
    names = _permitted(spec, grant)
    query = select(*(getattr(table, n) for n in names)).where(and_(*conditions))
    order = [getattr(table, spec.shape.time_field)] if spec.shape.time_field else []
    query = query.order_by(*order, table.id).limit(limit)
    moments = [n for n in names if isinstance(getattr(table, n).type, DateTime)]
    rows = [
        {"provider": grant.provider, **dict(zip(names, row, strict=True))}
        for row in session.execute(query)
    ]
    for row in rows:  # SQLite gives the stored UTC times back without their zone
        for name in moments:
            if row[name] is not None and row[name].tzinfo is None:
                row[name] = row[name].replace(tzinfo=UTC)
    return rows


def _aggregated_rows(
    session: Session,
    ecosystem: eco.Ecosystem,
    table: Any,
    spec: datasets.DatasetSpec,
    grant: policy.Grant,
    conditions: list[ColumnElement[bool]],
    limit: int,
) -> list[dict[str, Any]]:
    """One GROUP BY: time coarsened, item to its family, site to its region, measures summed."""
    shape, permitted = spec.shape, set(_permitted(spec, grant))
    dialect = session.get_bind().dialect.name
    labels: list[Any] = []
    query_from: Any = table
    if shape.time_field and shape.time_field in permitted:
        column = getattr(table, shape.time_field)
        labels.append(coarsen(column, grant.grain.time, dialect).label(shape.time_field))
    if shape.item_field and shape.item_field in permitted:
        labels.append(_item_label(table, shape.item_field, grant.grain.item, ecosystem))
        if grant.grain.item == "family":
            query_from = outerjoin(
                query_from, eco.Item, _same_key(eco.Item, table, shape.item_field)
            )
    if shape.place_field and shape.place_field in permitted:
        labels.append(_place_label(table, shape.place_field, grant.grain.place))
        if grant.grain.place == "region":
            query_from = outerjoin(
                query_from, eco.Site, _same_key(eco.Site, table, shape.place_field)
            )
    labels += [getattr(table, d).label(d) for d in shape.dimensions if d in permitted]
    sums = [func.sum(getattr(table, m)).label(m) for m in shape.measures if m in permitted]
    query = (
        select(*labels, *sums, func.count().label("rows"))
        .select_from(query_from)
        .where(and_(*conditions))
        .group_by(*labels)
        .order_by(*labels)
        .limit(limit)
    )
    result = session.execute(query)
    names = ["provider", *result.keys()]  # zipped with plain tuples: a row's mapping costs more
    rows = [dict(zip(names, (grant.provider, *row), strict=True)) for row in result]
    if shape.time_field and dialect == "sqlite":
        _dated(rows, shape.time_field)
    return rows


def _same_key(entity: Any, table: Any, name: str) -> ColumnElement[bool]:
    return and_(entity.ecosystem_id == table.ecosystem_id, entity.key == getattr(table, name))


def _item_label(table: Any, name: str, grain: str, ecosystem: eco.Ecosystem) -> Any:
    column = getattr(table, name)
    if grain == "family":
        return func.coalesce(eco.Item.family, column).label(name)
    return column.label(name)


def _place_label(table: Any, name: str, grain: str) -> Any:
    column = getattr(table, name)
    if grain == "region":
        return func.coalesce(eco.Site.region, "unknown").label(name)
    return column.label(name)


def coarsen(column: Any, grain: str, dialect: str) -> Any:
    """SQL for the first day of the ``grain`` period holding ``column`` (a date or timestamp)."""
    if dialect == "postgresql":
        if isinstance(column.type, DateTime):
            column = func.timezone("UTC", column)  # periods are UTC whatever the server's zone
        if grain in ("week", "month"):
            return cast(func.date_trunc(grain, column), Date)
        return cast(column, Date)
    if grain == "week":
        return func.date(column, "-6 days", "weekday 1")
    if grain == "month":
        return func.date(column, "start of month")
    return func.date(column)


def _dated(rows: list[dict[str, Any]], name: str) -> None:
    """SQLite's date() gives text: make it a date, as PostgreSQL gives."""
    for row in rows:
        value = row.get(name)
        if isinstance(value, str):
            row[name] = date.fromisoformat(value)
