"""Order lines from shipment rows: what was delivered against each line, and when it was complete.

The evidence behind the delivery KPIs (:mod:`podium.learn.kpis.deliveries`), computed with one
hash grouping of the shipment rows and plain column arithmetic: a line's first and last rows
give its one or two shipments directly, and only lines of three or more shipments (rare) go
through a per-line cumulative sum. Grouping moves integers, not strings: an order id becomes its
64-bit hash when the hashes of the period's ids are distinct (checked every time; otherwise a
categorical code), and other text becomes categoricals, cast back to text by
:func:`podium.learn.kpis._common.finish`. This keeps 7M rows to a few seconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import polars as pl

from podium.learn.kpis._common import in_period
from podium.learn.periods import Period

LINE = ("provider", "order_id", "line")
KEY = ("provider", "_order", "line")
"""A line's key as the engine groups it: ``_order`` is an integer per distinct order id."""
ATTRIBUTES = ("order_id", "item", "ship_to", "region")
"""Text columns of a line besides its provider (gathered only when asked for)."""
TERMS = ("ordered_date", "promised_date", "promised_quantity")
DAY, QTY = pl.col("_day"), pl.col("_q")


def delivery_lines(
    deliveries: pl.DataFrame | pl.LazyFrame, *, period: Period, as_of: date | None = None
) -> pl.DataFrame:
    """One row per due order line of ``period`` with its delivery status (the KPIs' evidence).

    Columns: the line's key and description (item, ship_to, region, ordered_date,
    promised_date, promised_quantity); ``shipments`` (rows known by ``as_of``, undelivered
    placeholders included); ``delivered`` (units shipped in all); ``delivered_by_promise``
    (units shipped on or before the promised date); ``last_delivered`` (date of the last
    shipment); ``completed_on`` (the date the cumulative shipped quantity, shipments taken in
    date order, first reached the promised quantity; null while short); ``in_full``,
    ``on_time``, ``otif`` (booleans, see :func:`podium.learn.kpis.otif`) and ``cycle_days``
    (``completed_on - ordered_date`` in days; null when either is unknown). See
    :mod:`podium.learn.kpis.deliveries` for which lines are due.
    """
    lines = lines_of(deliveries, period, as_of, ATTRIBUTES)
    text = [pl.col(name).cast(pl.Utf8) for name in ("provider", *ATTRIBUTES)]
    columns = [*LINE, *ATTRIBUTES[1:], *TERMS]
    lines = lines.with_columns(text).select(*columns, pl.exclude(*columns, "_order"))
    return lines.sort(list(LINE))


def shipments(
    frame: pl.DataFrame | pl.LazyFrame, period: Period, as_of: date | None, keep: Sequence[str]
) -> pl.DataFrame:
    """The due lines' rows: :data:`KEY`, ``keep`` (text, as categoricals), terms, ``_day`` and
    ``_q`` (the shipment's date and units; null and 0 when not delivered or not known by
    ``as_of``), ``_qby`` (its units by the promised date) and ``_row`` (row number)."""
    due = in_period("promised_date", period)
    shipped = pl.col("delivered_date").is_not_null()
    if as_of is not None:
        due = due & (pl.col("promised_date") <= as_of)
        shipped = shipped & (pl.col("delivered_date") <= as_of)
    quantity = pl.when(shipped).then(pl.col("delivered_quantity").fill_null(0.0)).otherwise(0.0)
    by_promise = pl.when(pl.col("promised_date") >= DAY).then(QTY).otherwise(0.0)
    rows = (
        frame.lazy()
        .filter(due & (pl.col("promised_quantity") > 0))
        .select(*LINE, *(name for name in keep if name not in LINE), *TERMS,
                pl.when(shipped).then(pl.col("delivered_date")).alias("_day"), quantity.alias("_q"))
        .with_columns(by_promise.alias("_qby"))
        .collect()
    )  # fmt: skip
    codes = pl.Categorical(pl.Categories.random())  # private to this call: freed after it
    text = [pl.col(name).cast(codes) for name in ("provider", *keep)]
    return rows.with_columns(*text, _order_key(rows["order_id"], codes)).with_row_index("_row")


def _order_key(order_id: pl.Series, codes: pl.Categorical) -> pl.Series:
    """An integer per distinct order id: its 64-bit hash when no two ids share one (the count of
    distinct hashes equals the count of distinct ids), else its categorical code."""
    hashed = order_id.hash(seed=0)
    if hashed.n_unique() != order_id.n_unique():
        hashed = order_id.cast(codes).to_physical().cast(pl.UInt64)
    return hashed.alias("_order")


