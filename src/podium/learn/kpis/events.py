"""Recovery, response, joint innovation, data quality and adoption KPIs.

Each counts the events that *start* (or, for initiatives, launch; for submissions, arrive) in the
period; an event not finished yet is not counted in a mean time, and ``basis`` says how many
finished ones the mean rests on. Datetimes are UTC; the period runs from its start (00:00 UTC)
to its end (exclusive).
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from podium.learn.kpis._common import aggregate, check_by, finish, in_period, keys
from podium.learn.periods import Period

Frame = pl.DataFrame | pl.LazyFrame
HOUR, DAY = 3600.0, 86400.0


def _mean_time(
    frame: Frame, start: str, end: str, *, period: Period, by: list[str], seconds: float
) -> pl.DataFrame:
    """Mean of ``end - start`` in units of ``seconds``, over rows starting in the period whose
    ``end`` is known and not before ``start``; basis: those rows."""
    span = (pl.col(end) - pl.col(start)).dt.total_microseconds() / (seconds * 1e6)
    rows = (
        frame.lazy()
        .filter(in_period(start, period, timestamp=True))
        .select(*by, span.alias("_span"))
    )
    done = pl.col("_span").filter(pl.col("_span") >= 0)
    found = aggregate(rows, by, done.mean().alias("value"), done.len().alias("basis"))
    return finish(found.collect(), by)


def recovery_time_days(
    disruptions: Frame, *, period: Period, by: Sequence[str] = ()
) -> pl.DataFrame:
    """Supplier recovery time in days: mean of ``recovered_at - started_at`` over the
    disruptions that started in the period and have recovered; basis: recovered disruptions.

    Disruptions not recovered yet are left out (their time is not known; the service reports
    them as open); a recovery recorded before its start is a data error and is left out too.
    The distribution and trend come from :func:`podium.learn.periods.previous` periods.
    """
    columns = check_by(by, ("provider", "subject"), "recovery_time_days")
    return _mean_time(
        disruptions, "started_at", "recovered_at", period=period, by=columns, seconds=DAY
    )


def response_time_hours(
    responses: Frame, *, period: Period, by: Sequence[str] = ()
) -> pl.DataFrame:
    """Ecosystem response time in hours: mean of ``first_response_at - detected_at`` over the
    exceptions and risk signals detected in the period that have had a response; basis: those."""
    columns = check_by(by, ("provider", "kind"), "response_time_hours")
    return _mean_time(
        responses, "detected_at", "first_response_at", period=period, by=columns, seconds=HOUR
    )


def resolution_time_hours(
    responses: Frame, *, period: Period, by: Sequence[str] = ()
) -> pl.DataFrame:
    """Resolution time in hours: mean of ``resolved_at - detected_at`` over the exceptions and
    risk signals detected in the period that are resolved; basis: resolved ones."""
    columns = check_by(by, ("provider", "kind"), "resolution_time_hours")
    return _mean_time(
        responses, "detected_at", "resolved_at", period=period, by=columns, seconds=HOUR
    )


def _partners(initiatives: Frame, by: Sequence[str], what: str) -> tuple[pl.LazyFrame, list[str]]:
    """The initiatives, with ``partner`` named ``provider`` when ``by`` asks for ``provider``."""
    columns = check_by(by, ("partner", "provider", "key"), what)
    if "partner" in columns and "provider" in columns:
        raise ValueError(f"{what}: group by partner or provider, not both")
    frame = initiatives.lazy()
    if "provider" in columns:
        frame = frame.rename({"partner": "provider"})
    return frame, columns


def innovation_cycle_days(
    initiatives: Frame, *, period: Period, by: Sequence[str] = ()
) -> pl.DataFrame:
    """Joint innovation cycle time in days: mean of ``launched_on - started_on`` over the joint
    initiatives launched in the period; basis: initiatives (each counted once, or once per
    partner when grouped by ``partner``; ``provider`` is accepted as its alias)."""
    frame, columns = _partners(initiatives, by, "innovation_cycle_days")
    launched = frame.filter(in_period("launched_on", period)).unique(keys(["key"], columns))
    days = (pl.col("launched_on") - pl.col("started_on")).dt.total_days().cast(pl.Float64)
    done = days.filter(days >= 0)
    found = aggregate(launched, columns, done.mean().alias("value"), done.len().alias("basis"))
    return finish(found.collect(), columns)


def _amount(initiatives: Frame, column: str, *, period: Period, by: Sequence[str]) -> pl.DataFrame:
    """Sum of ``column`` (currency) over the initiatives launched in the period; grouped by
    partner, each initiative's amount is split equally among its partners."""
    frame, columns = _partners(initiatives, by, column)
    partner = "provider" if "provider" in columns else "partner"
    launched = frame.filter(in_period("launched_on", period)).unique(["key", partner])
    if partner in columns:
        share = pl.col(column) / pl.col(partner).n_unique().over("key")
        rows = launched.with_columns(share.alias("_amount"))
    else:
        rows = launched.group_by(keys(columns, ["key"])).agg(
            pl.col(column).first().alias("_amount")
        )
    amount = pl.col("_amount")
    found = aggregate(rows, columns, amount.sum().alias("value"), amount.count().alias("basis"))
    return finish(found.collect(), columns)


