"""Load the KPI engine's input frames (:mod:`podium.learn.frames`) from what Integrate, Govern
and Learn record.

Each loader reads with a Core ``select`` (no ORM objects) and returns a frame conformed to its
schema. ``actor`` (a partner caller's actor key) keeps only that actor's rows. What a frame holds
for a period:

- ``deliveries``: the current order lines promised in the period; ``region`` is the ship-to
  site's region. The store keeps one row per order line (a later submission of the line
  supersedes it), so a split delivery reads as one row: the quantity delivered so far and the
  date of the last shipment.
- ``forecasts``: every version (current or superseded) of the forecasts of buckets that start
  in the period, with the time of the submission that brought it.
- ``actuals``: actual demand, derived from the current deliveries of every provider: the
  promised quantity of the lines due (promised date) in each bucket of the kinds the forecasts
  use, by item and ship-to site (the forecast's location); lines without a ship-to are left out.
  A partner sees only the buckets its own forecasts name.
- ``disruptions``: current disruptions that overlap the period (started before its end, not
  recovered before its start); ``provider`` is the disrupted actor (a site's actor for a site).
- ``responses``: data exceptions (``provider``: the owner) and risk signals (``provider``: who
  reported it) that overlap the period; first response and resolution come from the
  escalation raised from them (``exception:<id>``, ``risk_signal:<id>``): its first
  ``responded`` or ``resolved`` event and its close; an exception resolved without an escalation
  counts its last update as resolution.
- ``initiatives``: every initiative started before the period's end, one row per partner.
- ``submissions``: the submissions in the period with their quality parts (0..1).
- ``inventory``: the current inventory positions counted in the period.

The KPI functions pick from these rows by their own rule (e.g. recovered in the period).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import polars as pl
from sqlalchemy import Executable, and_, func, or_, select
from sqlalchemy.orm import Session

from podium.ecosystem import models as eco
from podium.govern.models import Escalation, EscalationEvent
from podium.integrate import models as im
from podium.learn import frames
from podium.learn.models import Initiative
from podium.learn.periods import Period

BUCKET_SPAN = timedelta(days=31)
"""The longest bucket (a month): how far past a period's end a bucket starting in it reaches."""


