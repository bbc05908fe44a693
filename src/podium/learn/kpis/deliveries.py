"""Service reliability from order lines: OTIF and its parts, perfect order, cycle time, dispersion.

The unit is the *order line*, keyed by ``(provider, order_id, line)``; a line delivered in several
shipments has one row per shipment (:data:`podium.learn.frames.DELIVERIES`). A line is *in the
period* when its promised date falls in it. ``as_of`` (a date, or ``None``) is when the period is
judged: lines promised after it are not yet due and are left out, and shipments delivered after
it are not yet known; with ``None`` every line of the period is due and every shipment counts.
A due line that nothing (or not enough) was delivered against counts as late and not in full.
Lines with a null or non-positive promised quantity (cancelled) are left out.

References: SCOR Digital Standard (ASCM), RL.1.1 Perfect Order Fulfillment and RS.1.1 Order
Fulfillment Cycle Time.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import polars as pl

from podium.learn.kpis._common import aggregate, check_by, finish, keys
from podium.learn.kpis.lines import ATTRIBUTES, LINE, lines_of
from podium.learn.periods import Period

GROUPS = tuple(dict.fromkeys((*LINE, *ATTRIBUTES)))
"""The columns delivery KPIs can be grouped by."""
Frame = pl.DataFrame | pl.LazyFrame


def _share(lines: pl.DataFrame, flag: str, by: Sequence[str]) -> pl.DataFrame:
    found = aggregate(lines, by, pl.col(flag).mean().alias("value"), pl.len().alias("basis"))
    return finish(found.collect(), by)


def on_time(
    deliveries: Frame,
    *,
    period: Period,
    by: Sequence[str] = (),
    as_of: date | None = None,
) -> pl.DataFrame:
    """Share of due order lines delivered on time (0..1); basis: lines.

    A line is on time when the shipment that completed it arrived on or before the promised
    date; a line never completed (short-shipped) is on time when its last shipment did; a line
    with no shipment is late. So ``otif == on_time and in_full`` line by line.
    """
    by = check_by(by, GROUPS, "on_time")
    return _share(lines_of(deliveries, period, as_of, by), "on_time", by)


def in_full(
    deliveries: Frame,
    *,
    period: Period,
    by: Sequence[str] = (),
    as_of: date | None = None,
) -> pl.DataFrame:
    """Share of due order lines whose shipments add up to the promised quantity (0..1).

    Whenever delivered: the total of a line's shipments (known by ``as_of``) reaches its promised
    quantity, with no tolerance; over-delivery counts as in full. Basis: lines.
    """
    by = check_by(by, GROUPS, "in_full")
    return _share(lines_of(deliveries, period, as_of, by), "in_full", by)


def otif(
    deliveries: Frame,
    *,
    period: Period,
    by: Sequence[str] = (),
    as_of: date | None = None,
) -> pl.DataFrame:
    """On time in full: share of due order lines whose promised quantity arrived by the promised
    date (0..1); basis: lines.

    The units shipped on or before the promised date, across all of a line's shipments, reach
    the promised quantity (tolerance 0). A partial delivery, or a full one completed late, is
    not OTIF; an undelivered due line is not OTIF. No due line: no value.
    """
    by = check_by(by, GROUPS, "otif")
    return _share(lines_of(deliveries, period, as_of, by), "otif", by)


def perfect_order(
    deliveries: Frame,
    *,
    period: Period,
    by: Sequence[str] = (),
    as_of: date | None = None,
) -> pl.DataFrame:
    """Perfect order fulfilment (SCOR RL.1.1 with the data recorded): share of orders all of whose
    due lines in the period are OTIF (0..1); basis: orders.

    An order is ``(provider, order_id)``; only its lines promised in the period (and due by
    ``as_of``) are judged. SCOR's other conditions (documentation, condition) are not recorded,
    so this is an upper bound of RL.1.1. Grouped by a line attribute (item, say), an order is
    judged in each group on its lines there.
    """
    by = check_by(by, GROUPS, "perfect_order")
    return _perfect(lines_of(deliveries, period, as_of, by), by)


def _perfect(lines: pl.DataFrame, by: Sequence[str]) -> pl.DataFrame:
    orders = lines.lazy().group_by(keys(by, ["provider", "_order"])).agg(pl.col("otif").all())
    found = aggregate(orders, by, pl.col("otif").mean().alias("value"), pl.len().alias("basis"))
    return finish(found.collect(engine="streaming"), by)


def order_cycle_time_days(
    deliveries: Frame,
    *,
    period: Period,
    by: Sequence[str] = (),
    as_of: date | None = None,
) -> pl.DataFrame:
    """Order fulfilment cycle time (SCOR RS.1.1), in days: mean of ``completed_on -
    ordered_date`` over the period's complete lines with an ordered date; basis: those lines.

    ``completed_on`` is the date of the shipment that brought the line's cumulative quantity to
    the promised quantity. Short or undelivered lines, and lines without an ordered date, have
    no cycle time and are not counted.
    """
    by = check_by(by, GROUPS, "order_cycle_time_days")
    return _cycle(lines_of(deliveries, period, as_of, by), by)


def _cycle(lines: pl.DataFrame, by: Sequence[str]) -> pl.DataFrame:
    cycle = pl.col("cycle_days")
    found = aggregate(lines, by, cycle.mean().alias("value"), cycle.count().alias("basis"))
    return finish(found.collect(), by)


def service_dispersion(
    deliveries: Frame,
    *,
    period: Period,
    by: Sequence[str] = (),
    as_of: date | None = None,
    across: str = "region",
) -> pl.DataFrame:
    """Customer-experience consistency: population standard deviation of OTIF (a share) across
    the groups of ``across`` (region, provider, ship_to, item); basis: groups with an OTIF.

    Each group's OTIF is :func:`otif`'s; lines whose ``across`` is unknown (null) are left out.
    With fewer than two groups there is no dispersion: null value.
    """
    by = check_by(by, GROUPS, "service_dispersion")
    return _dispersion(lines_of(deliveries, period, as_of, [*by, across]), by, across)


def _dispersion(lines: pl.DataFrame, by: Sequence[str], across: str) -> pl.DataFrame:
    check_by([across], [name for name in GROUPS if name not in by], "service_dispersion across")
    shares = (
        lines.filter(pl.col(across).is_not_null())
        .group_by([*by, across])
        .agg(pl.col("otif").mean().alias("share"))
    )
    found = aggregate(
        shares, by, pl.col("share").std(ddof=0).alias("value"), pl.len().alias("basis")
    ).with_columns(pl.when(pl.col("basis") >= 2).then(pl.col("value")).alias("value"))
    return finish(found.collect(), by)


DELIVERY_KPIS = (
    "otif",
    "on_time",
    "in_full",
    "perfect_order",
    "order_cycle_time_days",
    "service_dispersion",
)


def delivery_kpis(
    deliveries: Frame,
    *,
    period: Period,
    by: Sequence[str] = (),
    as_of: date | None = None,
    across: str = "region",
    kpis: Sequence[str] = DELIVERY_KPIS,
) -> dict[str, pl.DataFrame]:
    """Several delivery KPIs at once, each as its own function gives it, from one pass over the
    lines (the way to compute more than one on a large frame)."""
    by = check_by(by, GROUPS, "delivery KPIs")
    unknown = [key for key in kpis if key not in DELIVERY_KPIS]
    if unknown:
        raise ValueError(f"not delivery KPIs: {', '.join(unknown)}")
    lines = lines_of(deliveries, period, as_of, [*by, across])
    found: dict[str, pl.DataFrame] = {}
    for key in kpis:
        if key in ("otif", "on_time", "in_full"):
            found[key] = _share(lines, key, by)
        elif key == "perfect_order":
            found[key] = _perfect(lines, by)
        elif key == "order_cycle_time_days":
            found[key] = _cycle(lines, by)
        else:
            found[key] = _dispersion(lines, by, across)
    return found