def initiative_value(initiatives: Frame, *, period: Period, by: Sequence[str] = ()) -> pl.DataFrame:
    """Value created (currency) by the joint initiatives launched in the period: the sum of
    ``value_created`` (each initiative's total, counted once). Grouped by ``partner`` (or its
    alias ``provider``), an initiative's value is split equally among its partners. Basis:
    initiatives with a recorded value; none launched: no value (not 0)."""
    return _amount(initiatives, "value_created", period=period, by=by)


def cost_reduction(initiatives: Frame, *, period: Period, by: Sequence[str] = ()) -> pl.DataFrame:
    """Cost reduction (currency) of the joint initiatives launched in the period, counted and
    split as :func:`initiative_value`."""
    return _amount(initiatives, "cost_reduction", period=period, by=by)


def revenue_enabled(initiatives: Frame, *, period: Period, by: Sequence[str] = ()) -> pl.DataFrame:
    """Revenue enabled (currency) by the joint initiatives launched in the period, counted and
    split as :func:`initiative_value`."""
    return _amount(initiatives, "revenue_enabled", period=period, by=by)


def data_quality(submissions: Frame, *, period: Period, by: Sequence[str] = ()) -> pl.DataFrame:
    """Data-quality compliance (0..1): mean over the period's submissions of each submission's
    mean of its ``valid``, ``complete`` and ``on_time`` shares (a null part is skipped; a
    submission with no part is left out); basis: submissions scored."""
    columns = check_by(by, ("provider", "dataset", "source"), "data_quality")
    score = pl.mean_horizontal("valid", "complete", "on_time")
    rows = submissions.lazy().filter(in_period("submitted_at", period, timestamp=True))
    rows = rows.select(*columns, score.alias("_score"))
    found = aggregate(
        rows,
        columns,
        pl.col("_score").mean().alias("value"),
        pl.col("_score").count().alias("basis"),
    )
    return finish(found.collect(), columns)


def adoption(
    submissions: Frame, *, period: Period, by: Sequence[str] = (), expected: pl.DataFrame
) -> pl.DataFrame:
    """Partner adoption (0..1): share of the expected ``(provider, dataset)`` pairs (who should
    submit what) with at least one submission through the API (``source == "api"``) in the
    period; basis: expected pairs. Nothing expected: no value."""
    columns = check_by(by, ("provider", "dataset"), "adoption")
    pairs = ["provider", "dataset"]
    through_api = (
        submissions.lazy()
        .filter(in_period("submitted_at", period, timestamp=True) & (pl.col("source") == "api"))
        .select(pairs)
        .unique()
        .with_columns(pl.lit(True).alias("_api"))
    )
    wanted = expected.lazy().select(pairs).unique().join(through_api, on=pairs, how="left")
    active = pl.col("_api").fill_null(False)
    found = aggregate(wanted, columns, active.mean().alias("value"), pl.len().alias("basis"))
    return finish(found.collect(), columns)