def lines_of(
    frame: pl.DataFrame | pl.LazyFrame,
    period: Period,
    as_of: date | None,
    keep: Sequence[str] = (),
) -> pl.DataFrame:
    """:func:`delivery_lines` in no order with :data:`KEY`, only the attributes in ``keep``, and
    text as categoricals (the engine's entry)."""
    keep = [name for name in ATTRIBUTES if name in keep]
    rows = shipments(frame, period, as_of, keep)
    lines = (
        rows.lazy()
        .group_by(list(KEY))
        .agg(
            pl.len().alias("shipments"),
            pl.col("_row").min().alias("_first"),
            pl.col("_row").max().alias("_last"),
            QTY.sum().alias("delivered"),
            pl.col("_qby").sum().alias("delivered_by_promise"),
            DAY.max().alias("last_delivered"),
        )
        .collect(engine="streaming")
    )
    first = rows.select(*keep, *TERMS, DAY.alias("_d1"), QTY.alias("_q1"))[lines["_first"]]
    last = rows.select(DAY.alias("_d2"), QTY.alias("_q2"))[lines["_last"]]
    lines = pl.concat([lines, first, last], how="horizontal")
    lines = lines.with_columns(_completed_short().alias("completed_on"))
    if (lines["shipments"] > 2).any():
        lines = _complete_long(rows, lines)
    return _status(lines.drop("_first", "_last", "_d1", "_q1", "_d2", "_q2"))


def _completed_short() -> pl.Expr:
    """Completion date of a line of one or two shipments (``_d1``/``_q1`` and ``_d2``/``_q2``,
    the same row when there is one); null for longer lines, computed by :func:`_complete_long`.
    """
    one = pl.col("shipments") == 1
    swap = pl.col("_d1").is_null() | (pl.col("_d2") < pl.col("_d1"))  # earlier shipment first
    early_d = pl.when(swap).then(pl.col("_d2")).otherwise(pl.col("_d1"))
    early_q = pl.when(swap).then(pl.col("_q2")).otherwise(pl.col("_q1"))
    late_d = pl.when(swap).then(pl.col("_d1")).otherwise(pl.col("_d2"))
    late_q = pl.when(swap).then(pl.col("_q1")).otherwise(pl.col("_q2"))
    promised = pl.col("promised_quantity")
    by_early = early_q + pl.when(late_d == early_d).then(late_q).otherwise(0.0)
    two = (
        pl.when(early_d.is_not_null() & (by_early >= promised))
        .then(early_d)
        .when(late_d.is_not_null() & (early_q + late_q >= promised))
        .then(late_d)
    )
    single = pl.when(pl.col("_d1").is_not_null() & (pl.col("_q1") >= promised)).then(pl.col("_d1"))
    return pl.when(one).then(single).when(pl.col("shipments") == 2).then(two)


def _complete_long(rows: pl.DataFrame, lines: pl.DataFrame) -> pl.DataFrame:
    """Fill ``completed_on`` of the lines of three or more shipments: the first date, in date
    order, at which the running total of shipped units reaches the promised quantity.

    Their rows are found by the hash of their key (a colliding line only adds rows, each line
    grouped on its exact key) and the result joins back on the line's first row number.
    """
    line = pl.struct(*KEY).hash(seed=0)
    long = lines.filter(pl.col("shipments") > 2).select(line.alias("_h"))["_h"]
    running = QTY.cum_sum()
    done = (
        rows.filter(line.is_in(long.implode()))
        .sort("_day", nulls_last=True)
        .group_by(list(KEY))
        .agg(
            pl.col("_row").min().alias("_first"),
            DAY.filter(running >= pl.col("promised_quantity")).first().alias("_done"),
        )
        .select("_first", "_done")
    )
    return (
        lines.join(done, on="_first", how="left")
        .with_columns(pl.coalesce("completed_on", "_done").alias("completed_on"))
        .drop("_done")
    )


def _status(lines: pl.DataFrame) -> pl.DataFrame:
    promised = pl.col("promised_quantity")
    in_full = pl.col("delivered") >= promised
    last_on_time = pl.col("last_delivered").is_not_null() & (
        pl.col("last_delivered") <= pl.col("promised_date")
    )
    cycle = (pl.col("completed_on") - pl.col("ordered_date")).dt.total_days().cast(pl.Float64)
    return lines.with_columns(
        in_full.alias("in_full"),
        pl.when(in_full).then(pl.col("delivered_by_promise") >= promised).otherwise(last_on_time)
        .alias("on_time"),
        (pl.col("delivered_by_promise") >= promised).alias("otif"),
        cycle.alias("cycle_days"),
    )  # fmt: skip
