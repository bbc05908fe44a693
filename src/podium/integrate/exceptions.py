"""Exception rules over incoming partner data: late shipments, capacity shortfalls, forecast
swings in the frozen horizon and missing submissions.

Each rule takes plain rows (mappings with a dataset's fields, as :func:`datasets.to_row` gives
them; dates as ``date`` objects or ISO text) and returns :class:`Finding` records for the
governance layer to route. A finding's ``key`` is its stable identity: running a rule again over
the same data gives the same keys, so stored exceptions are not duplicated.
"""

from __future__ import annotations

import calendar
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

from podium.integrate.quality import as_utc

Severity = Literal["low", "medium", "high", "critical"]
Row = Mapping[str, Any]
Period = tuple[str, str, str, date]
"""(item, site or location, bucket, period_start)."""
Place = tuple[str, str]
"""(item, site or location)."""


@dataclass(frozen=True)
class Finding:
    """An exception a rule raised: ``owner`` is the actor key responsible for acting on it."""

    rule: str
    severity: Severity
    owner: str
    subject: str
    detail: str
    key: str


def _day(value: Any) -> date:
    """A date from a ``date``, a ``datetime`` or ISO text."""
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _units(value: float) -> str:
    """A quantity as text: ``1,000`` or ``12.5``."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def _period(bucket: str, start: date) -> str:
    return f"month {start:%Y-%m}" if bucket == "month" else f"{bucket} {start}"


def _by_scale(value: float, limits: tuple[float, float, float]) -> Severity:
    """low up to ``limits[0]``, medium up to ``limits[1]``, high up to ``limits[2]``, critical."""
    low, medium, high = limits
    if value <= low:
        return "low"
    return "medium" if value <= medium else "high" if value <= high else "critical"


# --- late shipments -----------------------------------------------------------------------------


def late_shipments(deliveries: Sequence[Row], *, provider: str, today: date) -> list[Finding]:
    """Find order lines delivered late, or not delivered once their promised date has passed.

    Days late are ``delivered_date - promised_date`` for a delivered line and
    ``today - promised_date`` for one not delivered; a line is late when that is 1 or more.
    Severity by days late: 1-2 low, 3-6 medium, 7-13 high, 14 or more critical. A delivered
    quantity below the promised one is noted. Key: provider, order and line (one exception per
    line, whose severity grows while it stays open).
    """
    found = []
    for row in deliveries:
        promised = _day(row["promised_date"])
        delivered = row.get("delivered_date")
        late = ((today if delivered is None else _day(delivered)) - promised).days
        if late < 1:
            continue
        order, line = row["order_id"], row.get("line", 1)
        subject = f"order {order} line {line}"
        found.append(
            Finding(
                rule="late_shipments",
                severity=_by_scale(late, (2, 6, 13)),
                owner=provider,
                subject=subject,
                detail=_late_detail(row, subject, promised, late),
                key=f"{provider}|{order}|{line}",
            )
        )
    return found


def _late_detail(row: Row, subject: str, promised: date, late: int) -> str:
    quantity = float(row["promised_quantity"])
    what = f"{subject[0].upper()}{subject[1:]} ({_units(quantity)} units of {row['item']})"
    if row.get("delivered_date") is None:
        return f"{what} is not delivered {late} day(s) after its promised date {promised}."
    delivered, sent = _day(row["delivered_date"]), row.get("delivered_quantity")
    short = ""
    if sent is not None and float(sent) < quantity:
        short = f", {_units(quantity - float(sent))} units short ({_units(float(sent))} delivered)"
    return f"{what} was delivered on {delivered}, {late} day(s) after {promised}{short}."


# --- capacity shortfalls ------------------------------------------------------------------------


def _period_end(bucket: str, start: date) -> date:
    """The day after the period starting on ``start``."""
    if bucket == "week":
        return start + timedelta(days=7)
    if bucket == "month":
        return start + timedelta(days=calendar.monthrange(start.year, start.month)[1])
    return start + timedelta(days=1)


def _committed(capacity: Sequence[Row]) -> dict[Period, float]:
    """Committed capacity (agreed, else actual) per item, site and period; groups skipped."""
    committed: dict[Period, float] = defaultdict(float)
    for row in capacity:
        if row.get("item") is None:
            continue
        agreed = row.get("agreed")
        key = (row["item"], row["site"], row["bucket"], _day(row["period_start"]))
        committed[key] += float(row["actual"] if agreed is None else agreed)
    return committed


def _demand(forecasts: Sequence[Row]) -> tuple[dict[Period, float], dict[Place, dict[date, float]]]:
    """Forecast demand per item, location and period, and day forecasts per item and location."""
    same: dict[Period, float] = defaultdict(float)
    days: dict[Place, dict[date, float]] = defaultdict(lambda: defaultdict(float))
    for row in forecasts:
        start, quantity = _day(row["period_start"]), float(row["quantity"])
        same[(row["item"], row["location"], row["bucket"], start)] += quantity
        if row["bucket"] == "day":
            days[(row["item"], row["location"])][start] += quantity
    return same, days


def capacity_shortfalls(
    capacity: Sequence[Row], forecasts: Sequence[Row], *, provider: str, customer: str | None
) -> list[Finding]:
    """Find periods where committed capacity is below forecast demand.

    Committed capacity is ``agreed``, else ``actual`` (units/period), summed per item, site,
    bucket and period_start; capacity rows of a group without an item are skipped. Demand is the
    forecast ``quantity`` of the same item at the same location (= site), bucket and
    period_start; when there is none and the capacity is weekly or monthly, the day forecasts
    inside the week or month are summed (a week or month forecast is never split or merged).
    Periods without demand are skipped. Shortfall = demand - committed; severity by its share of
    demand: up to 10% low, 25% medium, 50% high, more critical.
    """
    same, days = _demand(forecasts)
    found = []
    for (item, site, bucket, start), committed in sorted(_committed(capacity).items()):
        demand = same.get((item, site, bucket, start))
        if demand is None and bucket in ("week", "month"):
            end, by_day = _period_end(bucket, start), days.get((item, site), {})
            inside = [q for day, q in by_day.items() if start <= day < end]
            demand = sum(inside) if inside else None
        if demand is None or committed >= demand:
            continue
        share = (demand - committed) / demand
        subject = f"item {item} at site {site} {_period(bucket, start)}"
        whose = f" (customer {customer})" if customer else ""
        detail = (
            f"Committed capacity of {_units(committed)} units for {subject} is "
            f"{_units(demand - committed)} units ({share:.0%}) below the forecast demand of "
            f"{_units(demand)} units{whose}."
        )
        key = f"{provider}|{customer or '-'}|{item}|{site}|{bucket}|{start}"
        severity = _by_scale(share, (0.1, 0.25, 0.5))
        found.append(Finding("capacity_shortfalls", severity, provider, subject, detail, key))
    return found


# --- forecast swings ----------------------------------------------------------------------------


def _forecasts(rows: Sequence[Row]) -> dict[Period, float]:
    return {
        (r["item"], r["location"], r["bucket"], _day(r["period_start"])): float(r["quantity"])
        for r in rows
    }


def forecast_swings(
    previous: Sequence[Row],
    current: Sequence[Row],
    *,
    provider: str,
    today: date,
    frozen_days: int,
    threshold: float,
) -> list[Finding]:
    """Find forecasts changed by more than ``threshold`` for a period in the frozen horizon.

    Forecasts are matched on item, location, bucket and period_start; only periods starting in
    the frozen horizon ``today <= period_start < today + frozen_days`` count, and only keys in
    both ``previous`` and ``current``. The relative change is ``|current - previous| /
    previous`` (infinite from 0 to more); a swing is a change above ``threshold`` (0.2 = 20%).
    Severity by the change: up to 25% low, 50% medium, 100% high, more critical. The key holds
    both quantities, so a later swing of the same period is a new exception.
    """
    before, horizon = _forecasts(previous), today + timedelta(days=frozen_days)
    found = []
    for (item, location, bucket, start), now in sorted(_forecasts(current).items()):
        was = before.get((item, location, bucket, start))
        if was is None or not today <= start < horizon or now == was:
            continue
        change = abs(now - was) / was if was else math.inf
        if change <= threshold:
            continue
        subject = f"item {item} at location {location} {_period(bucket, start)}"
        how = f"{now / was - 1:+.0%}" if was else "from none"
        detail = (
            f"The forecast for {subject} went from {_units(was)} to {_units(now)} units "
            f"({how}) inside the {frozen_days}-day frozen horizon from {today}."
        )
        key = f"{provider}|{item}|{location}|{bucket}|{start}|{was!r}->{now!r}"
        severity = _by_scale(change, (0.25, 0.5, 1.0))
        found.append(Finding("forecast_swings", severity, provider, subject, detail, key))
    return found


# --- missing submissions ------------------------------------------------------------------------


def missing_submissions(
    last_submitted: Mapping[tuple[str, str], datetime | None],
    *,
    now: datetime,
    cadence_days: Mapping[str, int | None],
    grace_hours: float = 24,
) -> list[Finding]:
    """Find (provider, dataset) pairs whose submissions are overdue.

    Only datasets with a cadence count (``cadence_days[dataset]`` set, in days). A pair is
    overdue when it was never submitted, or when ``now - last > cadence + grace_hours``.
    Severity by whole cadences since the last submission: 1 low, 2-3 medium, 4 or more high;
    never submitted is high. Key: provider, dataset and the last submission time, so a pair that
    submits and falls behind again is a new exception. Naive times are taken as UTC.
    """
    found = []
    for (provider, dataset), last in sorted(last_submitted.items()):
        cadence = cadence_days.get(dataset)
        if cadence is None:
            continue
        if cadence <= 0:
            raise ValueError(f"the cadence of {dataset} must be positive (got {cadence})")
        rule = f"the cadence is {cadence} day(s) plus {grace_hours:g} hours' grace"
        if last is None:
            severity: Severity = "high"
            detail = f"{provider} has never submitted {dataset}; {rule}."
        else:
            age = as_utc(now) - as_utc(last)
            if age <= timedelta(days=cadence, hours=grace_hours):
                continue
            severity = _by_scale(age // timedelta(days=cadence), (1, 3, math.inf))
            detail = (
                f"{provider} last submitted {dataset} on {as_utc(last):%Y-%m-%d %H:%M} UTC, "
                f"{age / timedelta(days=1):.1f} days ago; {rule}."
            )
        stamp = "never" if last is None else as_utc(last).isoformat()
        subject = f"{dataset} of {provider}"
        key = f"{provider}|{dataset}|{stamp}"
        found.append(Finding("missing_submissions", severity, provider, subject, detail, key))
    return found
