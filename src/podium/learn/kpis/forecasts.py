"""Shared forecast accuracy at a lag: WAPE, MAPE and bias of the version current at the lag.

A *point* is ``(provider, item, location, bucket, period_start)`` with ``period_start`` in the
period. Its forecast *at lag L days* is the quantity of the version current L days before the
bucket starts: the row with the latest ``submitted_at`` on or before ``period_start - L`` (00:00
UTC; on a tie, the first such row). Later revisions do not count at that lag, so the same
bucket can be judged at several horizons (``lag_days=7``, ``28``, ...). Its actual is the sum of
the actuals rows of ``(item, location, bucket, period_start)``. A point with no forecast version
at the lag, no actual recorded, or a null quantity is left out: no data is no value, not a
perfect forecast.

References: Hyndman & Athanasopoulos, *Forecasting: Principles and Practice* (3rd ed.), §5.8
(percentage errors: MAPE, undefined at zero actuals); Kolassa & Schütz (2007), "Advantages of the
MAD/Mean ratio over the MAPE", *Foresight* 6 (WAPE = sum |e| / sum y).
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from podium.learn.kpis._common import aggregate, check_by, finish, in_period
from podium.learn.periods import Period

POINT = ("provider", "item", "location", "bucket", "period_start")
SLOT = ("item", "location", "bucket", "period_start")
GROUPS = ("provider", "item", "location", "bucket")
"""The columns forecast KPIs can be grouped by."""
FORECAST_KPIS = ("forecast_wape", "forecast_mape", "forecast_bias")

Frame = pl.DataFrame | pl.LazyFrame


def forecast_points(
    forecasts: Frame, actuals: Frame, *, period: Period, lag_days: int = 7
) -> pl.DataFrame:
    """One row per point of ``period`` at ``lag_days``: the point's key, ``submitted_at`` of the
    version used, ``forecast``, ``actual`` and ``error`` (forecast - actual, units)."""
    return _points(forecasts.lazy(), actuals.lazy(), period, lag_days).collect()


def _points(
    forecasts: pl.LazyFrame, actuals: pl.LazyFrame, period: Period, lag: int
) -> pl.LazyFrame:
    if lag < 0:
        raise ValueError("lag_days must be 0 or more")
    cutoff = pl.col("period_start").cast(pl.Datetime("us", "UTC")) - pl.duration(days=lag)
    versions = (
        forecasts.filter(in_period("period_start", period) & (pl.col("submitted_at") <= cutoff))
        .group_by(list(POINT))
        .agg(
            pl.col("submitted_at").max(),
            pl.col("quantity").get(pl.col("submitted_at").arg_max()).alias("forecast"),
        )
    )
    observed = (
        actuals.filter(in_period("period_start", period))
        .group_by(list(SLOT))
        .agg(pl.col("quantity").sum().alias("actual"))
    )
    error = pl.col("forecast") - pl.col("actual")
    joined = versions.join(observed, on=list(SLOT), how="inner")
    return joined.with_columns(error.alias("error")).filter(pl.col("error").is_not_null())


def _wape(points: pl.LazyFrame, by: Sequence[str]) -> pl.LazyFrame:
    total = pl.col("actual").sum()
    found = aggregate(
        points,
        by,
        pl.when(total != 0).then(pl.col("error").abs().sum() / total).alias("value"),
        pl.len().alias("basis"),
    )
    return found


def _mape(points: pl.LazyFrame, by: Sequence[str]) -> pl.LazyFrame:
    ape = (pl.col("error") / pl.col("actual")).abs().filter(pl.col("actual") != 0)
    found = aggregate(points, by, ape.mean().alias("value"), ape.len().alias("basis"))
    return found


def _bias(points: pl.LazyFrame, by: Sequence[str]) -> pl.LazyFrame:
    total = pl.col("actual").sum()
    found = aggregate(
        points,
        by,
        pl.when(total != 0).then(pl.col("error").sum() / total).alias("value"),
        pl.len().alias("basis"),
    )
    return found


_KPI = {"forecast_wape": _wape, "forecast_mape": _mape, "forecast_bias": _bias}


def forecast_wape(
    forecasts: Frame, actuals: Frame, *, period: Period, by: Sequence[str] = (), lag_days: int = 7
) -> pl.DataFrame:
    """Weighted absolute percentage error at ``lag_days`` (a share): ``sum |F - A| / sum A`` over
    the points (the MAD/mean ratio of Kolassa & Schütz 2007); basis: points.

    Defined with zero actuals at some points, unlike MAPE; null when the actuals sum to 0.
    """
    by = check_by(by, GROUPS, "forecast_wape")
    found = _wape(_points(forecasts.lazy(), actuals.lazy(), period, lag_days), by)
    return finish(found.collect(), by)


def forecast_mape(
    forecasts: Frame, actuals: Frame, *, period: Period, by: Sequence[str] = (), lag_days: int = 7
) -> pl.DataFrame:
    """Mean absolute percentage error at ``lag_days`` (a share, not %): mean of ``|F - A| / |A|``
    over the points with a non-zero actual (Hyndman & Athanasopoulos §5.8: undefined at A = 0);
    basis: the points used, so zero-actual points are visible as the gap to WAPE's basis."""
    by = check_by(by, GROUPS, "forecast_mape")
    found = _mape(_points(forecasts.lazy(), actuals.lazy(), period, lag_days), by)
    return finish(found.collect(), by)


def forecast_bias(
    forecasts: Frame, actuals: Frame, *, period: Period, by: Sequence[str] = (), lag_days: int = 7
) -> pl.DataFrame:
    """Forecast bias at ``lag_days`` (a share): ``sum (F - A) / sum A``; positive means
    over-forecasting, 0 unbiased; null when the actuals sum to 0; basis: points."""
    by = check_by(by, GROUPS, "forecast_bias")
    found = _bias(_points(forecasts.lazy(), actuals.lazy(), period, lag_days), by)
    return finish(found.collect(), by)


def forecast_kpis(
    forecasts: Frame,
    actuals: Frame,
    *,
    period: Period,
    by: Sequence[str] = (),
    lag_days: int = 7,
    kpis: Sequence[str] = FORECAST_KPIS,
) -> dict[str, pl.DataFrame]:
    """Several forecast KPIs at once, each as its own function gives it, from one set of points."""
    by = check_by(by, GROUPS, "forecast KPIs")
    unknown = [key for key in kpis if key not in _KPI]
    if unknown:
        raise ValueError(f"not forecast KPIs: {', '.join(unknown)}")
    points = _points(forecasts.lazy(), actuals.lazy(), period, lag_days).collect().lazy()
    return {key: finish(_KPI[key](points, by).collect(), by) for key in kpis}