def _moment(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def to_frame(rows: Sequence[Sequence[Any]], schema: frames.Schema) -> pl.DataFrame:
    """Build a frame of ``schema`` from row tuples (naive times are taken as UTC)."""
    if not rows:
        return frames.empty(schema)
    built = pl.DataFrame(
        [list(row) for row in rows], schema=list(schema), orient="row", infer_schema_length=None
    )
    fixed = [
        pl.col(name).dt.replace_time_zone("UTC")
        for name, dtype in built.schema.items()
        if isinstance(dtype, pl.Datetime) and dtype.time_zone is None
    ]
    return frames.conform(built.with_columns(fixed) if fixed else built, schema)


def _rows(session: Session, query: Executable) -> list[Sequence[Any]]:
    return [tuple(row) for row in session.execute(query)]


def deliveries(
    session: Session, ecosystem: eco.Ecosystem, start: date, end: date, actor: str | None
) -> pl.DataFrame:
    """Current order lines promised in ``[start, end)`` with the ship-to site's region."""
    d = im.Delivery
    query = (
        select(
            d.provider,
            d.order_id,
            d.line,
            d.item,
            d.ship_to,
            eco.Site.region,
            d.ordered_date,
            d.promised_date,
            d.promised_quantity,
            d.delivered_date,
            d.delivered_quantity,
        )
        .outerjoin(
            eco.Site, and_(eco.Site.ecosystem_id == d.ecosystem_id, eco.Site.key == d.ship_to)
        )
        .where(d.ecosystem_id == ecosystem.id, d.current.is_(True))
        .where(d.promised_date >= start, d.promised_date < end)
    )
    if actor is not None:
        query = query.where(d.provider == actor)
    return to_frame(_rows(session, query), frames.DELIVERIES)


def forecasts(
    session: Session, ecosystem: eco.Ecosystem, period: Period, actor: str | None
) -> pl.DataFrame:
    """Every version of the forecasts of buckets starting in the period."""
    f, s = im.Forecast, im.Submission
    query = (
        select(f.provider, f.item, f.location, f.bucket, f.period_start, f.quantity, s.submitted_at)
        .join(s, s.id == f.submission_id)
        .where(f.ecosystem_id == ecosystem.id)
        .where(f.period_start >= period.start, f.period_start < period.end)
    )
    if actor is not None:
        query = query.where(f.provider == actor)
    return to_frame(_rows(session, query), frames.FORECASTS)


def bucket_start(column: pl.Expr, bucket: str) -> pl.Expr:
    """The first day of the ``bucket`` (day, week from Monday, month) holding each date."""
    if bucket == "week":
        return column.dt.truncate("1w")
    if bucket == "month":
        return column.dt.truncate("1mo")
    return column


def actuals(
    session: Session, ecosystem: eco.Ecosystem, period: Period, forecast: pl.DataFrame
) -> pl.DataFrame:
    """Actual demand per item, ship-to site and bucket, for the buckets the forecasts use."""
    if forecast.is_empty():
        return frames.empty(frames.ACTUALS)
    lines = deliveries(session, ecosystem, period.start, period.end + BUCKET_SPAN, None)
    lines = lines.filter(pl.col("ship_to").is_not_null())
    found = [
        lines.select(
            "item",
            pl.col("ship_to").alias("location"),
            pl.lit(bucket).alias("bucket"),
            bucket_start(pl.col("promised_date"), bucket).alias("period_start"),
            pl.col("promised_quantity").alias("quantity"),
        )
        for bucket in sorted(forecast["bucket"].unique().to_list())
    ]
    keys = ["item", "location", "bucket", "period_start"]
    demand = (
        pl.concat(found)
        .filter(pl.col("period_start").is_between(period.start, period.end, closed="left"))
        .group_by(keys)
        .agg(pl.col("quantity").sum())
    )
    named = forecast.select(keys).unique()
    return frames.conform(demand.join(named, on=keys, how="semi").sort(keys), frames.ACTUALS)


def disruptions(
    session: Session, ecosystem: eco.Ecosystem, period: Period, actor: str | None
) -> pl.DataFrame:
    """Current disruptions overlapping the period, by disrupted actor."""
    d = im.Disruption
    who = func.coalesce(eco.Site.actor, d.subject)
    query = (
        select(who, d.subject, d.started_at, d.recovered_at)
        .outerjoin(
            eco.Site, and_(eco.Site.ecosystem_id == d.ecosystem_id, eco.Site.key == d.subject)
        )
        .where(d.ecosystem_id == ecosystem.id, d.current.is_(True))
        .where(d.started_at < _moment(period.end))
        .where(or_(d.recovered_at.is_(None), d.recovered_at >= _moment(period.start)))
    )
    if actor is not None:
        query = query.where(who == actor)
    return to_frame(_rows(session, query), frames.DISRUPTIONS)


def _escalation_times(
    session: Session, ecosystem: eco.Ecosystem, prefix: str
) -> dict[str, tuple[datetime | None, datetime | None]]:
    """Per escalation source key (``prefix:<id>``): first response and resolution times."""
    first = (
        select(
            EscalationEvent.escalation_id.label("escalation_id"),
            func.min(EscalationEvent.at).label("first_at"),
        )
        .where(EscalationEvent.kind.in_(("responded", "resolved")))
        .group_by(EscalationEvent.escalation_id)
        .subquery()
    )
    query = (
        select(Escalation.source_key, first.c.first_at, Escalation.status, Escalation.closed_at)
        .outerjoin(first, first.c.escalation_id == Escalation.id)
        .where(Escalation.ecosystem_id == ecosystem.id)
        .where(Escalation.source_key.like(f"{prefix}:%"))
    )
    return {
        str(key): (first_at, closed if status == "resolved" else None)
        for key, first_at, status, closed in session.execute(query)
    }


def responses(
    session: Session, ecosystem: eco.Ecosystem, period: Period, actor: str | None
) -> pl.DataFrame:
    """Exceptions and risk signals overlapping the period, with their response times."""
    x, r = im.DataException, im.RiskSignal
    start, end = _moment(period.start), _moment(period.end)
    exceptions = select(x.id, x.owner, x.created_at, x.status, x.updated_at).where(
        x.ecosystem_id == ecosystem.id, x.created_at < end
    )
    signals = select(r.id, r.provider, r.observed_at).where(
        r.ecosystem_id == ecosystem.id, r.current.is_(True), r.observed_at < end
    )
    if actor is not None:
        exceptions, signals = exceptions.where(x.owner == actor), signals.where(r.provider == actor)
    escalated = _escalation_times(session, ecosystem, "exception")
    rows: list[tuple[Any, ...]] = []
    for ident, owner, created, status, updated in session.execute(exceptions):
        first, resolved = escalated.get(f"exception:{ident}", (None, None))
        if resolved is None and status == "resolved":
            resolved = updated
        rows.append(("exception", f"exception:{ident}", owner, created, first, resolved))
    escalated = _escalation_times(session, ecosystem, "risk_signal")
    for ident, provider, observed in session.execute(signals):
        first, resolved = escalated.get(f"risk_signal:{ident}", (None, None))
        rows.append(("risk_signal", f"risk_signal:{ident}", provider, observed, first, resolved))
    found = to_frame(rows, frames.RESPONSES)
    return found.filter(pl.col("resolved_at").is_null() | (pl.col("resolved_at") >= start))


def initiatives(
    session: Session, ecosystem: eco.Ecosystem, period: Period, actor: str | None
) -> pl.DataFrame:
    """Initiatives started before the period's end, one row per partner."""
    i = Initiative
    query = select(
        i.key, i.partners, i.started_on, i.launched_on, i.value_created, i.cost_reduction,
        i.revenue_enabled, i.cost,
    ).where(i.ecosystem_id == ecosystem.id, i.started_on < period.end)  # fmt: skip
    rows = [
        (key, partner, *rest)
        for key, partners, *rest in session.execute(query)
        for partner in partners
        if actor is None or partner == actor
    ]
    return to_frame(rows, frames.INITIATIVES)


def _share(part: Any, whole: Any) -> float | None:
    return float(part) / float(whole) if part is not None and whole else None


def submissions(
    session: Session, ecosystem: eco.Ecosystem, period: Period, actor: str | None
) -> pl.DataFrame:
    """The period's submissions with their quality parts as shares 0..1."""
    s = im.Submission
    query = select(s.provider, s.dataset, s.source, s.submitted_at, s.quality).where(
        s.ecosystem_id == ecosystem.id,
        s.submitted_at >= _moment(period.start),
        s.submitted_at < _moment(period.end),
    )
    if actor is not None:
        query = query.where(s.provider == actor)
    rows = []
    for provider, dataset, source, at, quality in session.execute(query):
        on_time = quality.get("on_time")
        valid = _share(quality.get("valid"), quality.get("records"))
        complete, timely = quality.get("complete"), None if on_time is None else float(on_time)
        rows.append((provider, dataset, source, at, valid, complete, timely))
    return to_frame(rows, frames.SUBMISSIONS)


def inventory(
    session: Session, ecosystem: eco.Ecosystem, period: Period, actor: str | None
) -> pl.DataFrame:
    """Current inventory positions counted in the period."""
    v = im.InventoryReport
    query = select(v.provider, v.site, v.item, v.as_of, v.on_hand).where(
        v.ecosystem_id == ecosystem.id,
        v.current.is_(True),
        v.as_of >= period.start,
        v.as_of < period.end,
    )
    if actor is not None:
        query = query.where(v.provider == actor)
    return to_frame(_rows(session, query), frames.INVENTORY)
